import type { ValueCheckOptions } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { definePairLoss } from './define-distillation-loss';
import { untapedMaxAbsScale } from './untaped-scale';
import { assertFeaturePair, flattenBatch, propagateNonFinite } from './validation';

/** Squared lengths are clamped here before the square root. */
const SQUARED_LENGTH_FLOOR = 1e-12;

/** `[B, B]` float32, 1 off the diagonal and 0 on it (an upload, no kernel). */
function offDiagonalOnes(size: number): tf.Tensor2D {
  const values = new Float32Array(size * size).fill(1);
  for (let i = 0; i < size; i++) values[i * size + i] = 0;
  return tf.tensor2d(values, [size, size]);
}

/** The forward quantities of one side, kept by the student side for its gradient. */
interface TripletCosines {
  /** The features over their scale `u = x / max|x|`, `[B, D]`. */
  scaled: tf.Tensor2D;
  /** `max |x|` (1 for all zeros), a scalar. */
  scale: tf.Tensor;
  /** `‖u_j − u_i‖²` from the gram matrix, `[B, B]` indexed [i, j]. */
  squared: tf.Tensor2D;
  /** `squared` clamped at 1e-12. */
  clamped: tf.Tensor2D;
  /** `1 / ‖u_j − u_i‖` (clamped), 0 on the diagonal, `[B, B]`. */
  inverse: tf.Tensor2D;
  /** The cosines `[B, B, B]` indexed [i, j, k], 0 where j = i or k = i. */
  cosines: tf.Tensor3D;
}

/**
 * cos ∠(u_j − u_i, u_k − u_i) for all triplets, `[B, B, B]` indexed [i, j, k], from the gram
 * matrix G of `u = x / max|x|` alone (no B×B×D difference tensor; cosines are invariant to the
 * scale, so no product overflows or underflows and the 1e-12 clamp is relative):
 * e_ij·e_ik = G_jk − G_ij − G_ik + G_ii and ‖e_ij‖² = G_jj − 2G_ij + G_ii, clamped at 1e-12
 * before the square root. The cosine is e_ij·e_ik · w_ij · w_ik with w = 1/‖e‖ off the diagonal
 * and 0 on it, so entries with j = i or k = i are 0, and a non-finite input value reaches every
 * entry of its rows as NaN (0 · NaN). Untaped: call inside `customGrad`.
 */
function tripletCosines(flat: tf.Tensor2D): TripletCosines {
  const size = flat.shape[0];
  const scale = untapedMaxAbsScale(flat);
  const scaled = tf.div(flat, scale) as tf.Tensor2D;
  const gram = tf.matMul(scaled, tf.transpose(scaled));
  const squaredNorms = tf.sum(tf.mul(gram, tf.eye(size)), 1);
  const gramII = tf.reshape(squaredNorms, [size, 1, 1]);
  const gramIJ = tf.reshape(gram, [size, size, 1]);
  const gramIK = tf.reshape(gram, [size, 1, size]);
  const gramJK = tf.reshape(gram, [1, size, size]);
  const dots = tf.add(tf.sub(tf.sub(gramJK, gramIJ), gramIK), gramII);
  const squared = tf.add(
    tf.sub(tf.reshape(squaredNorms, [1, size]), tf.mul(2, gram)),
    tf.reshape(squaredNorms, [size, 1]),
  ) as tf.Tensor2D;
  const clamped = tf.clipByValue(squared, SQUARED_LENGTH_FLOOR, Number.MAX_VALUE) as tf.Tensor2D;
  const inverse = tf.div(offDiagonalOnes(size), tf.sqrt(clamped)) as tf.Tensor2D;
  const cosines = tf.mul(
    tf.mul(dots, tf.reshape(inverse, [size, size, 1])),
    tf.reshape(inverse, [size, 1, size]),
  ) as tf.Tensor3D;
  return { scaled, scale, squared, clamped, inverse, cosines };
}

/** The teacher's cosines `[B, B, B]` of `flat`, a constant to `tf.grad`. */
const teacherCosines = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const flat = args[0] as tf.Tensor2D;
  return { value: tripletCosines(flat).cosines, gradFunc: () => [tf.zeros(flat.shape)] };
}) as (flat: tf.Tensor2D) => tf.Tensor3D;

