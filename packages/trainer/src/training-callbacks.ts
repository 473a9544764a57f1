import type { EpochRecord } from './training-events';
import type { TrainingResult } from './training-options';

/** Handed to every callback: `stop()` ends training, as tfjs's `model.stopTraining = true`. */
export interface TrainingControl {
  /**
   * Ends training: after the current step when called from a batch callback (the epoch is then
   * evaluated and recorded, but not checkpointed, being partial), after the current epoch
   * otherwise. The run completes normally, with `stoppedEarly: true`.
   */
  stop(): void;
  /** True once `stop()` was called. */
  readonly stopRequested: boolean;
}

/** Logs of {@link TrainingCallbacks.onTrainBegin}. */
export interface TrainBeginLogs {
  epochs: number;
  /** The first epoch this run trains, counted from 0 (more than 0 when resumed). */
  startEpoch: number;
  stepsPerEpoch: number;
}

/** Logs of {@link TrainingCallbacks.onEpochBegin}. */
export interface EpochBeginLogs {
  learningRate: number;
}

/** Logs of {@link TrainingCallbacks.onBatchBegin}. */
export interface BatchBeginLogs {
  /** Epoch, counted from 0. */
  epoch: number;
  learningRate: number;
}

/** Logs of {@link TrainingCallbacks.onBatchEnd}. */
export interface BatchEndLogs extends BatchBeginLogs {
  /** Weighted total loss of the batch (the one value a step reads back). */
  loss: number;
  /** Updates since the start of training, counted from 1. */
  globalStep: number;
}

type CallbackResult = void | Promise<void>;

/**
 * Callbacks of a training run, shaped like tfjs-layers' `fit` callbacks: epochs and batches are
 * counted from 0, each may be async (training waits for it), and each gets a
 * {@link TrainingControl} whose `stop()` ends training early.
 *
 * @example
 * ```ts
 * // Early stopping: end when the test accuracy has not improved for 3 epochs.
 * let best = 0;
 * let waited = 0;
 * const callbacks: TrainingCallbacks = {
 *   onEpochEnd(_epoch, logs, control) {
 *     if (logs.test.accuracy > best) [best, waited] = [logs.test.accuracy, 0];
 *     else if (++waited >= 3) control.stop();
 *   },
 * };
 * ```
 */
export interface TrainingCallbacks {
  onTrainBegin?(logs: TrainBeginLogs, control: TrainingControl): CallbackResult;
  onTrainEnd?(logs: TrainingResult, control: TrainingControl): CallbackResult;
  onEpochBegin?(epoch: number, logs: EpochBeginLogs, control: TrainingControl): CallbackResult;
  onEpochEnd?(epoch: number, logs: EpochRecord, control: TrainingControl): CallbackResult;
  onBatchBegin?(batch: number, logs: BatchBeginLogs, control: TrainingControl): CallbackResult;
  onBatchEnd?(batch: number, logs: BatchEndLogs, control: TrainingControl): CallbackResult;
}

/** A {@link TrainingControl} whose flag the loop reads. */
export function createTrainingControl(): TrainingControl {
  let stopRequested = false;
  return {
    stop() {
      stopRequested = true;
    },
    get stopRequested() {
      return stopRequested;
    },
  };
}
