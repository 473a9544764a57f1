import * as tf from '@tensorflow/tfjs-core';
import { createOptimizer } from './create-optimizer';
import { evaluateModel } from './evaluate-model';
import type { LearningRateSchedule } from './learning-rate-schedule';
import { createLossParameters, type LossParameterSet } from './loss-parameters';
import { describeTermTaps, type ResolvedLossTerm } from './loss-terms';
import type { TrainableModel } from './model-contract';
import type { TrainingOptimizer } from './optimizer';
import { type EpochPlan, runEpoch } from './run-epoch';
import { createTrainingControl } from './training-callbacks';
import type { TrainingCheckpointStore } from './training-checkpoint-store';
import type { EvaluationMetrics, TrainingEvent } from './training-events';
import type { CommonTrainingOptions, TrainingResult } from './training-options';
import {
  initialRunState,
  openCheckpoints,
  type RunCheckpoints,
  saveCheckpoint,
  type TrainingRunState,
} from './training-run-state';
import { createTrainingStep } from './training-step';

export { validateCommonOptions, validateModel } from './training-validation';

/** What {@link runTraining} needs beyond the common options. */
export interface TrainingRun {
  task: 'train-teacher' | 'distill';
  functionName: string;
  student: TrainableModel;
  teacher?: TrainableModel;
  terms: ResolvedLossTerm[];
  options: CommonTrainingOptions;
  /** Required when `options.checkpointDir` is given (the entry points load the file store). */
  checkpointStore?: TrainingCheckpointStore;
}

/**
 * The configuration a checkpoint records: what must be equal for a resume to continue the same
 * run (models, terms, optimiser, schedule, data order).
 */
function describeRun(
  run: TrainingRun,
  optimizer: TrainingOptimizer,
  settings: {
    schedule: LearningRateSchedule;
    batchSize: number;
    augment: unknown;
    normalize: boolean;
  },
): Record<string, unknown> {
  const { student, teacher, terms, options } = run;
  return {
    task: run.task,
    student: { name: student.name, config: student.config },
    teacher: teacher === undefined ? null : { name: teacher.name, config: teacher.config },
    terms: terms.map((term) => ({
      name: term.name,
      loss: term.loss.name,
      weight: term.weight,
      taps: describeTermTaps(term.taps),
      options: term.options,
    })),
    crossEntropyWeight: options.crossEntropyWeight ?? 1,
    optimizer: optimizer.config,
    schedule: settings.schedule,
    epochs: options.epochs,
    batchSize: settings.batchSize,
    seed: options.seed,
    augment: settings.augment,
    normalize: settings.normalize,
    trainExamples: options.data.train.count,
  };
}

/**
 * The shared training loop of {@link trainTeacher} and {@link distill}: sets up the optimiser
 * over the student's and the losses' parameters and the one training step, opens the
 * checkpoints, runs the epochs (see {@link runEpoch}), records and checkpoints each, and reports
 * through events and callbacks.
 */
