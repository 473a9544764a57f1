import * as tf from '@tensorflow/tfjs-core';
import { evaluateModel } from './evaluate-model';
import { learningRateAt, type LearningRateSchedule } from './learning-rate-schedule';
import { CROSS_ENTROPY_TERM } from './loss-terms';
import type { TrainableModel } from './model-contract';
import { NonFiniteLossError } from './non-finite-loss-error';
import { TrainingAbortedError } from './training-aborted-error';
import type { TrainingCallbacks, TrainingControl } from './training-callbacks';
import type { TrainingDataset } from './dataset-contract';
import type { EpochRecord, TrainingEvent } from './training-events';
import { fail } from './training-validation';
import type { TrainingRunState } from './training-run-state';
import type { TrainingStep } from './training-step';

/** What {@link runEpoch} needs, fixed for the whole run. */
export interface EpochPlan {
  functionName: string;
  student: TrainableModel;
  step: TrainingStep;
  data: { train: TrainingDataset; test: TrainingDataset };
  epochs: number;
  batchSize: number;
  evalBatchSize: number;
  stepsPerEpoch: number;
  schedule: LearningRateSchedule;
  baseLearningRate: number;
  augment: boolean | Record<string, unknown>;
  normalize: boolean;
  signal?: AbortSignal;
  callbacks: TrainingCallbacks;
  control: TrainingControl;
  emit(event: TrainingEvent): void;
  /**
   * The folder of the last complete checkpoint, or `undefined` when none was written (or the run
   * keeps none): a {@link NonFiniteLossError} names it.
   */
  lastCheckpoint(): string | undefined;
}

/** What one epoch produced. */
export interface EpochOutcome {
  record: EpochRecord;
  /** False when a callback stopped training within the epoch. */
  complete: boolean;
}

// Lets progress handlers, callbacks and abort signals run between steps; setTimeout where there is
// no setImmediate (browsers).
const yieldToEventLoop = () =>
  new Promise<void>((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/**
 * Trains one epoch (`epoch` counted from 0) and evaluates the student on the test set. Each step
 * reads back only its total loss; the terms and correct counts add up on the backend and are
 * read once, at the end of the epoch. Advances `state` (its generator and step counter).
 */
export async function runEpoch(
  plan: EpochPlan,
  state: TrainingRunState,
  epoch: number,
): Promise<EpochOutcome> {
  const { step, emit, callbacks, control, stepsPerEpoch } = plan;
  const epochStart = performance.now();
  const epochSeed = state.random.nextUint32();
  const position = { epoch, step: 0, stepsPerEpoch, epochs: plan.epochs };
  const epochLearningRate = learningRateAt(plan.schedule, plan.baseLearningRate, position);
  emit({
    type: 'epoch-start',
    epoch: epoch + 1,
    epochs: plan.epochs,
    stepsPerEpoch,
    learningRate: epochLearningRate,
  });
  await callbacks.onEpochBegin?.(epoch, { learningRate: epochLearningRate }, control);
  let sums: tf.Tensor1D | undefined;
  let totalSum = 0;
  let examples = 0;
  let steps = 0;
  let trainMs = 0;
  let complete = true;
  try {
    const batches = plan.data.train.batches({
      batchSize: plan.batchSize,
      shuffle: true,
      seed: epochSeed,
      dropLast: true,
      augment: plan.augment,
      normalize: plan.normalize,
    });
    for (const { x, y } of batches) {
      let metrics: tf.Tensor1D | undefined;
      try {
        if (plan.signal?.aborted) {
          throw new TrainingAbortedError({ epoch: epoch + 1, cause: plan.signal.reason });
        }
        const learningRate = learningRateAt(plan.schedule, plan.baseLearningRate, {
          ...position,
          step: steps,
        });
        await callbacks.onBatchBegin?.(steps, { epoch, learningRate }, control);
        const stepStart = performance.now();
        const result = await step.run(x as tf.Tensor4D, y as tf.Tensor1D, learningRate);
        metrics = result.metrics;
        if (!Number.isFinite(result.loss))
          throw await nonFinite(plan, metrics, result.loss, epoch, steps, state);
        const batch = y.shape[0]!;
        const stepMs = performance.now() - stepStart;
        trainMs += stepMs;
        steps++;
        state.globalStep++;
        examples += batch;
        totalSum += result.loss;
        const previous = sums;
        sums =
          previous === undefined ? tf.clone(metrics) : (tf.add(previous, metrics) as tf.Tensor1D);
        previous?.dispose();
        emit({
          type: 'step',
          epoch: epoch + 1,
          epochs: plan.epochs,
          step: steps,
          stepsPerEpoch,
          globalStep: state.globalStep,
          loss: result.loss,
          learningRate,
          imagesPerSecond: stepMs > 0 ? (1000 * batch) / stepMs : 0,
        });
        await callbacks.onBatchEnd?.(
          steps - 1,
          { epoch, learningRate, loss: result.loss, globalStep: state.globalStep },
          control,
        );
      } finally {
        tf.dispose([x, y]);
        metrics?.dispose();
      }
      await yieldToEventLoop();
      if (control.stopRequested) {
        complete = steps === stepsPerEpoch;
        break;
      }
    }
    if (steps === 0) {
      fail(
        plan.functionName,
        'data.train',
        `batches of ${plan.batchSize} examples`,
        'no batch in the epoch',
      );
    }
    // The one read of the epoch: each term's sum over the steps, then the correct predictions.
    const read = await sums!.data();
    const testMetrics = await evaluateModel(plan.student, plan.data.test, {
      batchSize: plan.evalBatchSize,
      normalize: plan.normalize,
    });
    const terms: Record<string, number> = {};
    step.termNames.forEach((name, t) => {
      terms[name] = read[t]! / steps;
    });
    const record: EpochRecord = {
      epoch: epoch + 1,
      learningRate: epochLearningRate,
      train: {
        loss: terms[CROSS_ENTROPY_TERM]!,
        accuracy: read[step.termNames.length]! / examples,
        totalLoss: totalSum / steps,
        terms,
      },
      test: testMetrics,
      durationMs: performance.now() - epochStart,
      imagesPerSecond: trainMs > 0 ? (1000 * examples) / trainMs : 0,
    };
    return { record, complete };
  } finally {
    sums?.dispose();
  }
}

/** The error of a step whose total loss is not finite, naming the first non-finite term. */
async function nonFinite(
  plan: EpochPlan,
  metrics: tf.Tensor1D,
  loss: number,
  epoch: number,
  steps: number,
  state: TrainingRunState,
): Promise<NonFiniteLossError> {
  const { step } = plan;
  // Only on this failure path are the terms read, to say which one broke.
  const values = await metrics.data();
  const term = step.termNames.findIndex((_, t) => !Number.isFinite(values[t]!));
  return new NonFiniteLossError({
    term: term === -1 ? 'total' : step.termNames[term]!,
    value: term === -1 ? loss : values[term]!,
    epoch: epoch + 1,
    step: steps + 1,
    globalStep: state.globalStep + 1,
    checkpointPath: plan.lastCheckpoint(),
  });
}
