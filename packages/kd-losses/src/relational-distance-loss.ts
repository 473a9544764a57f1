import type { ValueCheckOptions } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { definePairLoss } from './define-distillation-loss';
import { untapedMaxAbsScale } from './untaped-scale';
import { assertFeaturePair, flattenBatch, propagateNonFinite } from './validation';

/** Squared distances are clamped here before the square root (as in the RKD code). */
const SQUARED_DISTANCE_FLOOR = 1e-12;

/** `[B, B]` bool, true off the diagonal (an upload, no kernel). */
function offDiagonalMask(size: number): tf.Tensor2D {
  const values = new Uint8Array(size * size).fill(1);
  for (let i = 0; i < size; i++) values[i * size + i] = 0;
  return tf.tensor2d(values, [size, size], 'bool');
}

/** The forward quantities of one side, kept by the student side for its gradient. */
interface RelativeDistances {
  /** The features over their scale, `[B, D]`, in [−1, 1]. */
  scaled: tf.Tensor2D;
  /** `max |x|` (1 for all zeros), a scalar. */
  scale: tf.Tensor;
  /** `‖u_i‖² + ‖u_j‖² − 2 u_i·u_j` of the scaled rows, `[B, B]`, exactly 0 on the diagonal. */
  squared: tf.Tensor2D;
  /** `sqrt(max(squared, 1e-12))`, `[B, B]`. */
  clamped: tf.Tensor2D;
  /** The sum `S` of the off-diagonal distances, a scalar. */
  total: tf.Tensor;
  /** The distances over their sum, `d_ij / S` (`[B, B]`, 0 on the diagonal). */
  relative: tf.Tensor2D;
}

/**
 * Pairwise distances of the rows of `flat` `[B, D]` divided by their sum over the B(B−1)
 * off-diagonal pairs (the mean-normalised distances of Park et al. over B(B−1)).
 *
 * The distances are those of `u = x / max|x|` (scale-invariant quantities, so no squared
 * distance overflows or underflows anywhere in float32's range), from one gram product
 * (`G_ii + G_jj − 2 G_ij`), with squared distances clamped at 1e-12 before the square root, so
 * identical points are 1e-6 apart off the diagonal. The diagonal holds `G_ii + G_ii − 2 G_ii`,
 * exactly 0 for finite input and NaN for a row holding NaN/Inf (no clamp hides it), so the
 * result is NaN then. Untaped: call inside `customGrad`.
 */
function relativeDistances(flat: tf.Tensor2D): RelativeDistances {
  const size = flat.shape[0];
  const scale = untapedMaxAbsScale(flat);
  const scaled = tf.div(flat, scale) as tf.Tensor2D;
  const gram = tf.matMul(scaled, tf.transpose(scaled));
  const norms = tf.sum(tf.mul(gram, tf.eye(size)), 1);
  const squared = tf.sub(
    tf.add(tf.reshape(norms, [size, 1]), tf.reshape(norms, [1, size])),
    tf.mul(gram, 2),
  ) as tf.Tensor2D;
  const clamped = tf.sqrt(tf.maximum(squared, SQUARED_DISTANCE_FLOOR)) as tf.Tensor2D;
  const distances = tf.where(offDiagonalMask(size), clamped, squared);
  const total = tf.sum(distances);
  const relative = tf.div(distances, total) as tf.Tensor2D;
  return { scaled, scale, squared, clamped, total, relative };
}

/** The teacher's relative distances `[B, B]` of `flat`, a constant to `tf.grad`. */
const teacherRelativeDistances = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const flat = args[0] as tf.Tensor2D;
  return {
    value: relativeDistances(flat).relative,
    gradFunc: () => [tf.zeros(flat.shape)],
  };
}) as (flat: tf.Tensor2D) => tf.Tensor2D;

