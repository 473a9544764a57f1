import { UnknownNameError } from '@geokd/errors';
import type { BenchSpec } from './bench-spec';

/** The methods of the paper's comparison table, in table order. */
export const TABLE_METHODS: readonly string[] = [
  'baseline',
  'hinton',
  'rkd-distance',
  'rkd-angle',
  'similarity-preserving',
  'gkd-dense',
  'gkd-knn',
  'gkd-intra',
  'gkd-hinton',
];

const adam = (learningRate: number) => ({ type: 'adam', learningRate });

/**
 * `default`: what `pnpm bench` runs. Embedded MNIST (offline), an MLP teacher and a
 * narrower MLP student, every method of the table over three seeds. Sized from measured step
 * times on a 2-core machine with wasm (student step ~28 ms, teacher step ~85 ms at batch 64;
 * ~50 ms per distillation step expected): about 8–10 minutes, under the 20-minute budget.
 */
const defaultPreset: BenchSpec = {
  preset: 'default',
  data: { kind: 'mnist-embedded', trainSize: 4000, testSize: 2000, normalize: true, seed: 0 },
  // MLPs keep the default run within minutes on 2 cores; `--config` can swap in small-cnn-*,
  // which learns MNIST too (small-cnn-8-16: ~94 % train accuracy on 2,000 digits in 2 epochs).
  teacher: { name: 'mlp', options: { hidden: [256, 128], numClasses: 10 } },
  student: { name: 'mlp', options: { hidden: [32, 16], numClasses: 10 } },
  teacherTraining: {
    epochs: 6,
    batchSize: 64,
    optimizer: adam(0.002),
    schedule: { type: 'constant' },
  },
  studentTraining: {
    epochs: 5,
    batchSize: 64,
    optimizer: adam(0.002),
    schedule: { type: 'constant' },
  },
  taps: [],
  methods: [...TABLE_METHODS],
  seeds: [1, 2, 3],
  heatmapBatchSize: 50,
};

/** `quick`: the same pipeline, tiny (used by CI and the bench's own test). */
const quickPreset: BenchSpec = {
  ...defaultPreset,
  preset: 'quick',
  data: { kind: 'mnist-embedded', trainSize: 512, testSize: 200, normalize: true, seed: 0 },
  teacher: { name: 'mlp', options: { hidden: [64, 32], numClasses: 10 } },
  student: { name: 'mlp', options: { hidden: [16, 8], numClasses: 10 } },
  teacherTraining: {
    ...defaultPreset.teacherTraining,
    epochs: 2,
    batchSize: 32,
    optimizer: adam(0.005),
  },
  studentTraining: {
    ...defaultPreset.studentTraining,
    epochs: 2,
    batchSize: 32,
    optimizer: adam(0.005),
  },
  seeds: [1, 2],
  heatmapBatchSize: 30,
};

const sgdPaper = { type: 'sgd', learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4 };
const multistepPaper = { type: 'multi-step', milestones: [0.3, 0.6, 0.8], gamma: 0.2 };

/**
 * `paper-cifar10`: the paper's setting. WRN-28-1 teacher, WRN-28-0.5 student, CIFAR-10 with
 * random crop and flip, batch 128, SGD 0.1 (momentum 0.9, weight decay 5e-4, ×0.2 at 30/60/80 %),
 * 200 epochs, GKD λ = 25 on the three stage taps, RKD-D λ = 25. Needs `--data-dir` with
 * `cifar-10-binary.tar.gz`, or `--data synthetic` for a smoke run.
 */
const paperCifar10Preset: BenchSpec = {
  preset: 'paper-cifar10',
  data: { kind: 'cifar10', augment: true, normalize: true, seed: 0 },
  teacher: { name: 'wrn-28-1', options: { numClasses: 10 } },
  student: { name: 'wrn-28-0.5', options: { numClasses: 10 } },
  teacherTraining: { epochs: 200, batchSize: 128, optimizer: sgdPaper, schedule: multistepPaper },
  studentTraining: { epochs: 200, batchSize: 128, optimizer: sgdPaper, schedule: multistepPaper },
  taps: ['stage1', 'stage2', 'pool'],
  methods: [...TABLE_METHODS],
  seeds: [1, 2, 3],
  lossWeights: { gkd: 25, 'rkd-distance': 25 },
  heatmapBatchSize: 60,
};

const PRESETS: Readonly<Record<string, BenchSpec>> = {
  default: defaultPreset,
  quick: quickPreset,
  'paper-cifar10': paperCifar10Preset,
};

/** Names of the presets. */
export function listPresets(): string[] {
  return Object.keys(PRESETS);
}

/**
 * A deep copy of the preset named `name`.
 *
 * @throws UnknownNameError when there is no such preset.
 */
export function getPreset(name: string): BenchSpec {
  const preset = PRESETS[name];
  if (preset === undefined) {
    throw new UnknownNameError({ kind: 'preset', name, validNames: listPresets() });
  }
  return structuredClone(preset);
}
