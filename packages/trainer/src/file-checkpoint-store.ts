import { findCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint-store';
import { configHash } from './config-hash';
import { appendMetrics, resetMetricsLog } from './metrics-log';
import type { TrainingCheckpointStore } from './training-checkpoint-store';

/**
 * The Node checkpoint store: a `checkpoint/` folder (manifest and tensors, written to a temporary
 * folder then renamed) and a `metrics.jsonl` log in the run's `checkpointDir`.
 */
export const fileCheckpointStore: TrainingCheckpointStore = {
  find: findCheckpoint,
  read: readCheckpoint,
  write: writeCheckpoint,
  hashConfig: configHash,
  resetMetrics: resetMetricsLog,
  appendMetrics,
};
