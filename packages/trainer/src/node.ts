/**
 * The Node-only entry of `@geokd/trainer` (`import { fileCheckpointStore } from
 * '@geokd/trainer/node'`): everything that touches the file system or a terminal, the file
 * checkpoint store (with resume), the checkpoint reader and writer, the metrics log reader and
 * the console progress reporter. The main entry stays browser-safe.
 *
 * @packageDocumentation
 */
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
