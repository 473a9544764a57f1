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

function fail(argument: string, expected: string, received: unknown): never {
  throw new InvalidArgumentError({
    functionName: FN,
    argument,
    expected,
    received:
      typeof received === 'string'
        ? `'${received}'`
        : (JSON.stringify(received) ?? String(received)),
  });
}

/** Rejects a key of `object` outside `valid`, naming it, its path and the closest valid key. */
function checkKeys(object: Plain, valid: readonly string[], path: string): void {
  for (const key of Object.keys(object)) {
    if (valid.includes(key)) continue;
    const suggestion = closestName(key, valid);
    const where = path === '' ? key : `${path}.${key}`;
    fail(
      `spec key '${where}'`,
      `a known key${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; valid keys${path === '' ? '' : ` of ${path}`}: ${valid.join(', ')}`,
      'an unknown key',
    );
  }
}

function checkObject(value: unknown, path: string): Plain {
  if (!isPlain(value)) fail(path, 'a JSON object', value);
  return value;
}

function checkNumber(
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
  if (value === undefined && rule.optional) return;
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const range = [
    rule.min !== undefined ? `${rule.exclusiveMin ? '>' : '>='} ${rule.min}` : '',
    rule.max !== undefined ? `<= ${rule.max}` : '',
  ]
    .filter((part) => part !== '')
    .join(' and ');
  const expected = range === '' ? kind : `${kind} ${range}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, expected, value);
  if (rule.integer && !Number.isInteger(value)) fail(path, expected, value);
  if (rule.min !== undefined && (rule.exclusiveMin ? value <= rule.min : value < rule.min)) {
    fail(path, expected, value);
  }
  if (rule.max !== undefined && value > rule.max) fail(path, expected, value);
}

function checkString(value: unknown, path: string, choices?: readonly string[]): void {
  if (typeof value !== 'string')
    fail(path, choices ? `one of ${choices.join(', ')}` : 'a string', value);
  if (choices && !choices.includes(value)) {
    const suggestion = closestName(value, choices);
    fail(
      path,
      `one of ${choices.join(', ')}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`,
      value,
    );
  }
}

function checkBoolean(value: unknown, path: string): void {
  if (value !== undefined && typeof value !== 'boolean') fail(path, 'true or false', value);
}

function checkStringList(value: unknown, path: string): void {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    fail(path, 'a list of strings', value);
  }
}

function checkOptimizer(value: unknown, path: string): void {
  const optimizer = checkObject(value, path);
  checkString(optimizer.type, `${path}.type`, ['sgd', 'adam']);
  const type = optimizer.type as 'sgd' | 'adam';
  checkKeys(optimizer, SPEC_KEYS[type], path);
  checkNumber(optimizer.learningRate, `${path}.learningRate`, {
    min: 0,
    exclusiveMin: true,
    optional: true,
  });
  checkNumber(optimizer.weightDecay, `${path}.weightDecay`, { min: 0, optional: true });
  if (type === 'sgd') {
    checkNumber(optimizer.momentum, `${path}.momentum`, { min: 0, max: 1, optional: true });
    checkBoolean(optimizer.nesterov, `${path}.nesterov`);
    checkBoolean(optimizer.decayAllParameters, `${path}.decayAllParameters`);
    if (optimizer.weightDecayMode !== undefined) {
      checkString(optimizer.weightDecayMode, `${path}.weightDecayMode`, ['decoupled', 'l2']);
    }
    if (optimizer.weightDecayParameters !== undefined) {
      checkString(optimizer.weightDecayParameters, `${path}.weightDecayParameters`, [
        'weights-only',
        'all',
      ]);
    }
  } else {
    checkNumber(optimizer.beta1, `${path}.beta1`, { min: 0, max: 1, optional: true });
    checkNumber(optimizer.beta2, `${path}.beta2`, { min: 0, max: 1, optional: true });
    checkNumber(optimizer.epsilon, `${path}.epsilon`, {
      min: 0,
      exclusiveMin: true,
      optional: true,
    });
  }
}

function checkSchedule(value: unknown, path: string): void {
  const schedule = checkObject(value, path);
  checkString(schedule.type, `${path}.type`, ['multi-step', 'cosine', 'constant']);
  const type = schedule.type as 'multi-step' | 'cosine' | 'constant';
  checkKeys(schedule, SPEC_KEYS[type], path);
  checkNumber(schedule.warmupEpochs, `${path}.warmupEpochs`, { min: 0, optional: true });
  if (type === 'multi-step') {
    const milestones = schedule.milestones;
    if (milestones !== undefined) {
      const valid =
        Array.isArray(milestones) &&
        milestones.every(
          (m, i) =>
            typeof m === 'number' &&
            m > 0 &&
            m < 1 &&
            (i === 0 || m > (milestones[i - 1] as number)),
        );
      if (!valid)
        fail(`${path}.milestones`, 'ascending fractions of the epochs in (0, 1)', milestones);
    }
    checkNumber(schedule.gamma, `${path}.gamma`, { min: 0, exclusiveMin: true, optional: true });
  }
  if (type === 'cosine')
    checkNumber(schedule.minLearningRate, `${path}.minLearningRate`, { min: 0, optional: true });
}

function checkTraining(value: unknown, path: string): void {
  const training = checkObject(value, path);
  checkKeys(training, SPEC_KEYS.training, path);
  checkNumber(training.epochs, `${path}.epochs`, { integer: true, min: 1 });
  checkNumber(training.batchSize, `${path}.batchSize`, { integer: true, min: 1 });
  checkNumber(training.maxSteps, `${path}.maxSteps`, { integer: true, min: 1, optional: true });
  checkOptimizer(training.optimizer, `${path}.optimizer`);
  checkSchedule(training.schedule, `${path}.schedule`);
}

function checkModel(value: unknown, path: string): void {
  const model = checkObject(value, path);
  checkKeys(model, SPEC_KEYS.model, path);
  checkString(model.name, `${path}.name`);
  checkObject(model.options, `${path}.options`);
}

function checkData(value: unknown): void {
  const data = checkObject(value, 'data');
  checkKeys(data, SPEC_KEYS.data, 'data');
  checkString(data.kind, 'data.kind', ['mnist-embedded', 'cifar10', 'synthetic']);
  if (data.dataDir !== undefined) checkString(data.dataDir, 'data.dataDir');
  for (const key of ['trainSize', 'testSize', 'studentTrainSize', 'numClasses'] as const) {
    checkNumber(data[key], `data.${key}`, { integer: true, min: 1, optional: true });
  }
  checkNumber(data.testFraction, 'data.testFraction', {
    min: 0,
    exclusiveMin: true,
    max: 0.99,
    optional: true,
  });
  checkNumber(data.seed, 'data.seed', { integer: true, min: 0 });
  checkBoolean(data.normalize, 'data.normalize');
  if (data.shape !== undefined) {
    const shape = data.shape;
    if (
      !Array.isArray(shape) ||
      shape.length !== 3 ||
      shape.some((d) => !Number.isInteger(d) || (d as number) < 1)
    ) {
      fail('data.shape', '[height, width, channels], positive integers', shape);
    }
  }
  if (data.augment !== undefined && typeof data.augment !== 'boolean') {
    const augment = checkObject(data.augment, 'data.augment');
    checkKeys(augment, SPEC_KEYS.augment, 'data.augment');
    checkNumber(augment.padding, 'data.augment.padding', { integer: true, min: 0 });
    if (typeof augment.horizontalFlip !== 'boolean')
      fail('data.augment.horizontalFlip', 'true or false', augment.horizontalFlip);
  }
}

/**
 * Checks the structure of a run spec as JSON: every key known (an unknown one is named with
 * the closest valid key), every value of the right type and range, loss weights keyed by loss
 * names. Runs before anything is trained.
 *
 * @throws InvalidArgumentError naming the key path, what was expected and what was received.
 */
export function checkSpecStructure(spec: unknown): void {
  const top = checkObject(spec, 'spec');
  checkKeys(top, SPEC_KEYS.top, '');
  checkString(top.preset, 'preset');
  checkData(top.data);
  checkModel(top.teacher, 'teacher');
  checkModel(top.student, 'student');
  checkTraining(top.teacherTraining, 'teacherTraining');
  checkTraining(top.studentTraining, 'studentTraining');
  checkStringList(top.taps, 'taps');
  checkStringList(top.methods, 'methods');
  if (!Array.isArray(top.seeds)) fail('seeds', 'a list of non-negative integers', top.seeds);
  for (const seed of top.seeds) checkNumber(seed, 'seeds', { integer: true, min: 0 });
  if (!Array.isArray(top.primaryComparisons)) {
    fail('primaryComparisons', 'a list of { method, reference }', top.primaryComparisons);
  }
  top.primaryComparisons.forEach((pair, index) => {
    const comparison = checkObject(pair, `primaryComparisons[${index}]`);
    checkKeys(comparison, SPEC_KEYS.comparison, `primaryComparisons[${index}]`);
    checkString(comparison.method, `primaryComparisons[${index}].method`);
    checkString(comparison.reference, `primaryComparisons[${index}].reference`);
  });
  if (top.lossWeights !== undefined) {
    const weights = checkObject(top.lossWeights, 'lossWeights');
    const lossNames = Object.keys(DEFAULT_LOSS_WEIGHTS);
    for (const [loss, weight] of Object.entries(weights)) {
      if (!lossNames.includes(loss)) {
        const suggestion = closestName(loss, lossNames);
        fail(
          `lossWeights key '${loss}'`,
          `a loss name${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; valid: ${lossNames.join(', ')}`,
          'an unknown loss',
        );
      }
      checkNumber(weight, `lossWeights.${loss}`, { min: 0 });
    }
  }
  checkNumber(top.heatmapBatchSize, 'heatmapBatchSize', { integer: true, min: 1 });
  if (top.backend !== undefined)
    checkString(top.backend, 'backend', ['wasm', 'cpu', 'tensorflow', 'webgpu']);
}
