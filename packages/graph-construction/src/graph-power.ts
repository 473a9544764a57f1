import * as tf from '@tensorflow/tfjs-core';
import { maxAbsScale } from './gram-matrix';
import { assertAdjacency, assertInteger } from './validation';
import type { ValueCheckOptions } from './value-checks';

/**
 * The p-th matrix power `A^p` of a graph (p-step walks: `(A^p)_ij` sums the weights of the walks
 * of length p from i to j), by repeated squaring (⌈log₂ p⌉ + popcount(p) − 1 matmuls).
 *
 * Differentiable with respect to `adjacency`; runs inside `tf.tidy`. For a normalised graph
 * (spectral radius ≤ 1 for non-negative weights) the powers stay bounded. Computed on `A/max|A|`
 * and scaled back, so entries are ±Inf only where the true power overflows float32, never NaN.
 *
 * @param adjacency - `[B, B]` float32 finite graph.
 * @param p - the power, an integer >= 1 (`p = 1` returns a copy of `adjacency`).
 * @param options - `checkFinite`: scan `adjacency` for NaN/Inf (default: {@link setValueChecks}).
 * @returns `A^p`, `[B, B]`.
 * @throws {InvalidArgumentError} when `adjacency` is not a square float32 rank-2 tensor (or holds
 *   NaN/Inf, when value checks are on)
 *   or `p` is not an integer >= 1.
 * @see Lassance et al., "Deep Geometric Knowledge Distillation with Graphs", ICASSP 2020.
 */
export function graphPower(
  adjacency: tf.Tensor2D,
  p: number,
  options: ValueCheckOptions = {},
): tf.Tensor2D {
  assertAdjacency('graphPower', 'adjacency', adjacency, options);
  assertInteger('graphPower', 'p', p, 1);
  return tf.tidy(() => {
    // A^p = s^p (A/s)^p with s = max|A| (a constant to tf.grad, exact since the identity holds
    // for any s): the products run on entries in [-1, 1], then s multiplies back p times, so an
    // entry is ±Inf only when its true value overflows, never Inf - Inf = NaN.
    const scale = maxAbsScale(adjacency);
    let result: tf.Tensor2D | undefined;
    let base: tf.Tensor2D = tf.div(adjacency, scale) as tf.Tensor2D;
    let remaining = p;
    while (remaining > 0) {
      if (remaining % 2 === 1)
        result = result === undefined ? base : (tf.matMul(result, base) as tf.Tensor2D);
      remaining = Math.floor(remaining / 2);
      if (remaining > 0) base = tf.matMul(base, base) as tf.Tensor2D;
    }
    let scaledBack: tf.Tensor2D = result!;
    for (let i = 0; i < p; i++) scaledBack = tf.mul(scaledBack, scale) as tf.Tensor2D;
    return scaledBack;
  });
}
