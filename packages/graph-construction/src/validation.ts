import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';

/** Describes a shape for error messages, e.g. `[4, 3]`. */
export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws unless `value` is a tfjs tensor. */
export function assertTensor(functionName: string, argument: string, value: unknown): tf.Tensor {
  if (!(value instanceof tf.Tensor)) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a tf.Tensor',
      received: value === null ? 'null' : typeof value,
    });
  }
  if (value.isDisposed) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a live tf.Tensor',
      received: 'a disposed tensor',
    });
  }
  return value;
}

/** Throws unless the tensor's dtype is float32. */
export function assertFloat32(functionName: string, argument: string, value: tf.Tensor): void {
  if (value.dtype !== 'float32') {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a float32 tensor',
      received: `dtype ${value.dtype}`,
    });
  }
}

/**
 * Throws unless every value of `value` is finite. One elementwise product and one reduction:
 * `sum(x * 0)` is 0 for finite input and NaN as soon as one value is NaN or ±Inf. Leaks nothing.
 */
export function assertFinite(functionName: string, argument: string, value: tf.Tensor): void {
  const probe = tf.tidy(() => tf.sum(tf.mul(value, tf.scalar(0, value.dtype))));
  const result = probe.dataSync()[0]!;
  probe.dispose();
  if (!Number.isFinite(result)) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'finite (no NaN or Inf values)',
      received: 'a tensor containing NaN or Inf',
    });
  }
}

/** Throws unless `value` is a square rank-2 float32 tensor `[B, B]`; returns B. */
export function assertAdjacency(
  functionName: string,
  argument: string,
  value: unknown,
  options: { checkFinite?: boolean } = {},
): number {
  const tensor = assertTensor(functionName, argument, value);
  if (tensor.rank !== 2 || tensor.shape[0] !== tensor.shape[1]) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a square rank-2 tensor [B, B]',
      received: `shape ${describeShape(tensor.shape)}`,
    });
  }
  if (tensor.shape[0] === 0) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'at least one node',
      received: `shape ${describeShape(tensor.shape)}`,
    });
  }
  assertFloat32(functionName, argument, tensor);
  if (options.checkFinite ?? true) assertFinite(functionName, argument, tensor);
  return tensor.shape[0]!;
}

/**
 * Throws unless `labels` is a rank-1 int32 or float32 tensor of `batch` finite integer values
 * that are >= 0 (and < `numClasses` when given).
 */
export function assertLabels(
  functionName: string,
  argument: string,
  labels: unknown,
  batch: number | undefined,
  numClasses?: number,
): tf.Tensor1D {
  const tensor = assertTensor(functionName, argument, labels);
  if (tensor.rank !== 1) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a rank-1 tensor [B]',
      received: `shape ${describeShape(tensor.shape)}`,
    });
  }
  if (tensor.dtype !== 'int32' && tensor.dtype !== 'float32') {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'an int32 or float32 tensor',
      received: `dtype ${tensor.dtype}`,
    });
  }
  if (batch !== undefined && tensor.shape[0] !== batch) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: `of length ${batch} (the batch size)`,
      received: `length ${tensor.shape[0]}`,
      message: `${functionName}: ${argument} has length ${tensor.shape[0]} but the adjacency has ${batch} nodes`,
    });
  }
  const values = tensor.dataSync();
  for (let i = 0; i < values.length; i++) {
    const label = values[i]!;
    if (!Number.isInteger(label) || label < 0) {
      throw new InvalidArgumentError({
        functionName,
        argument,
        expected: 'non-negative integer class indices',
        received: `${label} at index ${i}`,
      });
    }
    if (numClasses !== undefined && label >= numClasses) {
      throw new InvalidArgumentError({
        functionName,
        argument,
        expected: `class indices < numClasses (${numClasses})`,
        received: `${label} at index ${i}`,
      });
    }
  }
  return tensor as tf.Tensor1D;
}

/** Throws unless `value` is an integer >= `min`. */
export function assertInteger(
  functionName: string,
  argument: string,
  value: unknown,
  min: number,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: `an integer >= ${min}`,
      received: String(value),
    });
  }
  return value;
}
