import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError } from './checkpoint-error';
import type { LoadedCheckpoint } from './checkpoint-store';
import type { OptimizedParameter, TrainingOptimizer } from './optimizer';
import type { TrainableModel } from './model-contract';

/** Checkpoint key prefix of the model's parameters. */
export const MODEL_PREFIX = 'model/';
/** Checkpoint key prefix of the optimiser's slots. */
export const OPTIMIZER_PREFIX = 'optimizer/';

function describeShape(shape: readonly number[] | undefined): string {
  return shape === undefined ? 'undefined' : `[${shape.join(', ')}]`;
}

/** Restores the model's parameters; throws a mismatch error (leaving the model untouched) when they do not fit. */
export function restoreModel(
  model: TrainableModel,
  checkpoint: LoadedCheckpoint,
  role: string,
): void {
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
    tf.tidy(() =>
      parameter.variable.assign(tf.tensor(stored.values, stored.shape, parameter.variable.dtype)),
    );
  }
}

/** Restores the optimiser's step and slots. */
export function restoreOptimizer(optimizer: TrainingOptimizer, checkpoint: LoadedCheckpoint): void {
  const slots: Record<string, tf.Tensor> = {};
  for (const [key, stored] of checkpoint.tensors) {
    if (key.startsWith(OPTIMIZER_PREFIX)) {
      slots[key.slice(OPTIMIZER_PREFIX.length)] = tf.tensor(
        stored.values,
        stored.shape,
        stored.dtype,
      );
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

/**
 * Restores the losses' own parameters (keys `loss/<term>/<name>`): every one must be in the
 * checkpoint with its shape. Checked in full before anything is assigned.
 */
export function restoreLossParameters(
  parameters: readonly OptimizedParameter[],
  checkpoint: LoadedCheckpoint,
): void {
  for (const parameter of parameters) {
    const stored = checkpoint.tensors.get(parameter.name);
    if (
      stored === undefined ||
      describeShape(stored.shape) !== describeShape(parameter.variable.shape)
    ) {
      throw new CheckpointError({
        reason: 'mismatch',
        path: checkpoint.path,
        message: `Checkpoint at ${checkpoint.path} does not fit the losses' parameter '${parameter.name}' (${stored === undefined ? 'absent' : `shape ${describeShape(stored.shape)}`}, expected shape ${describeShape(parameter.variable.shape)}). It was left untouched`,
      });
    }
  }
  for (const parameter of parameters) {
    const stored = checkpoint.tensors.get(parameter.name)!;
    tf.tidy(() =>
      parameter.variable.assign(tf.tensor(stored.values, stored.shape, parameter.variable.dtype)),
    );
  }
}

/** The tensors a checkpoint holds: model parameters, the losses' parameters, optimiser slots. */
export function checkpointTensors(
  model: TrainableModel,
  lossParameters: readonly OptimizedParameter[],
  optimizerSlots: Record<string, tf.Tensor>,
): Record<string, tf.Tensor> {
  const tensors: Record<string, tf.Tensor> = {};
  for (const parameter of model.parameters)
    tensors[MODEL_PREFIX + parameter.name] = parameter.variable;
  for (const parameter of lossParameters) tensors[parameter.name] = parameter.variable;
  for (const [slot, tensor] of Object.entries(optimizerSlots))
    tensors[OPTIMIZER_PREFIX + slot] = tensor;
  return tensors;
}
