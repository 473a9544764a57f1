import * as tf from '@tensorflow/tfjs-core';

/**
 * Momentum of the moving statistics: `moving = 0.9 · moving + 0.1 · batch`, which is PyTorch's
 * `momentum=0.1` (PyTorch weights the new batch by its momentum, Keras weights the old value).
 */
export const BATCH_NORM_MOMENTUM = 0.9;

/** One batch-norm layer's batch statistics, waiting to enter its moving statistics. @internal */
export interface BatchStatistics {
  /** The layer's moving mean, `[C]`. */
  movingMean: tf.Variable;
  /** The layer's moving variance, `[C]`. */
  movingVariance: tf.Variable;
  /** The batch mean, `[C]`. */
  mean: tf.Tensor;
  /** The biased batch variance, `[C]`. */
  variance: tf.Tensor;
  /** Elements per channel in the batch (the unbiased variance is `n/(n−1)` times the biased). */
  count: number;
}

/** The updates deferred by the innermost {@link batchMovingStatistics}, if any. */
let deferred: BatchStatistics[] | undefined;

/**
 * Runs `forward` (a training-mode forward pass) with the moving-statistic updates of every
 * batch-norm layer it applies deferred, then applies them all at once with
 * {@link updateMovingStatistics}: a dozen kernels plus two per layer instead of twelve per
 * layer. The layers never read their moving statistics in training mode, so the order makes
 * no difference to the values. Call it inside the `tf.tidy` of the forward pass.
 * @internal
 */
export function batchMovingStatistics<T>(forward: () => T): T {
  const outer = deferred;
  const pending: BatchStatistics[] = [];
  deferred = pending;
  try {
    const result = forward();
    updateMovingStatistics(pending);
    return result;
  } finally {
    deferred = outer;
  }
}

/**
 * Updates a layer's moving statistics with its batch statistics: at the end of the enclosing
 * {@link batchMovingStatistics}, or now when there is none.
 * @internal
 */
export function queueMovingStatistics(statistics: BatchStatistics): void {
  if (deferred === undefined) updateMovingStatistics([statistics]);
  else deferred.push(statistics);
}

/**
 * `moving ← 0.9·moving + 0.1·batch` for the means and `0.9·moving + 0.1·n/(n−1)·batch` for the
 * variances (the unbiased batch variance, as PyTorch), of all the layers at once on one flat
 * vector: the moving statistics and the batch statistics are concatenated (one `Concat` each),
 * updated by two multiplications (the new-batch weight per element, from a host-built vector)
 * and an addition, guarded against non-finite values, and sliced back into the variables.
 * Each element gets the float32 operations of a per-layer update, in the same order.
 *
 * An element whose update is not finite keeps its previous value: a batch whose activations
 * overflowed (the step the trainer then rejects with a non-finite loss) must not leave
 * Infinity or NaN in the moving statistics. `u − u` is 0 exactly when `u` is finite, and
 * needs no `IsFinite` kernel (which the wasm backend lacks); the check is on the device, with
 * no read-back.
 * @internal
 */
export function updateMovingStatistics(pending: readonly BatchStatistics[]): void {
  if (pending.length === 0) return;
  const keep = BATCH_NORM_MOMENTUM;
  const variables = pending.flatMap((entry) => [entry.movingMean, entry.movingVariance]);
  const weights = new Float32Array(variables.reduce((n, variable) => n + variable.size, 0));
  let offset = 0;
  for (const entry of pending) {
    const correction = entry.count > 1 ? entry.count / (entry.count - 1) : 1;
    const channels = entry.movingMean.size;
    weights.fill(1 - keep, offset, offset + channels);
    weights.fill((1 - keep) * correction, offset + channels, offset + 2 * channels);
    offset += 2 * channels;
  }
  tf.tidy(() => {
    const moving = tf.concat(variables, 0);
    const batch = tf.concat(
      pending.flatMap((entry) => [entry.mean, entry.variance]),
      0,
    );
    const updated = tf.add(tf.mul(moving, keep), tf.mul(batch, tf.tensor1d(weights)));
    const finite = tf.where(tf.equal(tf.sub(updated, updated), 0), updated, moving);
    let start = 0;
    for (const variable of variables) {
      // The assigned values keep their data alive after tidy disposes the handles.
      variable.assign(tf.slice(finite, [start], [variable.size]));
      start += variable.size;
    }
  });
}
