import * as tf from '@tensorflow/tfjs-core';

/**
 * Elementwise Huber (smooth L1) loss with δ = 1, as PyTorch's `smooth_l1_loss`:
 * 0.5·d² where |d| < 1, |d| − 0.5 elsewhere.
 */
export function huberElementwise(prediction: tf.Tensor, target: tf.Tensor): tf.Tensor {
  const absolute = tf.abs(tf.sub(prediction, target));
  const quadratic = tf.minimum(absolute, 1);
  // 0.5·q² + (|d| − q): equals 0.5·d² below 1 and |d| − 0.5 above, with a continuous gradient.
  return tf.add(tf.mul(0.5, tf.square(quadratic)), tf.sub(absolute, quadratic));
}
