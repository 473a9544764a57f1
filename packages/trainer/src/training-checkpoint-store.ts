import type * as tf from '@tensorflow/tfjs-core';
import type { CheckpointContents, LoadedCheckpoint } from './checkpoint-store';
import type { EpochRecord } from './training-events';

/**
 * Where a training run keeps its checkpoints and metrics log. The training loop receives one
 * (it imports no file system): `@geokd/trainer/node` provides {@link fileCheckpointStore},
 * which `trainTeacher` and `distill` load by themselves in Node when `checkpointDir` is given.
 * A browser application may pass its own (e.g. over IndexedDB) as `checkpointStore`.
 */
export interface TrainingCheckpointStore {
  /** The checkpoint in `directory`, or `undefined` when there is none. */
  find(directory: string): string | undefined;
  /** Reads the checkpoint at `path` (from {@link TrainingCheckpointStore.find}). */
  read(path: string): LoadedCheckpoint;
  /**
   * Writes a checkpoint into `directory` without ever losing the previous one; returns its path,
   * or a promise of it. The trainer awaits the result before it changes any of `tensors` (they
   * are the live model, loss and optimiser variables), so an implementation may read them
   * asynchronously with `await tensor.data()`, which every backend supports (`dataSync` throws
   * on WebGPU in Node). Synchronous implementations (returning the path) are still accepted.
   */
  write(
    directory: string,
    contents: CheckpointContents,
    tensors: Record<string, tf.Tensor>,
  ): string | Promise<string>;
  /** A stable hash of a run's configuration, stored in each checkpoint. */
  hashConfig(config: Record<string, unknown>): string;
  /** Starts the metrics log of `directory` with `records` (the epochs a resumed run keeps). */
  resetMetrics(directory: string, records: readonly EpochRecord[]): void;
  /** Appends one epoch to the metrics log of `directory`. */
  appendMetrics(directory: string, record: EpochRecord): void;
}
