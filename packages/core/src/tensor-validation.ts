import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { readValuesForCheck } from './read-values-for-check';

/**
 * Writes a shape the way every geokd error message does, e.g. `[4, 3]` (`[]` for a scalar).
 *
 * @param shape - a tensor's shape.
 * @returns the shape in brackets, dimensions separated by `, `.
 * @example
 * ```ts
 * describeShape([64, 32, 8, 8]); // '[64, 32, 8, 8]'
 * ```
 */
export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Throws unless `value` is a live (not disposed) tfjs tensor; returns it typed as a tensor. The
 * first check of every public tensor argument, so that the later checks can read its shape.
 *
 * @param functionName - the public function being validated, named first in the message.
 * @param argument - the argument as the caller wrote it, e.g. `'features'` or `'options.mask'`.
 * @param value - the value received.
 * @returns `value`, as a `tf.Tensor`.
 * @throws {InvalidArgumentError} "fn: argument must be a tf.Tensor, received …" (`null`, `an
 *   array` or the `typeof`), or "… must be a live tf.Tensor, received a disposed tensor".
 * @example
 * ```ts
 * import { assertFinite, assertFloat32, assertRank, assertTensor } from '@geokd/core';
 *
 * // At the top of a custom loss, before any tensor math:
 * const features = assertTensor('myLoss', 'student', student);
 * assertRank('myLoss', 'student', features); // [B, ...]
 * assertFloat32('myLoss', 'student', features);
 * assertFinite('myLoss', 'student', features);
 * ```
 */
export function assertTensor(functionName: string, argument: string, value: unknown): tf.Tensor {
  if (!(value instanceof tf.Tensor)) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a tf.Tensor',
      received: value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value,
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

/** Options of {@link assertRank}. */
export interface AssertRankOptions {
  /**
   * The exact rank required; when given, `minRank` is not checked.
   * @default undefined (any rank >= `minRank`)
   */
  rank?: number;
  /**
   * The smallest rank accepted when `rank` is not given.
   * @default 2 (a batch `[B, ...]`)
   */
  minRank?: number;
}

/**
 * Throws unless `tensor` has rank exactly `options.rank` when given, else a rank of at least
 * `options.minRank` (2 by default). geokd tensors are batch-first, so the second message shows
 * the layout as `[B, ...]`.
 *
 * @param functionName - the public function being validated.
 * @param argument - the argument as the caller wrote it.
 * @param tensor - a tensor (see {@link assertTensor}).
 * @param options - see {@link AssertRankOptions}.
 * @throws {InvalidArgumentError} "fn: argument must be a tensor of rank 4, received rank 2 (shape
 *   [8, 3])", or "… must be a tensor of rank >= 2 ([B, ...]), received rank 1 (shape [3])".
 */
export function assertRank(
  functionName: string,
  argument: string,
  tensor: tf.Tensor,
  options: AssertRankOptions = {},
): void {
  const received = `rank ${tensor.rank} (shape ${describeShape(tensor.shape)})`;
  if (options.rank !== undefined) {
    if (tensor.rank !== options.rank) {
      throw new InvalidArgumentError({
        functionName,
        argument,
        expected: `a tensor of rank ${options.rank}`,
        received,
      });
    }
    return;
  }
  const minRank = options.minRank ?? 2;
  if (tensor.rank < minRank) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: `a tensor of rank >= ${minRank} ([B, ...])`,
      received,
    });
  }
}

/**
 * Throws unless the tensor's dtype is float32 (the dtype every geokd function computes in).
 *
 * @param functionName - the public function being validated.
 * @param argument - the argument as the caller wrote it.
 * @param tensor - a tensor (see {@link assertTensor}).
 * @throws {InvalidArgumentError} "fn: argument must be a float32 tensor, received dtype int32".
 */
export function assertFloat32(functionName: string, argument: string, tensor: tf.Tensor): void {
  if (tensor.dtype !== 'float32') {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a float32 tensor',
      received: `dtype ${tensor.dtype}`,
    });
  }
}

/**
 * Throws unless every value of a numeric tensor is finite (no NaN, no ±Inf). Costs one
 * elementwise product, one reduction and a one-value synchronous read: `sum(x * 0)` is 0 for
 * finite input and NaN as soon as one value is NaN or ±Inf. Leaks no tensor. Call it last, after
 * the cheap checks, and let hot loops whose inputs are known to be finite skip it.
 *
 * @param functionName - the public function being validated.
 * @param argument - the argument as the caller wrote it.
 * @param tensor - a live int32 or float32 tensor.
 * @throws {InvalidArgumentError} "fn: argument must be finite (no NaN or Inf values), received a
 *   tensor containing NaN or Inf".
 * @throws {GeokdError} code `'value-check-unavailable'` on a backend that cannot read
 *   synchronously (WebGPU in Node); see {@link readValuesForCheck}.
 */
export function assertFinite(functionName: string, argument: string, tensor: tf.Tensor): void {
  const probe = tf.tidy(() => tf.sum(tf.mul(tensor, tf.scalar(0, tensor.dtype))));
  let result: number;
  try {
    result = readValuesForCheck(functionName, argument, probe)[0]!;
  } finally {
    probe.dispose();
  }
  if (!Number.isFinite(result)) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'finite (no NaN or Inf values)',
      received: 'a tensor containing NaN or Inf',
    });
  }
}

/**
 * Throws unless `value` is an integer (a `number`) of at least `min`; returns it typed as a
 * number. For counts and sizes such as `k` or a graph power.
 *
 * @param functionName - the public function being validated.
 * @param argument - the argument as the caller wrote it, e.g. `'options.k'`.
 * @param value - the value received.
 * @param min - the smallest value accepted.
 * @returns `value`.
 * @throws {InvalidArgumentError} "fn: argument must be an integer >= 1, received 1.5".
 */
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

/**
 * Throws unless `value` is a finite number greater than 0; returns it typed as a number. For
 * scales such as a temperature, a bandwidth or an exponent.
 *
 * @param functionName - the public function being validated.
 * @param argument - the argument as the caller wrote it, e.g. `'options.temperature'`.
 * @param value - the value received.
 * @returns `value`.
 * @throws {InvalidArgumentError} "fn: argument must be a finite number > 0, received 0".
 */
export function assertPositive(functionName: string, argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      expected: 'a finite number > 0',
      received: String(value),
    });
  }
  return value;
}
