import type { TrainingCheckpointStore } from './training-checkpoint-store';
import type { CommonTrainingOptions } from './training-options';

/**
 * The checkpoint store of a run: the one given, else (only when `checkpointDir` is set) the file
 * store, imported on demand so that the main entry holds no static Node import and a browser
 * bundle never loads it.
 */
export async function loadCheckpointStore(
  options: Pick<CommonTrainingOptions, 'checkpointDir' | 'checkpointStore'>,
): Promise<TrainingCheckpointStore | undefined> {
  if (options.checkpointStore !== undefined) return options.checkpointStore;
  if (options.checkpointDir === undefined) return undefined;
  const { fileCheckpointStore } = await import('./file-checkpoint-store');
  return fileCheckpointStore;
}
