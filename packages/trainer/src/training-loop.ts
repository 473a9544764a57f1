import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './checkpoint-error';
import { findCheckpoint, type LoadedCheckpoint, readCheckpoint, writeCheckpoint } from './checkpoint-store';
import { configHash, differingKeys } from './config-hash';
import { createOptimizer } from './create-optimizer';
import { correctCount, crossEntropyFromLogits } from './cross-entropy';
import { evaluateModel } from './evaluate-model';
import { learningRateAt, type LearningRateSchedule, validateSchedule } from './learning-rate-schedule';
import { CROSS_ENTROPY_TERM, type ResolvedLossTerm } from './loss-terms';
import { appendMetrics, resetMetricsLog } from './metrics-log';
import type { TrainableModel } from './model-contract';
import { NonFiniteLossError } from './non-finite-loss-error';
import type { TrainingOptimizer } from './optimizer';
import { SeededRandom } from './seeded-random';
import { TrainingAbortedError } from './training-aborted-error';
import type { EpochRecord, EvaluationMetrics, TrainingEvent } from './training-events';
import type { CommonTrainingOptions, TrainingResult } from './training-options';

/** What {@link runTraining} needs beyond the common options. */
export interface TrainingRun {
  task: 'train-teacher' | 'distill';
  functionName: string;
  student: TrainableModel;
  teacher?: TrainableModel;
  terms: ResolvedLossTerm[];
  options: CommonTrainingOptions;
}

const MODEL_PREFIX = 'model/';
const OPTIMIZER_PREFIX = 'optimizer/';

function fail(functionName: string, argument: string, expected: string, received: string): never {
  throw new InvalidArgumentError({ functionName, argument, expected, received });
}

function describeShape(shape: readonly number[] | undefined): string {
  return shape === undefined ? 'undefined' : `[${shape.join(', ')}]`;
}

/** Checks a model-like argument has what the trainer calls. */
export function validateModel(model: TrainableModel, functionName: string, argument: string): void {
  if (model === null || typeof model !== 'object' || typeof model.apply !== 'function') {
    fail(functionName, argument, 'a model with apply, parameters and featureNames (a FeatureModel)', String(model));
  }
  if (!Array.isArray(model.parameters) || !Array.isArray(model.featureNames)) {
    fail(functionName, argument, 'a model with parameters and featureNames arrays', `model '${model.name}'`);
  }
}

/** Validates the options shared by both entry points, before any tensor work. */
export function validateCommonOptions(
  options: CommonTrainingOptions,
  model: TrainableModel,
  functionName: string,
  modelArgument: string,
): void {
  if (options === null || typeof options !== 'object') fail(functionName, 'options', 'an object', String(options));
  const { data } = options;
  if (data === undefined || data === null || typeof data !== 'object') {
    fail(functionName, 'data', 'an object { train, test } of datasets', String(data));
  }
  for (const split of ['train', 'test'] as const) {
    const dataset = data[split];
    if (dataset === undefined || typeof dataset?.batches !== 'function') {
      fail(functionName, `data.${split}`, 'a dataset with a batches() method', String(dataset));
    }
    if (!(dataset.count > 0)) fail(functionName, `data.${split}.count`, 'at least 1', String(dataset.count));
    if (describeShape(dataset.shape) !== describeShape(model.inputShape)) {
      fail(
        functionName,
        `data.${split}.shape`,
        `${describeShape(model.inputShape)} (the inputShape of ${modelArgument} '${model.name}')`,
        describeShape(dataset.shape),
      );
    }
    if (dataset.numClasses !== model.numClasses) {
      fail(
        functionName,
        `data.${split}.numClasses`,
        `${model.numClasses} (the numClasses of ${modelArgument} '${model.name}')`,
        String(dataset.numClasses),
      );
    }
  }
  if (!Number.isInteger(options.epochs) || options.epochs < 1) {
    fail(functionName, 'epochs', 'an integer >= 1', String(options.epochs));
  }
  if (!Number.isSafeInteger(options.seed)) fail(functionName, 'seed', 'a safe integer', String(options.seed));
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    fail(functionName, 'batchSize', 'an integer >= 1', String(batchSize));
  }
  if (batchSize > data.train.count) {
    fail(functionName, 'batchSize', `at most the ${data.train.count} training examples`, String(batchSize));
  }
  const evalBatchSize = options.evalBatchSize ?? 256;
  if (!Number.isInteger(evalBatchSize) || evalBatchSize < 1) {
    fail(functionName, 'evalBatchSize', 'an integer >= 1', String(evalBatchSize));
  }
  const ceWeight = options.crossEntropyWeight ?? 1;
  if (!(Number.isFinite(ceWeight) && ceWeight >= 0)) {
    fail(functionName, 'crossEntropyWeight', 'a finite number >= 0', String(ceWeight));
  }
  if (options.resume === true && options.checkpointDir === undefined) {
    fail(functionName, 'checkpointDir', 'a folder when resume is true', 'undefined');
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    fail(functionName, 'onEvent', 'a function', typeof options.onEvent);
  }
  validateSchedule(options.schedule ?? { type: 'multi-step' }, functionName);
}

