import { SeededRandom } from '@geokd/core';
import { CheckpointError } from './checkpoint-error';
import {
  checkpointTensors,
  restoreLossParameters,
  restoreModel,
  restoreOptimizer,
} from './checkpoint-state';
import { differingKeys } from './stable-stringify';
import type { LossParameterSet } from './loss-parameters';
import type { TrainableModel } from './model-contract';
import type { TrainingOptimizer } from './optimizer';
import type { TrainingCheckpointStore } from './training-checkpoint-store';
import type { EpochRecord } from './training-events';

/** Where a run stands: what a checkpoint saves and a resume restores. */
export interface TrainingRunState {
  /** Draws each epoch's shuffling seed. */
  random: SeededRandom;
  /** Epochs completed. */
  epoch: number;
  /** Optimiser updates completed. */
  globalStep: number;
  /** Wall time before this process took over (a resumed run's earlier time). */
  elapsedBefore: number;
  history: EpochRecord[];
}

/** The fresh state of a run seeded by `seed`. */
export function initialRunState(seed: number): TrainingRunState {
  return { random: new SeededRandom(seed), epoch: 0, globalStep: 0, elapsedBefore: 0, history: [] };
}

/** The checkpointing side of a run: a store and a folder, and the run's configuration. */
export interface RunCheckpoints {
  store: TrainingCheckpointStore;
  directory: string;
  config: Record<string, unknown>;
  hash: string;
}

/**
 * Opens the run's checkpoint folder: refuses to overwrite a checkpoint unless asked, and on
 * `resume` restores the model, the losses' parameters, the optimiser and the run state from it
 * (checking that it was written by the same configuration). Resets the metrics log to the
 * history kept.
 */
export function openCheckpoints(
  checkpoints: RunCheckpoints,
  options: { resume?: boolean; overwrite?: boolean; seed: number },
  target: {
    model: TrainableModel;
    role: string;
    optimizer: TrainingOptimizer;
    lossParameters: LossParameterSet;
  },
  functionName: string,
): TrainingRunState {
  const { store, directory, config, hash } = checkpoints;
  const state = initialRunState(options.seed);
  const found = store.find(directory);
  if (found !== undefined && options.resume !== true && options.overwrite !== true) {
    throw new CheckpointError({
      reason: 'exists',
      path: found,
      message: `${functionName}: checkpointDir ${directory} already holds a checkpoint; pass resume: true to continue it, overwrite: true to replace it, or another folder`,
    });
  }
  if (found !== undefined && options.resume === true) {
    const checkpoint = store.read(found);
    const { manifest } = checkpoint;
    if (manifest.configHash !== hash) {
      const differences = differingKeys(manifest.config, config);
      throw new CheckpointError({
        reason: 'mismatch',
        path: found,
        message: `Checkpoint at ${found} was written by another configuration (differs in: ${differences.join(', ') || 'unknown fields'}). It was left untouched; resume with the same configuration or use another checkpointDir`,
      });
    }
    restoreModel(target.model, checkpoint, target.role);
    restoreLossParameters(target.lossParameters.optimized, checkpoint);
    restoreOptimizer(target.optimizer, checkpoint);
    if (!Array.isArray(manifest.randomState)) {
      throw new CheckpointError({
        reason: 'mismatch',
        path: found,
        message: `Checkpoint at ${found} was written by an earlier @geokd/trainer (another random generator); it cannot be resumed. It was left untouched`,
      });
    }
    state.random = SeededRandom.fromState(manifest.randomState);
    state.epoch = manifest.epoch;
    state.globalStep = manifest.globalStep;
    state.elapsedBefore = manifest.elapsedMs;
    state.history = manifest.history as EpochRecord[];
  }
  store.resetMetrics(directory, state.history);
  return state;
}

/**
 * Writes the run's checkpoint after an epoch and waits until the store is done (a store may
 * read the tensors asynchronously, so nothing may change them before); returns its path.
 */
export async function saveCheckpoint(
  checkpoints: RunCheckpoints,
  state: TrainingRunState,
  target: { model: TrainableModel; optimizer: TrainingOptimizer; lossParameters: LossParameterSet },
  elapsedMs: number,
): Promise<string> {
  const optimizerState = target.optimizer.getState();
  return await checkpoints.store.write(
    checkpoints.directory,
    {
      configHash: checkpoints.hash,
      config: checkpoints.config,
      epoch: state.epoch,
      globalStep: state.globalStep,
      randomState: state.random.getState(),
      optimizer: { name: target.optimizer.name, step: optimizerState.step },
      history: state.history,
      elapsedMs,
    },
    checkpointTensors(target.model, target.lossParameters.optimized, optimizerState.slots),
  );
}
