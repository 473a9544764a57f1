import * as tf from '@tensorflow/tfjs-core';
import { flattenUnchecked } from './flatten-features';
import { assertBatchFeatures, gramProduct, maxAbsScale } from './gram-matrix';

/** The diagonal `[B]` of a `[B, B]` matrix (differentiable: a masked row sum). @internal */
export function diagonalOf(matrix: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.mul(matrix, tf.eye(matrix.shape[0])), 1) as tf.Tensor1D;
}

/** `1 - I` as a `[B, B]` float32 tensor. @internal */
export function offDiagonalOnes(batch: number): tf.Tensor2D {
  return tf.sub(tf.ones([batch, batch]), tf.eye(batch)) as tf.Tensor2D;
}

/**
 * `‖x_i - x_j‖² = G_ii + G_jj - 2 G_ij` from a gram matrix `G`, clamped at 0, diagonal 0.
 * @internal
 */
export function squaredDistancesFromGram(gram: tf.Tensor2D): tf.Tensor2D {
  const batch = gram.shape[0];
  const squaredNorms = diagonalOf(gram);
  const distances = tf.relu(
    tf.sub(
      tf.add(tf.reshape(squaredNorms, [-1, 1]), tf.reshape(squaredNorms, [1, -1])),
      tf.mul(2, gram),
    ),
  );
  return tf.mul(distances, offDiagonalOnes(batch)) as tf.Tensor2D;
}

/**
 * Pairwise squared Euclidean distances `D_ij = ‖x_i - x_j‖²` of a batch of features `[B, ...]`
 * flattened to `[B, D]`, computed from one gram product (`G_ii + G_jj - 2 G_ij`, clamped at 0 so
 * rounding never makes it negative; the diagonal is exactly 0), with the gram product's fast
 * analytic gradient.
 *
 * Overflow-safe: computed on `X / s` with `s = max|X|` and multiplied back by `s` twice, so an
 * entry is +Inf only when the true distance exceeds float32's range, never NaN for finite input
 * (the naive `G_ii + G_jj - 2 G_ij` gives `Inf - Inf` from |x| ≈ 1e19 on). Zero-width features
 * `[B, 0]` give all zeros. Differentiable; runs inside `tf.tidy`.
 *
 * @param features - `[B, ...]` float32 features, B >= 1.
 * @returns the `[B, B]` squared distances.
 * @throws {InvalidArgumentError} when `features` is not a float32 tensor of rank >= 2 with B >= 1.
 * @example
 * ```ts
 * pairwiseSquaredDistances(tf.tensor2d([[0, 0], [3, 4]])); // [[0, 25], [25, 0]]
 * ```
 */
export function pairwiseSquaredDistances(features: tf.Tensor): tf.Tensor2D {
  assertBatchFeatures('pairwiseSquaredDistances', features);
  return tf.tidy(() => {
    const x = flattenUnchecked(features);
    const scale = maxAbsScale(x);
    const scaled = squaredDistancesFromGram(gramProduct(tf.div(x, scale) as tf.Tensor2D));
    return tf.mul(tf.mul(scaled, scale), scale) as tf.Tensor2D;
  });
}