/**
 * `L = 1/(B(B−1)²) Σ huber(c_S − c_T)` (B ≥ 2) of the student's flattened features and the
 * teacher's cosines, with an analytic gradient for the student: with q = clip(c_S − c_T, ±1)
 * (Huber's derivative), a = q·w_ij·w_ik (∂L/∂(e_ij·e_ik)) and E_ij = Σ_k (q c)_ijk + (q c)_ikj
 * over ‖e_ij‖² (0 where the clamp holds it, as the clamp's gradient), the gram matrix gets
 * K = A0 − A1 − A2 + E plus diag(rowsum(A2) − (rowsum(E) + colsum(E))/2), where A0, A1, A2 are
 * a summed over i, j, k; then ∂L/∂x = (K + Kᵀ + 2 diag) u / (M s). The teacher input gets a zero
 * gradient.
 */
const relationalAngleHuber = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const flat = args[0] as tf.Tensor2D;
  const teacher = args[1] as tf.Tensor3D;
  const save = args[2] as tf.GradSaveFunc;
  const size = flat.shape[0];
  const triplets = size * (size - 1) * (size - 1);
  const student = tripletCosines(flat);
  const difference = tf.sub(student.cosines, teacher);
  const clipped = tf.clipByValue(difference, -1, 1);
  const huber = tf.mul(clipped, tf.sub(difference, tf.mul(clipped, 0.5)));
  save([
    student.scaled,
    student.scale,
    student.squared,
    student.clamped,
    student.inverse,
    student.cosines,
    clipped,
  ]);
  return {
    value: tf.div(tf.sum(huber), triplets),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [scaled, scale, squared, clamped, inverse, cosines, clip] = saved as [
        tf.Tensor2D,
        tf.Tensor,
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor3D,
        tf.Tensor3D,
      ];
      // ∂L/∂(e_ij·e_ik), up to the factor dy/M.
      const dots = tf.mul(
        tf.mul(clip, tf.reshape(inverse, [size, size, 1])),
        tf.reshape(inverse, [size, 1, size]),
      );
      // ∂L/∂‖e_ij‖² · (−2): each length is the first and the second factor of cosines.
      const weighted = tf.mul(clip, cosines);
      const lengths = tf.where(
        tf.greaterEqual(squared, SQUARED_LENGTH_FLOOR),
        tf.div(tf.add(tf.sum(weighted, 2), tf.sum(weighted, 1)), clamped),
        tf.zeros([size, size]),
      );
      const overI = tf.sum(dots, 0);
      const overJ = tf.sum(dots, 1);
      const overK = tf.sum(dots, 2);
      const offDiagonal = tf.add(tf.sub(tf.sub(overI, overJ), overK), lengths);
      // Twice the squared norms' gradient: they enter e_ij·e_ik (G_ii) and ‖e_ij‖² (G_ii, G_jj).
      const norms = tf.sub(
        tf.mul(tf.sum(overK, 1), 2),
        tf.add(tf.sum(lengths, 1), tf.sum(lengths, 0)),
      );
      const symmetric = tf.add(
        tf.add(offDiagonal, tf.transpose(offDiagonal)),
        tf.mul(tf.reshape(norms, [size, 1]), tf.eye(size)),
      );
      const factor = tf.div(tf.div(dy as tf.Tensor, scale), triplets);
      return [tf.mul(tf.matMul(symmetric, scaled), factor), tf.zeros(teacher.shape)];
    },
  };
}) as (flat: tf.Tensor2D, teacher: tf.Tensor3D) => tf.Scalar;

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
    const studentFlat = flattenBatch(student);
    const teacherFlat = flattenBatch(teacher);
    // No triplet: the loss is 0 (NaN for non-finite input), with a zero gradient.
    if (student.shape[0] === 1) {
      return propagateNonFinite(tf.scalar(0), studentFlat, teacherFlat);
    }
    return relationalAngleHuber(studentFlat, teacherCosines(teacherFlat));
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
