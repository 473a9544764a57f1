import * as tf from '@tensorflow/tfjs-core';
import { assertRank, assertTensor } from './validation';

/**
 * A zero-width `[B, 0]` matrix as one zero column `[B, 1]`, with a `[B, 0]` (empty, i.e. zero)
 * gradient. The empty vector is the zero vector (its norm and every dot product with it are 0),
 * so every formula gives the same value on the column of zeros, and no backend ever runs a
 * product over an empty inner dimension (the wasm matmul then reads uninitialised memory).
 */
const zeroWidthAsZeroColumn = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const x = args[0] as tf.Tensor;
  return {
    value: tf.zeros([x.shape[0]!, 1]),
    gradFunc: () => [tf.zeros(x.shape, 'float32')],
  };
}) as (x: tf.Tensor) => tf.Tensor2D;

/** {@link flattenFeatures} without validation, for use inside other tidies. @internal */
export function flattenUnchecked(features: tf.Tensor): tf.Tensor2D {
  const batch = features.shape[0]!;
  if (features.size === 0 && batch > 0) return zeroWidthAsZeroColumn(features);
  return tf.reshape(features, [batch, -1]) as tf.Tensor2D;
}

/**
 * Flattens a batch of features `[B, ...]` to `[B, D]`. Zero-width features (any dimension after
 * the batch is 0) become one column of zeros `[B, 1]` whose gradient is the empty `[B, 0]` (zero)
 * gradient: the empty vector is the zero vector, so norms, dot products and distances come out
 * exactly as the empty sums they are (0), and no backend runs a matrix product over an empty
 * inner dimension. Every geokd graph and loss function flattens its features this way.
 *
 * @param features - `[B, ...]` tensor of rank >= 2.
 * @returns `[B, D]`, or `[B, 1]` zeros when D = 0.
 * @throws {InvalidArgumentError} when `features` is not a tensor of rank >= 2.
 * @example
 * ```ts
 * flattenFeatures(tf.zeros([4, 3, 2, 2])).shape; // [4, 12]
 * flattenFeatures(tf.zeros([4, 0])).shape; // [4, 1]
 * ```
 */
export function flattenFeatures(features: tf.Tensor): tf.Tensor2D {
  const tensor = assertTensor('flattenFeatures', 'features', features);
  assertRank('flattenFeatures', 'features', tensor, { minRank: 2 });
  return tf.tidy(() => flattenUnchecked(tensor));
}
