import { gramMatrix, maxAbsScale, type ValueCheckOptions } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { huberElementwise } from './huber';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair, flattenBatch, propagateNonFinite } from './validation';
import { definePairLoss } from './define-distillation-loss';

/**
 * cos ∠(x_j − x_i, x_k − x_i) for all triplets, `[B, B, B]` indexed [i, j, k], from the Gram
 * matrix G alone (no B×B×D difference tensor): e_ij·e_ik = G_jk − G_ij − G_ik + G_ii and
 * ‖e_ij‖² = G_jj − 2G_ij + G_ii. Entries with j = i or k = i are 0. Cosines are invariant to
 * the features' scale: G is taken on `x / max|x|` (a constant to tf.grad, exact for an invariant
 * quantity), so no product overflows or underflows and the 1e-12 clamp is relative.
 */
function tripletCosines(features: tf.Tensor): tf.Tensor3D {
  const flat = flattenBatch(features);
  const size = flat.shape[0];
  const gram = gramMatrix(tf.div(flat, maxAbsScale(flat)));
  const squaredNorms = tf.sum(tf.mul(gram, tf.eye(size)), 1);
  const gramII = tf.reshape(squaredNorms, [size, 1, 1]);
  const gramIJ = tf.reshape(gram, [size, size, 1]);
  const gramIK = tf.reshape(gram, [size, 1, size]);
  const gramJK = tf.reshape(gram, [1, size, size]);
  const dots = tf.add(tf.sub(tf.sub(gramJK, gramIJ), gramIK), gramII);
  const squaredLengths = tf.add(
    tf.sub(tf.reshape(squaredNorms, [1, size]), tf.mul(2, gram)),
    tf.reshape(squaredNorms, [size, 1]),
  );
  const lengths = tf.sqrt(tf.clipByValue(squaredLengths, 1e-12, Number.MAX_VALUE));
  const cosines = tf.div(
    dots,
    tf.mul(tf.reshape(lengths, [size, size, 1]), tf.reshape(lengths, [size, 1, size])),
  );
  return tf.mul(cosines, validTriplets(size)) as tf.Tensor3D;
}

/** 1 where j ≠ i and k ≠ i, as `[B, B, B]`. */
function validTriplets(size: number): tf.Tensor3D {
  const offDiagonal = tf.sub(1, tf.eye(size));
  return tf.mul(tf.reshape(offDiagonal, [size, size, 1]), tf.reshape(offDiagonal, [size, 1, size]));
}

/**
 * RKD angle loss: the cosines of the angles formed by every triplet of the batch,
 * cos ∠(x_j − x_i, x_k − x_i), match the teacher's under the Huber loss (δ = 1), averaged over
 * the B(B−1)² triplets with j ≠ i and k ≠ i:
 *
 *   L = 1/(B(B−1)²) Σ_{i, j≠i, k≠i} huber(cos_S(i,j,k) − cos_T(i,j,k))
 *
 * Built from the B×B Gram matrix (O(B³) memory, not O(B²D)). Coincident points give a cosine of 0.
 * Features `[B, ...]` are flattened to `[B, D]`; widths may differ. The teacher side carries no
 * gradient. Loss 0 for B < 2.
 *
 * Scale-invariant: features anywhere in float32's range give the loss of their rescaled copy
 * (never NaN). Zero-width features `[B, 0]` are the zero vectors (every cosine 0).
 *
 * @param options - `checkFinite`: scan both inputs for NaN/Inf first (default: the process-wide
 *   `setValueChecks` setting, off).
 * @throws InvalidArgumentError for rank < 2, batch mismatch, or (value checks on) non-finite
 *   values.
 * @see Park et al., "Relational Knowledge Distillation", CVPR 2019.
 */
export function rkdAngleLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: ValueCheckOptions = {},
): tf.Scalar {
  assertFeaturePair('rkdAngleLoss', student, teacher, undefined, undefined, options.checkFinite);
  return tf.tidy(() => {
    const size = student.shape[0]!;
    const teacherCosines = stopGradient(tripletCosines(teacher));
    const studentCosines = tripletCosines(student);
    const losses = tf.mul(huberElementwise(studentCosines, teacherCosines), validTriplets(size));
    const mean = tf.div(tf.sum(losses), Math.max(size * (size - 1) * (size - 1), 1));
    return propagateNonFinite(mean, student, teacher);
  });
}

/** The registry's declaration of {@link rkdAngleLoss} (averaged over the tap pairs). */
export const rkdAngleDistillationLoss = definePairLoss<ValueCheckOptions>({
  name: 'rkd-angle',
  description: 'RKD angle: Huber loss on the cosines of all triplet angles',
  defaultOptions: { checkFinite: undefined },
  defaultWeight: 50,
  computePair: (student, teacher, options) => rkdAngleLoss(student, teacher, options),
});
