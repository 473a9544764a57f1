import * as tf from '@tensorflow/tfjs-core';
import { huberElementwise } from './huber';
import { gram, gramDiagonal } from './pairwise';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair, flattenBatch } from './validation';
import { definePairLoss } from './define-distillation-loss';

/**
 * cos ∠(x_j − x_i, x_k − x_i) for all triplets, `[B, B, B]` indexed [i, j, k], from the Gram
 * matrix G alone (no B×B×D difference tensor): e_ij·e_ik = G_jk − G_ij − G_ik + G_ii and
 * ‖e_ij‖² = G_jj − 2G_ij + G_ii. Entries with j = i or k = i are 0.
 */
function tripletCosines(features: tf.Tensor): tf.Tensor3D {
  const flat = flattenBatch(features);
  const size = flat.shape[0];
  const gramMatrix = gram(flat);
  const squaredNorms = gramDiagonal(gramMatrix);
  const gramII = tf.reshape(squaredNorms, [size, 1, 1]);
  const gramIJ = tf.reshape(gramMatrix, [size, size, 1]);
  const gramIK = tf.reshape(gramMatrix, [size, 1, size]);
  const gramJK = tf.reshape(gramMatrix, [1, size, size]);
  const dots = tf.add(tf.sub(tf.sub(gramJK, gramIJ), gramIK), gramII);
  const squaredLengths = tf.add(
    tf.sub(tf.reshape(squaredNorms, [1, size]), tf.mul(2, gramMatrix)),
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
 * @throws InvalidArgumentError for rank < 2, batch mismatch or non-finite values.
 * @see Park et al., "Relational Knowledge Distillation", CVPR 2019.
 */
export function rkdAngleLoss(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  assertFeaturePair('rkdAngleLoss', student, teacher);
  return tf.tidy(() => {
    const size = student.shape[0]!;
    const teacherCosines = stopGradient(tripletCosines(teacher));
    const studentCosines = tripletCosines(student);
    const losses = tf.mul(huberElementwise(studentCosines, teacherCosines), validTriplets(size));
    return tf.div(tf.sum(losses), Math.max(size * (size - 1) * (size - 1), 1)) as tf.Scalar;
  });
}

/** The registry's declaration of {@link rkdAngleLoss} (averaged over the tap pairs). */
export const rkdAngleDistillationLoss = definePairLoss({
  name: 'rkd-angle',
  description: 'RKD angle: Huber loss on the cosines of all triplet angles',
  defaultOptions: {},
  defaultWeight: 50,
  computePair: (student, teacher) => rkdAngleLoss(student, teacher),
});
