import * as tf from '@tensorflow/tfjs-core';
import { assertAdjacency, assertInteger } from './validation';

/**
 * The p-th matrix power `A^p` of a graph (p-step walks: `(A^p)_ij` sums the weights of the walks
 * of length p from i to j), by repeated squaring (⌈log₂ p⌉ + popcount(p) − 1 matmuls).
 *
 * Differentiable with respect to `adjacency`; runs inside `tf.tidy`. For a normalised graph
 * (spectral radius ≤ 1 for non-negative weights) the powers stay bounded.
 *
 * @param adjacency - `[B, B]` float32 finite graph.
 * @param p - the power, an integer >= 1 (`p = 1` returns a copy of `adjacency`).
 * @returns `A^p`, `[B, B]`.
 * @throws {InvalidArgumentError} when `adjacency` is not a finite square float32 rank-2 tensor
 *   or `p` is not an integer >= 1.
 * @see Lassance et al., "Deep Geometric Knowledge Distillation with Graphs", ICASSP 2020.
 */
export function graphPower(adjacency: tf.Tensor2D, p: number): tf.Tensor2D {
  assertAdjacency('graphPower', 'adjacency', adjacency);
  assertInteger('graphPower', 'p', p, 1);
  return tf.tidy(() => {
    let result: tf.Tensor2D | undefined;
    let base: tf.Tensor2D = adjacency;
    let remaining = p;
    while (remaining > 0) {
      if (remaining % 2 === 1)
        result = result === undefined ? base : (tf.matMul(result, base) as tf.Tensor2D);
      remaining = Math.floor(remaining / 2);
      if (remaining > 0) base = tf.matMul(base, base) as tf.Tensor2D;
    }
    return tf.clone(result!) as tf.Tensor2D;
  });
}
