import * as tf from '@tensorflow/tfjs-core';
import { huberElementwise } from './huber';
import { pairwiseDistances } from './pairwise';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair, flattenBatch } from './validation';
import { definePairLoss } from './define-distillation-loss';

/** Divides off-diagonal distances by their mean (guarded: all-identical points give 0, not NaN). */
function normalizedDistances(features: tf.Tensor): tf.Tensor2D {
  const size = features.shape[0]!;
  const distances = pairwiseDistances(flattenBatch(features));
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
 * @throws InvalidArgumentError for rank < 2, batch mismatch or non-finite values.
 * @see Park et al., "Relational Knowledge Distillation", CVPR 2019.
 */
export function rkdDistanceLoss(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  assertFeaturePair('rkdDistanceLoss', student, teacher);
  return tf.tidy(() => {
    const size = student.shape[0]!;
    const teacherDistances = stopGradient(normalizedDistances(teacher));
    const studentDistances = normalizedDistances(student);
    const offDiagonal = tf.sub(1, tf.eye(size));
    const losses = tf.mul(huberElementwise(studentDistances, teacherDistances), offDiagonal);
    return tf.div(tf.sum(losses), Math.max(size * (size - 1), 1)) as tf.Scalar;
  });
}

/** The registry's declaration of {@link rkdDistanceLoss} (averaged over the tap pairs). */
export const rkdDistanceDistillationLoss = definePairLoss({
  name: 'rkd-distance',
  description: 'RKD distance: Huber loss on mean-normalised pairwise distances',
  defaultOptions: {},
  defaultWeight: 25,
  computePair: (student, teacher) => rkdDistanceLoss(student, teacher),
});
