import * as tf from '@tensorflow/tfjs-core';

/**
 * Mean softmax cross-entropy of `logits` [batch, classes] against integer `labels` [batch],
 * through `logSoftmax` (one-hot product rather than `gather`, whose gradient some backends lack).
 */
export function crossEntropyFromLogits(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const indices = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
    const oneHot = tf.oneHot(indices, numClasses);
    const logProbabilities = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logProbabilities), 1))) as tf.Scalar;
  });
}

/** Number of rows whose arg-max logit equals the label, as a float32 scalar. */
export function correctCount(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const indices = labels.dtype === 'int32' ? labels : tf.cast(labels, 'int32');
    return tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), indices), 'float32'));
  });
}
