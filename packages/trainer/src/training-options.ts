import type { OptimizerOptions } from './create-optimizer';
import type { TrainingDataset } from './dataset-contract';
import type { LearningRateSchedule } from './learning-rate-schedule';
import type { TrainingCallbacks } from './training-callbacks';
import type { TrainingCheckpointStore } from './training-checkpoint-store';
import type { EpochRecord, EvaluationMetrics, TrainingEventHandler } from './training-events';

/** Options shared by {@link trainTeacher} and {@link distill}. */
export interface CommonTrainingOptions {
  /** Training and test sets (structurally `@geokd/datasets`' `Dataset`). */
  data: { train: TrainingDataset; test: TrainingDataset };
  /** Epochs of the whole run (a resumed run counts the epochs already done). */
  epochs: number;
  /** Seed of shuffling and augmentation (model initialisation is seeded by the model factory). */
  seed: number;
  /** Examples per step; the last incomplete batch of an epoch is dropped. @default 64 */
  batchSize?: number;
  /** Examples per forward pass when evaluating. @default 256 */
  evalBatchSize?: number;
  /** Optimiser and its hyper-parameters. @default { type: 'sgd' } (lr 0.1, momentum 0.9, decay 5e-4) */
  optimizer?: OptimizerOptions;
  /** Learning-rate schedule. @default { type: 'multi-step' } (×0.2 at 30/60/80 % of the epochs) */
  schedule?: LearningRateSchedule;
  /** Weight of the cross-entropy on the labels. @default 1 */
  crossEntropyWeight?: number;
  /** Training-set augmentation, handed to `Dataset.batches`. @default false */
  augment?: boolean | Record<string, unknown>;
  /** Standardise inputs with the dataset's statistics. @default true when `data.train.normalization` exists */
  normalize?: boolean;
  /**
   * Folder for per-epoch checkpoints and `metrics.jsonl`. Without it nothing is written.
   * @default undefined
   */
  checkpointDir?: string;
  /** Continue from the last complete checkpoint in `checkpointDir` (if any). @default false */
  resume?: boolean;
  /** Start afresh even though `checkpointDir` holds a checkpoint, replacing it. @default false */
  overwrite?: boolean;
  /**
   * Where checkpoints and the metrics log go when `checkpointDir` is given.
   * @default the file store of `@geokd/trainer/node` (`fileCheckpointStore`), loaded on demand
   */
  checkpointStore?: TrainingCheckpointStore;
  /** Receives progress events; see `createConsoleReporter` (`@geokd/trainer/node`). @default undefined */
  onEvent?: TrainingEventHandler;
  /**
   * Callbacks shaped like tfjs-layers' `fit` callbacks (`onEpochEnd`, `onBatchEnd`, …), each
   * able to end training early through `control.stop()`. @default undefined
   */
  callbacks?: TrainingCallbacks;
  /** Stops training between steps when aborted (the last checkpoint is kept). @default undefined */
  signal?: AbortSignal;
}

/** What {@link trainTeacher} and {@link distill} return. */
export interface TrainingResult {
  /** One record per epoch (including epochs restored from a checkpoint). */
  history: EpochRecord[];
  /** Test metrics after the last epoch. */
  test: EvaluationMetrics;
  /** Wall time of the whole run in milliseconds, including time before a resume. */
  durationMs: number;
  /** The tfjs backend that ran it. */
  backend: string;
  /** Epochs restored from a checkpoint (0 for a fresh run). */
  resumedEpochs: number;
  /** True when a callback ended training before `epochs` (see {@link TrainingCallbacks}). */
  stoppedEarly?: boolean;
}
