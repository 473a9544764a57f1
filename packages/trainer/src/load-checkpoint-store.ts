import type { TrainingCheckpointStore } from './training-checkpoint-store';
import type { CommonTrainingOptions } from './training-options';

// The file store's module path, in a variable: bundlers (Vite, Rollup, webpack) then leave the
// import alone, so a browser build never sees its Node imports; Node resolves it beside this
// module (src/ under vitest, dist/, where tsup builds it as its own entry).
const fileStoreModule = './file-checkpoint-store.js';

/**
 * The checkpoint store of a run: the one given, else (only when `checkpointDir` is set) the file
 * store, imported on demand so that the main entry holds no Node import a bundler would follow.
 */
export async function loadCheckpointStore(
  options: Pick<CommonTrainingOptions, 'checkpointDir' | 'checkpointStore'>,
): Promise<TrainingCheckpointStore | undefined> {
  if (options.checkpointStore !== undefined) return options.checkpointStore;
  if (options.checkpointDir === undefined) return undefined;
  const module = (await import(
    /* @vite-ignore */ /* webpackIgnore: true */ fileStoreModule
  )) as typeof import('./file-checkpoint-store');
  return module.fileCheckpointStore;
}
