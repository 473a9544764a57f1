import { closestName, InvalidArgumentError } from '@geokd/errors';
import { DEFAULT_LOSS_WEIGHTS } from './registry';

const FN = 'geokd-bench';

type Plain = Record<string, unknown>;

const isPlain = (value: unknown): value is Plain =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The keys a run spec may hold at each level (what `--config` may set). */
export const SPEC_KEYS = {
  top: [
    'preset',
    'data',
    'teacher',
    'student',
    'teacherTraining',
    'studentTraining',
    'taps',
    'methods',
    'seeds',
    'primaryComparisons',
    'lossWeights',
    'heatmapBatchSize',
    'backend',
  ],
  data: [
    'kind',
    'dataDir',
    'shape',
    'numClasses',
    'trainSize',
    'testSize',
    'testFraction',
    'studentTrainSize',
    'augment',
    'normalize',
    'seed',
  ],
  augment: ['padding', 'horizontalFlip'],
  model: ['name', 'options'],
  training: ['epochs', 'batchSize', 'optimizer', 'schedule', 'maxSteps'],
  sgd: [
    'type',
    'learningRate',
    'momentum',
    'nesterov',
    'weightDecay',
    'weightDecayMode',
    'weightDecayParameters',
    'decayAllParameters',
  ],
  adam: ['type', 'learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay'],
  'multi-step': ['type', 'milestones', 'gamma', 'warmupEpochs'],
  cosine: ['type', 'minLearningRate', 'warmupEpochs'],
  constant: ['type', 'warmupEpochs'],
  comparison: ['method', 'reference'],
} as const;

/** Where and how {@link checkSpecStructure} reads a spec. */
export interface SpecStructureOptions {
  /** Command named in the messages. @default 'geokd-bench' */
  functionName?: string;
  /**
   * Key path of the spec in its document, put before every key path in the messages
   * (`'config'`: `config.studentTraining.epochs`). @default '' (the spec is the document)
   */
  path?: string;
  /**
   * A partial spec (merged over a preset afterwards): every key optional, an optimiser or
   * schedule without `type` may hold the keys of any type. @default false
   */
  partial?: boolean;
  /** Top-level keys the spec may hold. @default SPEC_KEYS.top */
  topKeys?: readonly string[];
}

