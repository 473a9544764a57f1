import { InvalidArgumentError } from '@geokd/errors';
import type * as tf from '@tensorflow/tfjs-core';
import {
  assertFinite,
  assertFloat32,
  assertTensor,
  describeShape,
  readValuesForCheck,
} from '@geokd/core';
import { shouldCheckValues } from './value-checks';

// The generic tensor and number checks live in @geokd/core (one copy for every package); they are
// re-exported here so that `import { assertRank } from '@geokd/graph-construction'` keeps working.
export {
  type AssertRankOptions,
  assertFinite,
  assertFloat32,
  assertInteger,
  assertPositive,
  assertRank,
  assertTensor,
  describeShape,
} from '@geokd/core';

/**
 * Throws unless `value` is a square rank-2 float32 tensor `[B, B]` with B >= 1 (and finite when
 * value checks are on: `checkFinite`, else {@link setValueChecks}); returns B. Used by this package's graph functions; not
 * exported from the package.
 */
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
  if (shouldCheckValues(options.checkFinite)) assertFinite(functionName, argument, tensor);
  return tensor.shape[0]!;
}

/**
 * Throws unless `labels` is a rank-1 int32 or float32 tensor of `batch` values; when value checks
 * are on (`checkValues`), also unless they are finite integers >= 0 (and < `numClasses` when
 * given), which costs a synchronous read. Used by this package's graph functions; not
 * exported from the package.
 */
export function assertLabels(
  functionName: string,
  argument: string,
  labels: unknown,
  batch: number | undefined,
  numClasses?: number,
  checkValues = true,
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
  if (!checkValues) return tensor as tf.Tensor1D;
  const values = readValuesForCheck(functionName, argument, tensor);
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

/**
 * Throws unless every value already read from a tensor is finite: the check of functions that
 * read their input anyway (no extra read, so it always runs). Not exported from the package.
 */
export function assertFiniteValues(
  functionName: string,
  argument: string,
  values: ArrayLike<number>,
): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      throw new InvalidArgumentError({
        functionName,
        argument,
        expected: 'finite (no NaN or Inf values)',
        received: 'a tensor containing NaN or Inf',
      });
    }
  }
}
