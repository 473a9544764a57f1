import * as tf from '@tensorflow/tfjs-core';
import type { ParameterBuilder } from './parameter-builder';

/**
 * Momentum of the moving statistics: `moving = 0.9 · moving + 0.1 · batch`, which is PyTorch's
 * `momentum=0.1` (PyTorch weights the new batch by its momentum, Keras weights the old value).
 */
export const BATCH_NORM_MOMENTUM = 0.9;

/** The epsilon added to the variance, as in PyTorch. */
export const BATCH_NORM_EPSILON = 1e-5;

/**
 * Batch normalisation over all axes but the last, written with plain ops (`moments`, `rsqrt`,
 * multiply, add) rather than `tf.batchNorm`, whose gradient is slow on wasm. γ starts at 1,
 * β at 0, the moving mean at 0 and the moving variance at 1. The moving variance tracks the
 * unbiased batch variance (n/(n−1)), as PyTorch does; normalisation uses the biased one.
 * @internal
 */
export class BatchNormLayer {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;

  constructor(
    builder: ParameterBuilder,
    readonly name: string,
    readonly channels: number,
  ) {
    const learned = { trainable: true, weightDecay: false };
    const statistic = { trainable: false, weightDecay: false };
    this.gamma = builder.constant(`${name}/gamma`, [channels], 1, learned);
    this.beta = builder.constant(`${name}/beta`, [channels], 0, learned);
    this.movingMean = builder.constant(`${name}/moving_mean`, [channels], 0, statistic);
    this.movingVariance = builder.constant(`${name}/moving_variance`, [channels], 1, statistic);
  }

  apply<T extends tf.Tensor>(x: T, training: boolean): T {
    const axes = x.shape.map((_, i) => i).slice(0, -1);
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (training) {
      const moments = tf.moments(x, axes);
      mean = moments.mean;
      variance = moments.variance;
      const count = axes.reduce((n, axis) => n * (x.shape[axis] as number), 1);
      const correction = count > 1 ? count / (count - 1) : 1;
      const keep = BATCH_NORM_MOMENTUM;
      // The updates read the batch statistics but never feed the loss, so no gradient flows
      // through them; the assigned values keep their data alive after tidy disposes the handles.
      this.movingMean.assign(tf.add(tf.mul(this.movingMean, keep), tf.mul(mean, 1 - keep)));
      this.movingVariance.assign(
        tf.add(tf.mul(this.movingVariance, keep), tf.mul(variance, (1 - keep) * correction)),
      );
    } else {
      mean = this.movingMean;
      variance = this.movingVariance;
    }
    const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON)));
    const shift = tf.sub(this.beta, tf.mul(mean, scale));
    return tf.add(tf.mul(x, scale), shift) as T;
  }
}