/** What every check reads: the command named in messages and whether keys are optional. */
interface Context {
  functionName: string;
  partial: boolean;
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function fail(context: Context, argument: string, expected: string, received: unknown): never {
  throw new InvalidArgumentError({
    functionName: context.functionName,
    argument,
    expected,
    received:
      typeof received === 'string'
        ? `'${received}'`
        : (JSON.stringify(received) ?? String(received)),
  });
}

/** Rejects a key of `object` outside `valid`, naming it, its path and the closest valid key. */
function checkKeys(context: Context, object: Plain, valid: readonly string[], path: string): void {
  for (const key of Object.keys(object)) {
    if (valid.includes(key)) continue;
    const suggestion = closestName(key, valid);
    fail(
      context,
      `spec key '${join(path, key)}'`,
      `a known key${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; valid keys${path === '' ? '' : ` of ${path}`}: ${valid.join(', ')}`,
      'an unknown key',
    );
  }
}

function checkObject(context: Context, value: unknown, path: string): Plain {
  if (!isPlain(value)) fail(context, path, 'a JSON object', value);
  return value;
}

/** Whether a required value may be left out: absent keys of a partial spec are not checked. */
const skipped = (context: Context, value: unknown): boolean =>
  value === undefined && context.partial;

function checkNumber(
  context: Context,
  value: unknown,
  path: string,
  rule: {
    integer?: boolean;
    min?: number;
    max?: number;
    exclusiveMin?: boolean;
    optional?: boolean;
  },
): void {
  if (value === undefined && (rule.optional || context.partial)) return;
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const range = [
    rule.min !== undefined ? `${rule.exclusiveMin ? '>' : '>='} ${rule.min}` : '',
    rule.max !== undefined ? `<= ${rule.max}` : '',
  ]
    .filter((part) => part !== '')
    .join(' and ');
  const expected = range === '' ? kind : `${kind} ${range}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(context, path, expected, value);
  if (rule.integer && !Number.isInteger(value)) fail(context, path, expected, value);
  if (rule.min !== undefined && (rule.exclusiveMin ? value <= rule.min : value < rule.min)) {
    fail(context, path, expected, value);
  }
  if (rule.max !== undefined && value > rule.max) fail(context, path, expected, value);
}

function checkString(
  context: Context,
  value: unknown,
  path: string,
  choices?: readonly string[],
): void {
  if (skipped(context, value)) return;
  if (typeof value !== 'string')
    fail(context, path, choices ? `one of ${choices.join(', ')}` : 'a string', value);
  if (choices && !choices.includes(value)) {
    const suggestion = closestName(value, choices);
    fail(
      context,
      path,
      `one of ${choices.join(', ')}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`,
      value,
    );
  }
}

function checkBoolean(context: Context, value: unknown, path: string): void {
  if (value !== undefined && typeof value !== 'boolean')
    fail(context, path, 'true or false', value);
}

function checkStringList(context: Context, value: unknown, path: string): void {
  if (skipped(context, value)) return;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    fail(context, path, 'a list of strings', value);
  }
}

/** The keys of `type` in {@link SPEC_KEYS}, or of every type in `types` when it is absent. */
function keysOfType<T extends keyof typeof SPEC_KEYS>(
  type: T | undefined,
  types: readonly T[],
): readonly string[] {
  if (type !== undefined) return SPEC_KEYS[type];
  return [...new Set(types.flatMap((each) => [...SPEC_KEYS[each]]))];
}

function checkOptimizer(context: Context, value: unknown, path: string): void {
  if (skipped(context, value)) return;
  const optimizer = checkObject(context, value, path);
  const types = ['sgd', 'adam'] as const;
  checkString(context, optimizer.type, `${path}.type`, types);
  const type = optimizer.type as (typeof types)[number] | undefined;
  checkKeys(context, optimizer, keysOfType(type, types), path);
  checkNumber(context, optimizer.learningRate, `${path}.learningRate`, {
    min: 0,
    exclusiveMin: true,
    optional: true,
  });
  checkNumber(context, optimizer.weightDecay, `${path}.weightDecay`, { min: 0, optional: true });
  if (type !== 'adam') {
    checkNumber(context, optimizer.momentum, `${path}.momentum`, {
      min: 0,
      max: 1,
      optional: true,
    });
    checkBoolean(context, optimizer.nesterov, `${path}.nesterov`);
    checkBoolean(context, optimizer.decayAllParameters, `${path}.decayAllParameters`);
    if (optimizer.weightDecayMode !== undefined) {
      checkString(context, optimizer.weightDecayMode, `${path}.weightDecayMode`, [
        'decoupled',
        'l2',
      ]);
    }
    if (optimizer.weightDecayParameters !== undefined) {
      checkString(context, optimizer.weightDecayParameters, `${path}.weightDecayParameters`, [
        'weights-only',
        'all',
      ]);
    }
  }
  if (type !== 'sgd') {
    checkNumber(context, optimizer.beta1, `${path}.beta1`, { min: 0, max: 1, optional: true });
    checkNumber(context, optimizer.beta2, `${path}.beta2`, { min: 0, max: 1, optional: true });
    checkNumber(context, optimizer.epsilon, `${path}.epsilon`, {
      min: 0,
      exclusiveMin: true,
      optional: true,
    });
  }
}

function checkSchedule(context: Context, value: unknown, path: string): void {
  if (skipped(context, value)) return;
  const schedule = checkObject(context, value, path);
  const types = ['multi-step', 'cosine', 'constant'] as const;
  checkString(context, schedule.type, `${path}.type`, types);
  const type = schedule.type as (typeof types)[number] | undefined;
  checkKeys(context, schedule, keysOfType(type, types), path);
  checkNumber(context, schedule.warmupEpochs, `${path}.warmupEpochs`, { min: 0, optional: true });
  const milestones = schedule.milestones;
  if (type !== 'cosine' && type !== 'constant' && milestones !== undefined) {
    const valid =
      Array.isArray(milestones) &&
      milestones.every(
        (m, i) =>
          typeof m === 'number' && m > 0 && m < 1 && (i === 0 || m > (milestones[i - 1] as number)),
      );
    if (!valid) {
      fail(
        context,
        `${path}.milestones`,
        'ascending fractions of the epochs in (0, 1)',
        milestones,
      );
    }
  }
  if (type !== 'cosine' && type !== 'constant') {
    checkNumber(context, schedule.gamma, `${path}.gamma`, {
      min: 0,
      exclusiveMin: true,
      optional: true,
    });
  }
  if (type !== 'multi-step' && type !== 'constant') {
    checkNumber(context, schedule.minLearningRate, `${path}.minLearningRate`, {
      min: 0,
      optional: true,
    });
  }
}

function checkTraining(context: Context, value: unknown, path: string): void {
  if (skipped(context, value)) return;
  const training = checkObject(context, value, path);
  checkKeys(context, training, SPEC_KEYS.training, path);
  checkNumber(context, training.epochs, `${path}.epochs`, { integer: true, min: 1 });
  checkNumber(context, training.batchSize, `${path}.batchSize`, { integer: true, min: 1 });
  checkNumber(context, training.maxSteps, `${path}.maxSteps`, {
    integer: true,
    min: 1,
    optional: true,
  });
  checkOptimizer(context, training.optimizer, `${path}.optimizer`);
  checkSchedule(context, training.schedule, `${path}.schedule`);
}

function checkModel(context: Context, value: unknown, path: string): void {
  if (skipped(context, value)) return;
  const model = checkObject(context, value, path);
  checkKeys(context, model, SPEC_KEYS.model, path);
  checkString(context, model.name, `${path}.name`);
  if (!skipped(context, model.options)) checkObject(context, model.options, `${path}.options`);
}

function checkData(context: Context, value: unknown, path: string): void {
  if (skipped(context, value)) return;
  const data = checkObject(context, value, path);
  checkKeys(context, data, SPEC_KEYS.data, path);
  checkString(context, data.kind, `${path}.kind`, ['mnist-embedded', 'cifar10', 'synthetic']);
  if (data.dataDir !== undefined) checkString(context, data.dataDir, `${path}.dataDir`);
  for (const key of ['trainSize', 'testSize', 'studentTrainSize', 'numClasses'] as const) {
    checkNumber(context, data[key], `${path}.${key}`, { integer: true, min: 1, optional: true });
  }
  checkNumber(context, data.testFraction, `${path}.testFraction`, {
    min: 0,
    exclusiveMin: true,
    max: 0.99,
    optional: true,
  });
  checkNumber(context, data.seed, `${path}.seed`, { integer: true, min: 0 });
  checkBoolean(context, data.normalize, `${path}.normalize`);
  if (data.shape !== undefined) {
    const shape = data.shape;
    if (
      !Array.isArray(shape) ||
      shape.length !== 3 ||
      shape.some((d) => !Number.isInteger(d) || (d as number) < 1)
    ) {
      fail(context, `${path}.shape`, '[height, width, channels], positive integers', shape);
    }
  }
  if (data.augment !== undefined && typeof data.augment !== 'boolean') {
    const augmentPath = `${path}.augment`;
    const augment = checkObject(context, data.augment, augmentPath);
    checkKeys(context, augment, SPEC_KEYS.augment, augmentPath);
    checkNumber(context, augment.padding, `${augmentPath}.padding`, { integer: true, min: 0 });
    if (!skipped(context, augment.horizontalFlip) && typeof augment.horizontalFlip !== 'boolean')
      fail(context, `${augmentPath}.horizontalFlip`, 'true or false', augment.horizontalFlip);
  }
}

function checkLossWeights(context: Context, value: unknown, path: string): void {
  if (value === undefined) return;
  const weights = checkObject(context, value, path);
  const lossNames = Object.keys(DEFAULT_LOSS_WEIGHTS);
  for (const [loss, weight] of Object.entries(weights)) {
    if (!lossNames.includes(loss)) {
      const suggestion = closestName(loss, lossNames);
      fail(
        context,
        `${path} key '${loss}'`,
        `a loss name${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; valid: ${lossNames.join(', ')}`,
        'an unknown loss',
      );
    }
    checkNumber(context, weight, `${path}.${loss}`, { min: 0 });
  }
}

function checkSeeds(context: Context, value: unknown, path: string): void {
  if (skipped(context, value)) return;
  if (!Array.isArray(value)) fail(context, path, 'a list of non-negative integers', value);
  for (const seed of value) checkNumber(context, seed, path, { integer: true, min: 0 });
}

function checkComparisons(context: Context, value: unknown, path: string): void {
  if (skipped(context, value)) return;
  if (!Array.isArray(value)) fail(context, path, 'a list of { method, reference }', value);
  value.forEach((pair, index) => {
    const at = `${path}[${index}]`;
    const comparison = checkObject(context, pair, at);
    checkKeys(context, comparison, SPEC_KEYS.comparison, at);
    checkString(context, comparison.method, `${at}.method`);
    checkString(context, comparison.reference, `${at}.reference`);
  });
}

/**
 * Checks the structure of a run spec as JSON: every key known (an unknown one is named with
 * the closest valid key), every value of the right type and range, loss weights keyed by loss
 * names. Runs before anything is trained. With `partial`, checks a spec that is merged over a
 * preset afterwards (a `--config` file, a sweep's `config`): only the keys it holds.
 *
 * @example
 * ```ts
 * checkSpecStructure(sweep.config, { path: 'config', partial: true });
 * // throws "geokd-bench: config.studentTraining.epochs must be an integer >= 1, received 0"
 * ```
 *
 * @throws InvalidArgumentError naming the key path, what was expected and what was received.
 */
export function checkSpecStructure(
  spec: unknown,
  options: SpecStructureOptions = {},
): asserts spec is Record<string, unknown> {
  const context: Context = {
    functionName: options.functionName ?? FN,
    partial: options.partial ?? false,
  };
  const path = options.path ?? '';
  const at = (key: string): string => join(path, key);
  const top = checkObject(context, spec, path === '' ? 'spec' : path);
  checkKeys(context, top, options.topKeys ?? SPEC_KEYS.top, path);
  checkString(context, top.preset, at('preset'));
  checkData(context, top.data, at('data'));
  checkModel(context, top.teacher, at('teacher'));
  checkModel(context, top.student, at('student'));
  checkTraining(context, top.teacherTraining, at('teacherTraining'));
  checkTraining(context, top.studentTraining, at('studentTraining'));
  checkStringList(context, top.taps, at('taps'));
  checkStringList(context, top.methods, at('methods'));
  checkSeeds(context, top.seeds, at('seeds'));
  checkComparisons(context, top.primaryComparisons, at('primaryComparisons'));
  checkLossWeights(context, top.lossWeights, at('lossWeights'));
  checkNumber(context, top.heatmapBatchSize, at('heatmapBatchSize'), { integer: true, min: 1 });
  if (top.backend !== undefined)
    checkString(context, top.backend, at('backend'), ['wasm', 'cpu', 'tensorflow', 'webgpu']);
}
