import fs from 'node:fs';
import { InvalidArgumentError } from '@geokd/errors';
import type { BenchSpec } from './bench-spec';
import { getPreset } from './presets';
import { getMethod } from './registry';
import { checkSpecStructure } from './spec-schema';

/** Command-line overrides of a preset (all optional). */
export interface SpecOverrides {
  /** Preset to start from. @default 'default' */
  preset?: string;
  /** Path of a JSON file with a whole or partial {@link BenchSpec}, merged over the preset. */
  configFile?: string;
  /** Epochs of both the teacher and the students. */
  epochs?: number;
  /** Seeds (a list), or a count N meaning seeds 1..N. */
  seeds?: number[];
  /** Methods to compare. */
  methods?: string[];
  /** Batch size of both the teacher and the students. */
  batchSize?: number;
  /** Backend to force. */
  backend?: string;
  /** Folder with the dataset files. */
  dataDir?: string;
  /** `synthetic` replaces the preset's dataset by generated data of the same shape. */
  data?: string;
  /** Steps per epoch limit (smoke runs). */
  maxSteps?: number;
  /** Training examples kept. */
  trainSize?: number;
  /** Test examples kept. */
  testSize?: number;
}

const BACKENDS = ['wasm', 'cpu', 'tensorflow', 'webgpu'] as const;
const DATA_KINDS = ['mnist-embedded', 'cifar10', 'synthetic'] as const;
const FN = 'geokd-bench';

type PlainObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep merge of plain objects: arrays and scalars of `override` replace those of `base`. */
export function mergeDeep<T>(base: T, override: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(override)) {
    return (override === undefined ? base : override) as T;
  }
  const result: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    result[key] = key in result ? mergeDeep(result[key], value) : value;
  }
  return result as T;
}

/**
 * A partial run spec (a `--config` file, a sweep's `config`) merged over a whole one: plain
 * objects deep, arrays and scalars replaced, and an optimiser or schedule of another `type`
 * replaces the base's whole (its keys differ).
 */
export function mergeSpec(base: BenchSpec, partial: PlainObject): BenchSpec {
  const spec = mergeDeep(base, partial);
  for (const phase of ['teacherTraining', 'studentTraining'] as const) {
    const partialTraining = partial[phase];
    if (!isPlainObject(partialTraining)) continue;
    for (const part of ['optimizer', 'schedule'] as const) {
      const partialPart = partialTraining[part];
      if (
        isPlainObject(partialPart) &&
        partialPart.type !== undefined &&
        partialPart.type !== base[phase][part].type
      ) {
        spec[phase][part] = structuredClone(partialPart);
      }
    }
  }
  return spec;
}

function readConfigFile(path: string): unknown {
  if (!fs.existsSync(path)) {
    throw new InvalidArgumentError({
      functionName: FN,
      argument: '--config',
      expected: 'an existing JSON file',
      received: `'${path}' (not found)`,
    });
  }
  try {
    return JSON.parse(fs.readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new InvalidArgumentError({
      functionName: FN,
      argument: '--config',
      expected: 'a JSON file',
      received: `'${path}' (${(cause as Error).message})`,
      cause,
    });
  }
}

function checkPositiveInteger(value: number | undefined, argument: string): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidArgumentError({
      functionName: FN,
      argument,
      expected: 'an integer >= 1',
      received: String(value),
    });
  }
}

/**
 * The run spec: the preset, then the config file, then the command-line overrides, validated.
 *
 * @throws InvalidArgumentError for a bad value (epochs <= 0, missing data dir of a file-based
 *   dataset, ...), naming the option, what was expected and what was received.
 * @throws UnknownNameError for an unknown preset, method or backend (suggesting the closest).
 */
export function resolveSpec(overrides: SpecOverrides): BenchSpec {
  let spec = getPreset(overrides.preset ?? 'default');
  if (overrides.configFile !== undefined) {
    const fromFile = readConfigFile(overrides.configFile);
    if (!isPlainObject(fromFile)) {
      throw new InvalidArgumentError({
        functionName: FN,
        argument: '--config',
        expected: 'a JSON object (a whole or partial run spec)',
        received: Array.isArray(fromFile) ? 'an array' : typeof fromFile,
      });
    }
    if (typeof fromFile.preset === 'string' && overrides.preset === undefined) {
      spec = getPreset(fromFile.preset);
    }
    spec = mergeSpec(spec, fromFile);
  }
  if (overrides.epochs !== undefined) {
    spec.teacherTraining.epochs = overrides.epochs;
    spec.studentTraining.epochs = overrides.epochs;
  }
  if (overrides.batchSize !== undefined) {
    spec.teacherTraining.batchSize = overrides.batchSize;
    spec.studentTraining.batchSize = overrides.batchSize;
  }
  if (overrides.maxSteps !== undefined) {
    spec.teacherTraining.maxSteps = overrides.maxSteps;
    spec.studentTraining.maxSteps = overrides.maxSteps;
  }
  if (overrides.seeds !== undefined) spec.seeds = overrides.seeds;
  if (overrides.methods !== undefined) spec.methods = overrides.methods;
  if (overrides.backend !== undefined) spec.backend = overrides.backend as BenchSpec['backend'];
  if (overrides.dataDir !== undefined) spec.data.dataDir = overrides.dataDir;
  if (overrides.trainSize !== undefined) spec.data.trainSize = overrides.trainSize;
  if (overrides.testSize !== undefined) spec.data.testSize = overrides.testSize;
  if (overrides.data !== undefined) {
    if (overrides.data !== 'synthetic') {
      throw new InvalidArgumentError({
        functionName: FN,
        argument: '--data',
        expected: "'synthetic'",
        received: `'${overrides.data}'`,
      });
    }
    spec.data = syntheticLike(spec);
  }
  validateSpec(spec);
  return spec;
}