export async function runTraining(run: TrainingRun): Promise<TrainingResult> {
  const { student, teacher, terms, options, functionName } = run;
  const startTime = performance.now();
  const backend = tf.getBackend();
  const schedule: LearningRateSchedule = options.schedule ?? { type: 'multi-step' };
  const batchSize = options.batchSize ?? 64;
  // Standardise by default when the training set carries statistics (CIFAR, MNIST), not otherwise.
  const normalize = options.normalize ?? options.data.train.normalization !== undefined;
  const augment = options.augment ?? false;
  const emit = (event: TrainingEvent) => options.onEvent?.(event);
  const callbacks = options.callbacks ?? {};
  const control = createTrainingControl();

  const lossParameters: LossParameterSet = createLossParameters(
    terms,
    student,
    teacher,
    options.seed,
  );
  const parameters = [
    ...student.parameters
      .filter((parameter) => parameter.trainable)
      .map(({ name, variable, weightDecay }) => ({ name, variable, weightDecay })),
    ...lossParameters.optimized,
  ];
  let optimizer: TrainingOptimizer | undefined;
  let status: 'completed' | 'failed' = 'failed';
  let failure: unknown;
  let finalTest: EvaluationMetrics | undefined;
  let state: TrainingRunState = initialRunState(options.seed);
  try {
    optimizer = createOptimizer(parameters, options.optimizer ?? { type: 'sgd' });
    const target = {
      model: student,
      role: run.task === 'distill' ? 'student' : 'model',
      optimizer,
      lossParameters,
    };
    let checkpoints: RunCheckpoints | undefined;
    if (options.checkpointDir !== undefined && run.checkpointStore !== undefined) {
      const config = describeRun(run, optimizer, { schedule, batchSize, augment, normalize });
      const store = run.checkpointStore;
      checkpoints = {
        store,
        directory: options.checkpointDir,
        config,
        hash: store.hashConfig(config),
      };
      state = openCheckpoints(checkpoints, options, target, functionName);
    }
    const resumedEpochs = state.epoch;
    const plan: EpochPlan = {
      functionName,
      student,
      step: createTrainingStep({
        student,
        teacher,
        terms,
        crossEntropyWeight: options.crossEntropyWeight ?? 1,
        optimizer,
        parameters,
        lossParameters: lossParameters.byTerm,
        functionName,
      }),
      data: options.data,
      epochs: options.epochs,
      batchSize,
      evalBatchSize: options.evalBatchSize ?? 256,
      stepsPerEpoch: Math.floor(options.data.train.count / batchSize),
      schedule,
      baseLearningRate: optimizer.config.learningRate as number,
      augment,
      normalize,
      signal: options.signal,
      callbacks,
      control,
      emit,
      lastCheckpoint: () =>
        checkpoints === undefined ? undefined : checkpoints.store.find(checkpoints.directory),
    };

    emit({
      type: 'run-start',
      task: run.task,
      epochs: options.epochs,
      startEpoch: state.epoch + 1,
      stepsPerEpoch: plan.stepsPerEpoch,
      backend,
      resumed: state.epoch > 0,
    });
    await callbacks.onTrainBegin?.(
      { epochs: options.epochs, startEpoch: state.epoch, stepsPerEpoch: plan.stepsPerEpoch },
      control,
    );

    while (state.epoch < options.epochs && !control.stopRequested) {
      const { record, complete } = await runEpoch(plan, state, state.epoch);
      state.history.push(record);
      checkpoints?.store.appendMetrics(checkpoints.directory, record);
      emit({ type: 'epoch-end', epochs: options.epochs, ...record });
      if (!complete) break; // a partial epoch is recorded, never checkpointed
      state.epoch++;
      await callbacks.onEpochEnd?.(state.epoch - 1, record, control);
      if (checkpoints !== undefined) {
        const elapsed = state.elapsedBefore + performance.now() - startTime;
        const saved = await saveCheckpoint(checkpoints, state, target, elapsed);
        emit({ type: 'checkpoint', epoch: state.epoch, path: saved });
      }
    }
    const { history } = state;
    finalTest =
      history.length > 0 && (history.length === options.epochs || control.stopRequested)
        ? history[history.length - 1]!.test
        : await evaluateModel(student, options.data.test, {
            batchSize: plan.evalBatchSize,
            normalize,
          });
    status = 'completed';
    const result: TrainingResult = {
      history,
      test: finalTest,
      durationMs: state.elapsedBefore + performance.now() - startTime,
      backend,
      resumedEpochs,
      ...(control.stopRequested ? { stoppedEarly: true } : {}),
    };
    await callbacks.onTrainEnd?.(result, control);
    return result;
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    optimizer?.dispose();
    lossParameters.dispose();
    try {
      emit({
        type: 'run-end',
        status,
        durationMs: state.elapsedBefore + performance.now() - startTime,
        ...(finalTest === undefined ? {} : { test: finalTest }),
        ...(status === 'failed' ? { error: failure } : {}),
      });
    } catch (handlerError) {
      // A handler failing on run-end must not hide the run's own error.
      // biome-ignore lint/correctness/noUnsafeFinally: a run-end handler's error surfaces only when the run itself succeeded.
      if (status === 'completed') throw handlerError;
    }
  }
}
