import { InvalidArgumentError } from '@geokd/core';
import { validateSchedule } from './learning-rate-schedule';
import type { TrainableModel } from './model-contract';
import type { CommonTrainingOptions } from './training-options';

/** Throws an {@link InvalidArgumentError} naming the argument. */
export function fail(
  functionName: string,
  argument: string,
  expected: string,
  received: string,
): never {
  throw new InvalidArgumentError({ functionName, argument, expected, received });
}

function describeShape(shape: readonly number[] | undefined): string {
  return shape === undefined ? 'undefined' : `[${shape.join(', ')}]`;
}

/** Checks a model-like argument has what the trainer calls. */
export function validateModel(model: TrainableModel, functionName: string, argument: string): void {
  if (model === null || typeof model !== 'object' || typeof model.apply !== 'function') {
    fail(
      functionName,
      argument,
      'a model with apply, parameters and featureNames (a FeatureModel)',
      String(model),
    );
  }
  if (!Array.isArray(model.parameters) || !Array.isArray(model.featureNames)) {
    fail(
      functionName,
      argument,
      'a model with parameters and featureNames arrays',
      `model '${model.name}'`,
    );
  }
}

/** Validates the options shared by both entry points, before any tensor work. */
export function validateCommonOptions(
  options: CommonTrainingOptions,
  model: TrainableModel,
  functionName: string,
  modelArgument: string,
): void {
  if (options === null || typeof options !== 'object')
    fail(functionName, 'options', 'an object', String(options));
  const { data } = options;
  if (data === undefined || data === null || typeof data !== 'object') {
    fail(functionName, 'data', 'an object { train, test } of datasets', String(data));
  }
  for (const split of ['train', 'test'] as const) {
    const dataset = data[split];
    if (dataset === undefined || typeof dataset?.batches !== 'function') {
      fail(functionName, `data.${split}`, 'a dataset with a batches() method', String(dataset));
    }
    if (!(dataset.count > 0))
      fail(functionName, `data.${split}.count`, 'at least 1', String(dataset.count));
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
  if (!Number.isSafeInteger(options.seed))
    fail(functionName, 'seed', 'a safe integer', String(options.seed));
  const batchSize = options.batchSize ?? 64;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    fail(functionName, 'batchSize', 'an integer >= 1', String(batchSize));
  }
  if (batchSize > data.train.count) {
    fail(
      functionName,
      'batchSize',
      `at most the ${data.train.count} training examples`,
      String(batchSize),
    );
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
  if (
    options.callbacks !== undefined &&
    (options.callbacks === null || typeof options.callbacks !== 'object')
  ) {
    fail(functionName, 'callbacks', 'an object of callback functions', String(options.callbacks));
  }
  for (const [key, callback] of Object.entries(options.callbacks ?? {})) {
    if (typeof callback !== 'function') {
      fail(functionName, `callbacks.${key}`, 'a function', typeof callback);
    }
  }
  validateSchedule(options.schedule ?? { type: 'multi-step' }, functionName);
}
