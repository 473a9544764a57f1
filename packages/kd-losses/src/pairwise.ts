import * as tf from '@tensorflow/tfjs-core';

/** Gram matrix X·Xᵀ of `[B, D]` rows (explicit transpose: transposed matmuls are slow on wasm). */
export function gram(features: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(features, tf.transpose(features));
}

/** Squared norms ‖xᵢ‖² as a `[B]` vector, read from the Gram matrix's diagonal. */
export function gramDiagonal(gramMatrix: tf.Tensor2D): tf.Tensor1D {
  const size = gramMatrix.shape[0];
  return tf.sum(tf.mul(gramMatrix, tf.eye(size)), 1) as tf.Tensor1D;
}

/**
 * Pairwise Euclidean distances `[B, B]`, 0 on the diagonal. Squared distances are clamped at
 * 1e-12 before the square root (as in the RKD code), so identical points give distance ~1e-6
 * off the diagonal and the gradient stays finite.
 */
export function pairwiseDistances(features: tf.Tensor2D): tf.Tensor2D {
  const size = features.shape[0];
  const gramMatrix = gram(features);
  const squaredNorms = gramDiagonal(gramMatrix);
  const squared = tf.sub(
    tf.add(tf.reshape(squaredNorms, [size, 1]), tf.reshape(squaredNorms, [1, size])),
    tf.mul(2, gramMatrix),
  );
  const offDiagonal = tf.sub(1, tf.eye(size));
  return tf.mul(
    tf.sqrt(tf.clipByValue(squared, 1e-12, Number.MAX_VALUE)),
    offDiagonal,
  ) as tf.Tensor2D;
}
