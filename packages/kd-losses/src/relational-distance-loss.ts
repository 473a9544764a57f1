import {
  maxAbsScale,
  pairwiseSquaredDistances,
  type ValueCheckOptions,
} from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { huberElementwise } from './huber';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair, flattenBatch, propagateNonFinite } from './validation';
import { definePairLoss } from './define-distillation-loss';

/**
 * Pairwise Euclidean distances `[B, B]` of `[B, D]` rows, 0 on the diagonal. Squared distances
 * are clamped at 1e-12 before the square root (as in the RKD code), so identical points give
 * distance ~1e-6 off the diagonal and the gradient stays finite.
 */
function pairwiseDistances(rows: tf.Tensor2D): tf.Tensor2D {
  const size = rows.shape[0];
  const squared = pairwiseSquaredDistances(rows);
  const offDiagonal = tf.sub(1, tf.eye(size));
  return tf.mul(tf.sqrt(tf.maximum(squared, 1e-12)), offDiagonal) as tf.Tensor2D;
}

/**
 * Divides off-diagonal distances by their mean (guarded: all-identical points give 0, not NaN).
 * Distances over their mean are invariant to the features' scale: they are computed on
 * `x / max|x|` (the scale a constant to tf.grad, which is exact for an invariant quantity), so
 * no squared distance overflows (from |x| ≈ 1e19) or underflows, and the 1e-12 clamps apply
 * relative to the features' scale.
 */
function normalizedDistances(features: tf.Tensor): tf.Tensor2D {
  const size = features.shape[0]!;
  const flat = flattenBatch(features);
  const distances = pairwiseDistances(tf.div(flat, maxAbsScale(flat)) as tf.Tensor2D);
  const pairs = size * (size - 1);
  const mean = tf.maximum(tf.div(tf.sum(distances), Math.max(pairs, 1)), 1e-12);
  return tf.div(distances, mean) as tf.Tensor2D;
}

/**
 * RKD distance loss: the student's pairwise distances, each divided by their mean over the
 * B(B−1) off-diagonal pairs, match the teacher's under the Huber loss (δ = 1), averaged over
 * the off-diagonal pairs:
 *
 *   L = 1/(B(B−1)) Σ_{i≠j} huber(d_S(i,j)/μ_S − d_T(i,j)/μ_T)
 *
 * Features `[B, ...]` are flattened to `[B, D]`; widths may differ. With B = 1 there is no pair
 * and the loss is 0. The teacher side carries no gradient.
 *
 * Scale-invariant: features anywhere in float32's range give the loss of their rescaled copy
 * (never NaN). Zero-width features `[B, 0]` are the zero vectors (all distances equal).
 *
 * @param options - `checkFinite`: scan both inputs for NaN/Inf first (default: the process-wide
 *   `setValueChecks` setting, off).
 * @throws InvalidArgumentError for rank < 2, batch mismatch, or (value checks on) non-finite
 *   values.
 * @see Park et al., "Relational Knowledge Distillation", CVPR 2019.
 */
export function rkdDistanceLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: ValueCheckOptions = {},
): tf.Scalar {
  assertFeaturePair('rkdDistanceLoss', student, teacher, undefined, undefined, options.checkFinite);
  return tf.tidy(() => {
    const size = student.shape[0]!;
    const teacherDistances = stopGradient(normalizedDistances(teacher));
    const studentDistances = normalizedDistances(student);
    const offDiagonal = tf.sub(1, tf.eye(size));
    const losses = tf.mul(huberElementwise(studentDistances, teacherDistances), offDiagonal);
    return propagateNonFinite(
      tf.div(tf.sum(losses), Math.max(size * (size - 1), 1)),
      student,
      teacher,
    );
  });
}

/** The registry's declaration of {@link rkdDistanceLoss} (averaged over the tap pairs). */
export const rkdDistanceDistillationLoss = definePairLoss<ValueCheckOptions>({
  name: 'rkd-distance',
  description: 'RKD distance: Huber loss on mean-normalised pairwise distances',
  defaultOptions: { checkFinite: undefined },
  defaultWeight: 25,
  computePair: (student, teacher, options) => rkdDistanceLoss(student, teacher, options),
});