/**
 * The loss `L = (1/N) Σ huber(N·(d_S/S_S − d_T/S_T))` (N = B(B−1), B ≥ 2; `d/S · N` is the
 * distance over its mean) of the student's flattened features and the teacher's relative
 * distances, with an analytic gradient for the student:
 *
 *   ∂L/∂d_kl = (N/S)(q_kl − Σ_ij q_ij ψ_ij),   q = clip(ψ_S − ψ_T, ±1/N), ψ = d/S
 *   ∂L/∂x_i = 2/s · Σ_j ∂L/∂d_ij · (u_i − u_j) / d_ij   (0 where d_ij² < 1e-12, as the clamp's)
 *
 * Huber with δ = 1 on N·r is `N² · q (r − q/2)` with q the clip of r to ±1/N. The teacher
 * input gets a zero gradient.
 */
const relationalDistanceHuber = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const flat = args[0] as tf.Tensor2D;
  const teacher = args[1] as tf.Tensor2D;
  const save = args[2] as tf.GradSaveFunc;
  const size = flat.shape[0];
  const pairs = size * (size - 1);
  const student = relativeDistances(flat);
  const difference = tf.sub(student.relative, teacher);
  const clipped = tf.clipByValue(difference, -1 / pairs, 1 / pairs);
  const huber = tf.mul(clipped, tf.sub(difference, tf.mul(clipped, 0.5)));
  save([
    student.scaled,
    student.scale,
    student.squared,
    student.clamped,
    student.total,
    student.relative,
    clipped,
  ]);
  return {
    value: tf.mul(tf.sum(huber), pairs),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [scaled, scale, squared, clamped, total, relative, clip] = saved as [
        tf.Tensor2D,
        tf.Tensor,
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor,
        tf.Tensor2D,
        tf.Tensor2D,
      ];
      // ∂L/∂d up to the factor N/S: q − Σ q ψ (the mean normalisation's share).
      const centred = tf.sub(clip, tf.sum(tf.mul(clip, relative)));
      // 2N / d where the clamp let the gradient through (never on the diagonal, where it is 0).
      const inverse = tf.where(
        tf.greaterEqual(squared, SQUARED_DISTANCE_FLOOR),
        tf.div(2 * pairs, clamped),
        tf.zeros([size, size]),
      );
      const factor = tf.div(tf.div(dy as tf.Tensor, total), scale);
      const weights = tf.mul(tf.mul(centred, inverse), factor) as tf.Tensor2D;
      // Σ_j w_ij (u_i − u_j) = (Σ_j w_ij) u_i − (W u)_i, with W symmetric.
      const gradient = tf.sub(tf.mul(tf.sum(weights, 1, true), scaled), tf.matMul(weights, scaled));
      return [gradient, tf.zeros([size, size])];
    },
  };
}) as (flat: tf.Tensor2D, teacher: tf.Tensor2D) => tf.Scalar;

/**
 * RKD distance loss: the student's pairwise distances, each divided by their mean over the
 * B(B−1) off-diagonal pairs, match the teacher's under the Huber loss (δ = 1), averaged over
 * the off-diagonal pairs:
 *
 *   L = 1/(B(B−1)) Σ_{i≠j} huber(d_S(i,j)/μ_S − d_T(i,j)/μ_T)
 *
 * Features `[B, ...]` are flattened to `[B, D]`; widths may differ. With B = 1 there is no pair
 * and the loss is 0. The teacher side carries no gradient. Squared distances are clamped at
 * 1e-12 (relative to the features' scale) before the square root, as in the RKD code: identical
 * points are 1e-6 apart and send no gradient to each other. The student's gradient is analytic
 * (one `[B, B]` by `[B, D]` product), not taped.
 *
 * Scale-invariant: features anywhere in float32's range give the loss of their rescaled copy
 * (never NaN). Zero-width features `[B, 0]` are the zero vectors (all distances equal).
 * Non-finite input gives a non-finite loss.
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
    const studentFlat = flattenBatch(student);
    const teacherFlat = flattenBatch(teacher);
    // No pair: the loss is 0 (NaN for non-finite input), with a zero gradient.
    if (student.shape[0] === 1) {
      return propagateNonFinite(tf.scalar(0), studentFlat, teacherFlat);
    }
    return relationalDistanceHuber(studentFlat, teacherRelativeDistances(teacherFlat));
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
