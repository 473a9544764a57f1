import * as tf from '@tensorflow/tfjs-core';

/**
 * `max |x|` over `axis` (all axes when omitted; reduced dimensions kept), 1 where that maximum is
 * 0, as `maxAbsScale` of @geokd/graph-construction but without its `customGrad` wrapper and
 * with the 1 uploaded rather than computed: one kernel fewer, for forward passes that run
 * untaped inside a `customGrad` whose gradient treats the scale as a constant. Dividing by it
 * brings values into [−1, 1]; an all-zero slice stays 0 and its gradient stays finite.
 *
 * @internal
 */
export function untapedMaxAbsScale(x: tf.Tensor, axis?: number): tf.Tensor {
  const maximum = tf.max(tf.abs(x), axis, true);
  return tf.where(tf.greater(maximum, 0), maximum, tf.ones(maximum.shape));
}
