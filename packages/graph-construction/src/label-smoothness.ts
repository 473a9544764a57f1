import * as tf from '@tensorflow/tfjs-core';
import { constantOf, maxAbsScale } from './gram-matrix';
import { assertAdjacency, assertInteger, assertLabels } from './validation';
import { shouldCheckValues, type ValueCheckOptions } from './value-checks';

/** Options of {@link labelSmoothness}. */
export interface LabelSmoothnessOptions extends ValueCheckOptions {
  /**
   * The number of classes; when given, labels must be `< numClasses`.
   * @default undefined (any non-negative integer label)
   */
  numClasses?: number;
  /**
   * Divide by the total edge weight `Σ_ij A_ij`, giving the fraction of the weight that crosses
   * classes (0 when the total is 0).
   * @default false
   */
  normalized?: boolean;
}

/**
 * The Laplacian quadratic form of the one-hot label signal `Y` (`[B, C]`) on a graph `A`:
 * `tr(Yᵀ L Y)` with `L = D − A`, `D = diag(Σ_j A_ij)`, which equals
 * `½ Σ_ij A_ij ‖y_i − y_j‖² = Σ_ij A_ij [y_i ≠ y_j]`: the edge weight that crosses classes
 * (each unordered pair counted in both directions). 0 for a graph whose edges all join samples
 * of the same class; small values mean labels are smooth on the graph.
 *
 * Not normalised by default: it is computed on `A` as given (pass a normalised graph to measure
 * on it), and scales with the graph's weights. With `normalized: true` it is divided by
 * `Σ_ij A_ij` (the fraction of weight crossing classes).
 *
 * Differentiable with respect to `adjacency`; runs inside `tf.tidy`.
 *
 * @param adjacency - `[B, B]` float32 finite graph.
 * @param labels - `[B]` class indices (int32, or float32 holding integers).
 * @param options - a {@link LabelSmoothnessOptions} object, or the number of classes.
 * @returns a scalar tensor.
 * @throws {InvalidArgumentError} when `adjacency` is not a square float32 rank-2 tensor or
 *   `labels` not a `[B]` tensor; with value checks on (`checkFinite`, {@link setValueChecks}),
 *   also for NaN/Inf in `adjacency` or labels that are not non-negative integers (`< numClasses`
 *   when given); or `numClasses` is
 *   not an integer >= 1.
 * @see Shuman et al., "The emerging field of signal processing on graphs", IEEE Signal
 *   Processing Magazine 2013 (Laplacian quadratic form as smoothness).
 *
 * @example
 * ```ts
 * const graph = similarityGraph(features);
 * const crossing = labelSmoothness(graph, labels, { normalized: true }).dataSync()[0];
 * ```
 */
export function labelSmoothness(
  adjacency: tf.Tensor2D,
  labels: tf.Tensor1D,
  options: LabelSmoothnessOptions | number = {},
): tf.Scalar {
  const fn = 'labelSmoothness';
  const resolved: LabelSmoothnessOptions =
    typeof options === 'number' ? { numClasses: options } : options;
  const numClasses =
    resolved.numClasses === undefined
      ? undefined
      : assertInteger(fn, 'numClasses', resolved.numClasses, 1);
  const checkValues = shouldCheckValues(resolved.checkFinite);
  const batch = assertAdjacency(fn, 'adjacency', adjacency, { checkFinite: checkValues });
  assertLabels(fn, 'labels', labels, batch, numClasses, checkValues);
  return tf.tidy(() => {
    const y = tf.cast(labels, 'int32');
    const different = tf.cast(
      tf.notEqual(tf.reshape(y, [-1, 1]), tf.reshape(y, [1, -1])),
      'float32',
    );
    if (!resolved.normalized) return tf.sum(tf.mul(adjacency, different)) as tf.Scalar;
    // The fraction is invariant to A's scale: compute it on A / max|A| (a constant to tf.grad,
    // exact for an invariant quantity), so that a tiny total weight neither underflows its
    // square in the gradient (crossing / total² was Inf) nor falls to 0.
    const scaled = tf.div(adjacency, maxAbsScale(adjacency));
    const crossing = tf.sum(tf.mul(scaled, different));
    const total = tf.sum(scaled);
    // 0/1 constant: comparisons have no gradient in tfjs.
    const nonZero = constantOf(total, (t) => tf.cast(tf.notEqual(t, 0), 'float32'));
    const safeTotal = tf.add(tf.mul(total, nonZero), tf.sub(1, nonZero));
    return tf.mul(tf.div(crossing, safeTotal), nonZero) as tf.Scalar;
  });
}
