// The Node-only entry of @geokd/trainer ('@geokd/trainer/node'): everything that touches the file
// system or a terminal. The main entry stays browser-safe.
export {
  CHECKPOINT_FOLDER,
  type CheckpointContents,
  type CheckpointManifest,
  findCheckpoint,
  type LoadedCheckpoint,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint-store';
export { type ConsoleReporterOptions, createConsoleReporter } from './console-reporter';
export { fileCheckpointStore } from './file-checkpoint-store';
export { readMetricsLog } from './metrics-log';
