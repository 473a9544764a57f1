import * as tf from '@tensorflow/tfjs-core';

const identityWithZeroGradient = tf.customGrad((...inputs: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: tf.clone(inputs[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.zerosLike(dy as tf.Tensor),
}));

/**
 * Identity in the forward pass, zero gradient in the backward pass: the teacher side of a
 * distillation loss must never send gradients anywhere, even when the caller differentiates
 * with respect to a tensor that also fed the teacher.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return identityWithZeroGradient(x) as T;
}
