import type * as tf from '@tensorflow/tfjs-core';

/** Options the trainer passes to {@link TrainingDataset.batches}. */
export interface TrainingBatchOptions {
  /** Examples per batch. */
  batchSize: number;
  /** Shuffle the order (seeded by `seed`). */
  shuffle?: boolean;
  /** Seed of the shuffling and augmentation. */
  seed?: number;
  /** Drop the last, incomplete batch. */
  dropLast?: boolean;
  /** Data augmentation: `true` for the dataset's default, or dataset-specific options. */
  augment?: boolean | Record<string, unknown>;
  /** Standardise with the dataset's mean and standard deviation. */
  normalize?: boolean;
}

/** One batch: images NHWC and int32 labels. */
export interface TrainingBatch {
  /** Images, shape `[batch, H, W, C]`. */
  x: tf.Tensor4D;
  /** Integer class labels, shape `[batch]`. */
  y: tf.Tensor1D;
}

/**
 * The dataset the trainer reads: structurally the `Dataset` of `@geokd/datasets` (only the
 * members the trainer uses).
 */
export interface TrainingDataset {
  /** Number of examples. */
  readonly count: number;
  /** Number of classes. */
  readonly numClasses: number;
  /** Image shape `[H, W, C]`. */
  readonly shape: readonly [number, number, number];
  /** Per-channel statistics for standardisation, when the dataset has them. */
  readonly normalization?: { mean: readonly number[]; std: readonly number[] };
  /** Iterates over batches; the trainer disposes every batch it receives. */
  batches(options: TrainingBatchOptions): Iterable<TrainingBatch>;
}