function restoreModel(model: TrainableModel, checkpoint: LoadedCheckpoint, role: string): void {
  const mismatch = (detail: string) =>
    new CheckpointError({
      reason: 'mismatch',
      path: checkpoint.path,
      message: `Checkpoint at ${checkpoint.path} does not fit the ${role} '${model.name}': ${detail}. It was left untouched`,
    });
  const names = new Set(model.parameters.map((parameter) => MODEL_PREFIX + parameter.name));
  for (const parameter of model.parameters) {
    const stored = checkpoint.tensors.get(MODEL_PREFIX + parameter.name);
    if (stored === undefined) throw mismatch(`it has no parameter '${parameter.name}'`);
    if (describeShape(stored.shape) !== describeShape(parameter.variable.shape)) {
      throw mismatch(
        `parameter '${parameter.name}' has shape ${describeShape(stored.shape)} in the checkpoint but ${describeShape(parameter.variable.shape)} in the model`,
      );
    }
  }
  for (const key of checkpoint.tensors.keys()) {
    if (key.startsWith(MODEL_PREFIX) && !names.has(key)) {
      throw mismatch(`it has a parameter '${key.slice(MODEL_PREFIX.length)}' the model lacks`);
    }
  }
  for (const parameter of model.parameters) {
    const stored = checkpoint.tensors.get(MODEL_PREFIX + parameter.name)!;
    tf.tidy(() => parameter.variable.assign(tf.tensor(stored.values, stored.shape, parameter.variable.dtype)));
  }
}