/** Synthetic data shaped like the preset's dataset (CIFAR: 32×32×3; MNIST: 28×28×1). */
function syntheticLike(spec: BenchSpec): BenchSpec['data'] {
  const shape: [number, number, number] = spec.data.kind === 'cifar10' ? [32, 32, 3] : [28, 28, 1];
  return {
    ...spec.data,
    kind: 'synthetic',
    shape: spec.data.shape ?? shape,
    numClasses: spec.data.numClasses ?? 10,
    trainSize: spec.data.trainSize ?? 1024,
    testSize: spec.data.testSize ?? 256,
  };
}

/**
 * Checks a spec (from a preset, a config file or the command line).
 *
 * @throws InvalidArgumentError / UnknownNameError as {@link resolveSpec}.
 */
export function validateSpec(spec: BenchSpec): void {
  checkSpecStructure(spec);
  for (const [phase, training] of [
    ['teacher', spec.teacherTraining],
    ['student', spec.studentTraining],
  ] as const) {
    if (!Number.isInteger(training.epochs) || training.epochs < 1) {
      throw new InvalidArgumentError({
        functionName: FN,
        argument: '--epochs',
        expected: 'an integer >= 1',
        received: `${training.epochs} (${phase} epochs)`,
      });
    }
    checkPositiveInteger(training.batchSize, '--batch-size');
    checkPositiveInteger(training.maxSteps, '--max-steps');
  }
  checkPositiveInteger(spec.data.trainSize, '--train-size');
  checkPositiveInteger(spec.data.testSize, '--test-size');
  checkPositiveInteger(spec.heatmapBatchSize, 'heatmapBatchSize');
  if (spec.seeds.length === 0) {
    throw new InvalidArgumentError({
      functionName: FN,
      argument: '--seeds',
      expected: 'a count >= 1 or a list of integer seeds',
      received: 'an empty list',
    });
  }
  for (const seed of spec.seeds) {
    if (!Number.isInteger(seed) || seed < 0) {
      throw new InvalidArgumentError({
        functionName: FN,
        argument: '--seeds',
        expected: 'non-negative integers',
        received: String(seed),
      });
    }
  }
  const repeated = spec.seeds.find((seed, index) => spec.seeds.indexOf(seed) !== index);
  if (repeated !== undefined) {
    throw new InvalidArgumentError({
      functionName: FN,
      argument: '--seeds',
      expected: 'distinct seeds (a repeated seed is the same run twice, not a new sample)',
      received: `${spec.seeds.join(',')} (${repeated} repeated)`,
    });
  }
  if (spec.methods.length === 0) {
    throw new InvalidArgumentError({
      functionName: FN,
      argument: '--methods',
      expected: 'at least one method',
      received: 'an empty list',
    });
  }
  for (const method of spec.methods) getMethod(method);
  if (new Set(spec.methods).size !== spec.methods.length) {
    throw new InvalidArgumentError({
      functionName: FN,
      argument: '--methods',
      expected: 'distinct method names',
      received: spec.methods.join(','),
    });
  }
  for (const pair of spec.primaryComparisons) {
    getMethod(pair.method);
    getMethod(pair.reference);
  }
  if (spec.backend !== undefined && !(BACKENDS as readonly string[]).includes(spec.backend)) {
    throw new InvalidArgumentError({
      functionName: FN,
      argument: '--backend',
      expected: `one of ${BACKENDS.join(', ')}`,
      received: `'${spec.backend}'`,
    });
  }
  if (!(DATA_KINDS as readonly string[]).includes(spec.data.kind)) {
    throw new InvalidArgumentError({
      functionName: FN,
      argument: 'data.kind',
      expected: `one of ${DATA_KINDS.join(', ')}`,
      received: `'${spec.data.kind}'`,
    });
  }
  if (spec.data.kind === 'cifar10') {
    if (spec.data.dataDir === undefined) {
      throw new InvalidArgumentError({
        functionName: FN,
        argument: '--data-dir',
        expected:
          'a folder holding cifar-10-binary.tar.gz (the cifar10 dataset is read from files; or pass --data synthetic)',
        received: 'nothing',
      });
    }
    if (!fs.existsSync(spec.data.dataDir) || !fs.statSync(spec.data.dataDir).isDirectory()) {
      throw new InvalidArgumentError({
        functionName: FN,
        argument: '--data-dir',
        expected: 'an existing folder',
        received: `'${spec.data.dataDir}' (not found)`,
      });
    }
  }
}

/** Parses `--seeds`: a count N (seeds 1..N) or a comma-separated list of seeds. */
export function parseSeeds(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const numbers = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : Number.NaN));
  if (numbers.some((value) => Number.isNaN(value))) {
    throw new InvalidArgumentError({
      functionName: FN,
      argument: '--seeds',
      expected: 'a count N or a comma-separated list of non-negative integers',
      received: `'${text}'`,
    });
  }
  if (parts.length === 1) {
    const count = numbers[0]!;
    if (count < 1) {
      throw new InvalidArgumentError({
        functionName: FN,
        argument: '--seeds',
        expected: 'a count >= 1 or a list of seeds',
        received: `'${text}'`,
      });
    }
    return Array.from({ length: count }, (_, index) => index + 1);
  }
  return numbers;
}
