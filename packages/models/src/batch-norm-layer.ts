import * as tf from '@tensorflow/tfjs-core';
import { queueMovingStatistics } from './moving-statistics-update';
import type { ParameterBuilder } from './parameter-builder';

export { BATCH_NORM_MOMENTUM } from './moving-statistics-update';

/** The epsilon added to the variance, as in PyTorch. */
export const BATCH_NORM_EPSILON = 1e-5;

/**
 * Batch normalisation over all axes but the last. γ starts at 1, β at 0, the moving mean at 0
 * and the moving variance at 1. The moving variance tracks the unbiased batch variance
 * (n/(n−1)), as PyTorch does; normalisation uses the biased one.
 *
 * Training mode normalises with the batch statistics through a `tf.customGrad` whose gradient is
 * analytic and needs two per-channel reductions: autodiff through plain ops reduces a full-size
 * tensor for every broadcast op, and `tf.batchNorm`'s gradient goes through a slow `Tile` on wasm.
 * Inference mode is a per-channel scale and shift with the moving statistics.
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
    if (training) {
      const axes = x.shape.map((_, i) => i).slice(0, -1);
      // tf.moments's arithmetic, keeping x − μ: the normalisation reuses it (one pass fewer).
      const mean = tf.mean(x, axes);
      const centred = tf.sub(x, mean);
      const variance = tf.mean(tf.square(centred), axes);
      const count = axes.reduce((n, axis) => n * (x.shape[axis] as number), 1);
      // The updates read the batch statistics but never feed the loss, so no gradient flows
      // through them. Inside a model's training pass they are batched over all its layers.
      queueMovingStatistics({
        movingMean: this.movingMean,
        movingVariance: this.movingVariance,
        mean,
        variance,
        count,
      });
      return normalizeWithBatchStatistics(x, this.gamma, this.beta, centred, variance);
    }
    const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(this.movingVariance, BATCH_NORM_EPSILON)));
    const shift = tf.sub(this.beta, tf.mul(this.movingMean, scale));
    return tf.add(tf.mul(x, scale), shift) as T;
  }
}

/**
 * `γ·x̂ + β` with `x̂ = (x − μ)·rsqrt(σ² + ε)`, given `centred = x − μ` and the biased `variance`
 * σ² of `x` over all axes but the last, with the analytic gradient (N elements per channel,
 * `s = γ·rsqrt(σ² + ε)`, sums over all axes but the last):
 * `dβ = Σ dy`, `dγ = Σ dy·x̂`, `dx = s·(dy − dβ/N − x̂·dγ/N)`.
 * That gradient already accounts for μ and σ² depending on x, so `centred` and `variance` enter
 * as closed-over constants: x is an input only so that the tape routes dx to it, and no
 * gradient reaches the ops that computed the statistics.
 */
function normalizeWithBatchStatistics<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  centred: tf.Tensor,
  variance: tf.Tensor,
): T {
  const axes = x.shape.map((_, i) => i).slice(0, -1);
  const count = axes.reduce((n, axis) => n * (x.shape[axis] as number), 1);
  const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [, g, b, save] = args as [T, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const invStd = tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON));
    const scale = tf.mul(g, invStd);
    // y = (x − μ)·s + β: two full-size passes.
    const value = tf.add(tf.mul(centred, scale), b) as T;
    save([centred, invStd, scale]);
    return {
      value,
      gradFunc: (dy: T, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [c, inv, s] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
          const dBeta = tf.sum(dy, axes);
          // Σ dy·x̂ = rsqrt(σ²+ε)·Σ dy·(x − μ): x̂ itself is never materialised.
          const dGamma = tf.mul(tf.sum(tf.mul(dy, c), axes), inv);
          // dx = dy·s − ((x − μ)·(s·rsqrt(σ²+ε)·dγ/N) + s·dβ/N), per-channel factors first.
          const centredFactor = tf.mul(tf.mul(s, inv), tf.div(dGamma, count));
          const offset = tf.mul(s, tf.div(dBeta, count));
          const dx = tf.sub(tf.mul(dy, s), tf.add(tf.mul(c, centredFactor), offset));
          return [dx, dGamma, dBeta];
        }),
    };
  });
  return normalize(x, gamma, beta);
}