function restoreOptimizer(optimizer: TrainingOptimizer, checkpoint: LoadedCheckpoint): void {
  const slots: Record<string, tf.Tensor> = {};
  for (const [key, stored] of checkpoint.tensors) {
    if (key.startsWith(OPTIMIZER_PREFIX)) {
      slots[key.slice(OPTIMIZER_PREFIX.length)] = tf.tensor(stored.values, stored.shape, stored.dtype);
    }
  }
  try {
    optimizer.setState({ step: checkpoint.manifest.optimizer.step, slots });
  } catch (cause) {
    throw new CheckpointError({
      reason: 'mismatch',
      path: checkpoint.path,
      message: `Checkpoint at ${checkpoint.path} has optimiser state that does not fit: ${(cause as Error).message}`,
      cause,
    });
  } finally {
    tf.dispose(Object.values(slots));
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The shared training loop of {@link trainTeacher} and {@link distill}. */
export async function runTraining(run: TrainingRun): Promise<TrainingResult> {
  const { student, teacher, terms, options, functionName } = run;
  const startTime = performance.now();
  const backend = tf.getBackend();
  const batchSize = options.batchSize ?? 64;
  const evalBatchSize = options.evalBatchSize ?? 256;
  const crossEntropyWeight = options.crossEntropyWeight ?? 1;
  const schedule: LearningRateSchedule = options.schedule ?? { type: 'multi-step' };
  // Standardise by default when the training set carries statistics (CIFAR, MNIST), not otherwise.
  const normalize = options.normalize ?? options.data.train.normalization !== undefined;
  const augment = options.augment ?? false;
  const { train, test } = options.data;
  const stepsPerEpoch = Math.floor(train.count / batchSize);
  const emit = (event: TrainingEvent) => options.onEvent?.(event);

  const trainable = student.parameters.filter((parameter) => parameter.trainable);
  const byVariableName = new Map(trainable.map((parameter) => [parameter.variable.name, parameter.name]));
  const optimizer = createOptimizer(
    trainable.map(({ name, variable, weightDecay }) => ({ name, variable, weightDecay })),
    options.optimizer ?? { type: 'sgd' },
  );
  const baseLearningRate = optimizer.config.learningRate as number;

  const config: Record<string, unknown> = {
    task: run.task,
    student: { name: student.name, config: student.config },
    teacher: teacher === undefined ? null : { name: teacher.name, config: teacher.config },
    terms: terms.map((term) => ({
      name: term.name,
      loss: term.loss.name,
      weight: term.weight,
      taps: term.taps,
      options: term.options,
    })),
    crossEntropyWeight,
    optimizer: optimizer.config,
    schedule,
    epochs: options.epochs,
    batchSize,
    seed: options.seed,
    augment,
    normalize,
    trainExamples: train.count,
  };
  const hash = configHash(config);

  let random = new SeededRandom(options.seed);
  let startEpoch = 0;
  let globalStep = 0;
  let elapsedBefore = 0;
  let history: EpochRecord[] = [];
  let status: 'completed' | 'failed' = 'failed';
  let failure: unknown;
  let finalTest: EvaluationMetrics | undefined;
  const directory = options.checkpointDir;

  try {
    if (directory !== undefined) {
      const found = findCheckpoint(directory);
      if (found !== undefined && options.resume !== true && options.overwrite !== true) {
        throw new CheckpointError({
          reason: 'exists',
          path: found,
          message: `${functionName}: checkpointDir ${directory} already holds a checkpoint; pass resume: true to continue it, overwrite: true to replace it, or another folder`,
        });
      }
      if (found !== undefined && options.resume === true) {
        const checkpoint = readCheckpoint(found);
        const { manifest } = checkpoint;
        if (manifest.configHash !== hash) {
          const differences = differingKeys(manifest.config, config);
          throw new CheckpointError({
            reason: 'mismatch',
            path: found,
            message: `Checkpoint at ${found} was written by another configuration (differs in: ${differences.join(', ') || 'unknown fields'}). It was left untouched; resume with the same configuration or use another checkpointDir`,
          });
        }
        restoreModel(student, checkpoint, run.task === 'distill' ? 'student' : 'model');
        restoreOptimizer(optimizer, checkpoint);
        random = SeededRandom.fromState(manifest.randomState);
        startEpoch = manifest.epoch;
        globalStep = manifest.globalStep;
        elapsedBefore = manifest.elapsedMs;
        history = manifest.history as EpochRecord[];
      }
      resetMetricsLog(directory, history);
    }
    const resumedEpochs = startEpoch;

    emit({
      type: 'run-start',
      task: run.task,
      epochs: options.epochs,
      startEpoch: startEpoch + 1,
      stepsPerEpoch,
      backend,
      resumed: startEpoch > 0,
    });

    const featureTaps = [...new Set(terms.filter((t) => t.loss.input === 'features').flatMap((t) => t.taps))];
    const needsTeacherLogits = terms.some((term) => term.loss.input === 'logits');
    const termNames = [CROSS_ENTROPY_TERM, ...terms.map((term) => term.name)];
    const trainableVariables = trainable.map((parameter) => parameter.variable);

    for (let epoch = startEpoch; epoch < options.epochs; epoch++) {
      const epochStart = performance.now();
      const epochSeed = random.nextUint32();
      const position = { epoch, step: 0, stepsPerEpoch, epochs: options.epochs };
      const epochLearningRate = learningRateAt(schedule, baseLearningRate, position);
      emit({
        type: 'epoch-start',
        epoch: epoch + 1,
        epochs: options.epochs,
        stepsPerEpoch,
        learningRate: epochLearningRate,
      });
      const termSums = new Array<number>(termNames.length).fill(0);
      let totalSum = 0;
      let correctSum = 0;
      let examples = 0;
      let steps = 0;
      let trainMs = 0;
      const batches = train.batches({ batchSize, shuffle: true, seed: epochSeed, dropLast: true, augment, normalize });
      for (const { x, y } of batches) {
        let teacherOutput: { logits?: tf.Tensor2D; features: Record<string, tf.Tensor> } | undefined;
        let monitor: tf.Tensor | undefined;
        let gradients: Record<string, tf.Tensor> | undefined;
        let total: tf.Scalar | undefined;
        try {
          if (options.signal?.aborted) {
            throw new TrainingAbortedError({ epoch: epoch + 1, cause: options.signal.reason });
          }
          const learningRate = learningRateAt(schedule, baseLearningRate, { ...position, step: steps });
          const stepStart = performance.now();
          if (teacher !== undefined && terms.length > 0) {
            // Inference mode, outside the gradient function: the teacher's outputs are constants.
            teacherOutput = tf.tidy(() => {
              const output = teacher.apply(x, { training: false });
              const features: Record<string, tf.Tensor> = {};
              for (const tap of featureTaps) features[tap] = output.features[tap]!;
              return needsTeacherLogits ? { logits: output.logits, features } : { features };
            });
          }
          const result = tf.variableGrads(() => {
            const output = student.apply(x, { training: true });
            const crossEntropy = crossEntropyFromLogits(output.logits, y);
            let weighted: tf.Scalar = tf.mul(crossEntropy, crossEntropyWeight);
            const values: tf.Scalar[] = [crossEntropy];
            for (const term of terms) {
              const studentInputs =
                term.loss.input === 'logits' ? [output.logits] : term.taps.map((tap) => output.features[tap]!);
              const teacherInputs =
                term.loss.input === 'logits'
                  ? [teacherOutput!.logits!]
                  : term.taps.map((tap) => teacherOutput!.features[tap]!);
              const value = term.loss.compute(studentInputs, teacherInputs, term.options, { labels: y });
              if (value.rank !== 0) {
                fail(functionName, `losses '${term.name}'`, 'a loss returning a scalar', `shape ${describeShape(value.shape)}`);
              }
              values.push(value);
              // A zero weight reports the term but leaves the objective (and its gradient) unchanged.
              if (term.weight !== 0) weighted = tf.add(weighted, tf.mul(value, term.weight));
            }
            monitor = tf.keep(tf.stack([...values, weighted, correctCount(output.logits, y)]));
            return weighted;
          }, trainableVariables);
          total = result.value;
          gradients = {};
          for (const [variableName, gradient] of Object.entries(result.grads)) {
            gradients[byVariableName.get(variableName)!] = gradient;
          }
          const read = monitor!.dataSync();
          for (let t = 0; t < termNames.length; t++) {
            if (!Number.isFinite(read[t]!)) {
              throw new NonFiniteLossError({
                term: termNames[t]!,
                value: read[t]!,
                epoch: epoch + 1,
                step: steps + 1,
                globalStep: globalStep + 1,
                checkpointPath: directory === undefined ? undefined : findCheckpoint(directory),
              });
            }
          }
          const totalLoss = read[termNames.length]!;
          if (!Number.isFinite(totalLoss)) {
            throw new NonFiniteLossError({
              term: 'total',
              value: totalLoss,
              epoch: epoch + 1,
              step: steps + 1,
              globalStep: globalStep + 1,
              checkpointPath: directory === undefined ? undefined : findCheckpoint(directory),
            });
          }
          optimizer.applyGradients(gradients, learningRate);
          const batch = y.shape[0];
          const correct = read[termNames.length + 1]!;
          const stepMs = performance.now() - stepStart;
          trainMs += stepMs;
          steps++;
          globalStep++;
          examples += batch;
          correctSum += correct;
          totalSum += totalLoss;
          const stepTerms: Record<string, number> = {};
          termNames.forEach((name, t) => {
            termSums[t]! += read[t]!;
            stepTerms[name] = read[t]!;
          });
          emit({
            type: 'step',
            epoch: epoch + 1,
            epochs: options.epochs,
            step: steps,
            stepsPerEpoch,
            globalStep,
            loss: totalLoss,
            terms: stepTerms,
            accuracy: correct / batch,
            learningRate,
            imagesPerSecond: stepMs > 0 ? (1000 * batch) / stepMs : 0,
          });
        } finally {
          tf.dispose([x, y]);
          if (teacherOutput !== undefined) tf.dispose(teacherOutput as unknown as tf.TensorContainer);
          if (monitor !== undefined) monitor.dispose();
          if (total !== undefined) total.dispose();
          if (gradients !== undefined) tf.dispose(Object.values(gradients));
        }
        await yieldToEventLoop();
      }
      if (steps === 0) {
        fail(functionName, 'data.train', `batches of ${batchSize} examples`, 'no batch in the epoch');
      }
      const testMetrics = evaluateModel(student, test, { batchSize: evalBatchSize, normalize });
      const terms_: Record<string, number> = {};
      termNames.forEach((name, t) => {
        terms_[name] = termSums[t]! / steps;
      });
      const record: EpochRecord = {
        epoch: epoch + 1,
        learningRate: epochLearningRate,
        train: { loss: terms_[CROSS_ENTROPY_TERM]!, accuracy: correctSum / examples, totalLoss: totalSum / steps, terms: terms_ },
        test: testMetrics,
        durationMs: performance.now() - epochStart,
        imagesPerSecond: trainMs > 0 ? (1000 * examples) / trainMs : 0,
      };
      history.push(record);
      if (directory !== undefined) appendMetrics(directory, record);
      emit({ type: 'epoch-end', epochs: options.epochs, ...record });
      if (directory !== undefined) {
        const tensors: Record<string, tf.Tensor> = {};
        for (const parameter of student.parameters) tensors[MODEL_PREFIX + parameter.name] = parameter.variable;
        const state = optimizer.getState();
        for (const [slot, tensor] of Object.entries(state.slots)) tensors[OPTIMIZER_PREFIX + slot] = tensor;
        const saved = writeCheckpoint(
          directory,
          {
            configHash: hash,
            config,
            epoch: epoch + 1,
            globalStep,
            randomState: random.state,
            optimizer: { name: optimizer.name, step: state.step },
            history,
            elapsedMs: elapsedBefore + performance.now() - startTime,
          },
          tensors,
        );
        emit({ type: 'checkpoint', epoch: epoch + 1, path: saved });
      }
    }
    finalTest =
      history.length > 0 && history.length === options.epochs
        ? history[history.length - 1]!.test
        : evaluateModel(student, test, { batchSize: evalBatchSize, normalize });
    status = 'completed';
    return {
      history,
      test: finalTest,
      durationMs: elapsedBefore + performance.now() - startTime,
      backend,
      resumedEpochs,
    };
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    optimizer.dispose();
    try {
      emit({
        type: 'run-end',
        status,
        durationMs: elapsedBefore + performance.now() - startTime,
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
