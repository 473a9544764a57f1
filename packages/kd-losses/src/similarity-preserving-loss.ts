import type { ValueCheckOptions } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { definePairLoss } from './define-distillation-loss';
import { untapedMaxAbsScale } from './untaped-scale';
import { assertFeaturePair, flattenBatch } from './validation';

/** The forward quantities of one side, kept by the student side for its gradient. */
interface NormalizedGram {
  /** The features over their scale `v = x / max|x|`, `[B, D]`. */
  scaled: tf.Tensor2D;
  /** `max |x|` (1 for all zeros), a scalar. */
  scale: tf.Tensor;
  /** Each gram row's `max |G_ij|` (1 for all zeros), `[B, 1]`. */
  rowScales: tf.Tensor2D;
  /** Each row's L2 norm after the row scale, clamped at 1e-12, `[B, 1]`. */
  norms: tf.Tensor2D;
  /** The row-normalised gram matrix `[B, B]`. */
  rows: tf.Tensor2D;
}

/**
 * G = V·Vᵀ with each row divided by its L2 norm (max(‖·‖, 1e-12), as PyTorch's normalize).
 * Invariant to the features' scale and to each Gram row's scale, so both are divided out first
 * (`v = x / max|x|`, then each row by its max |G_ij|): no square overflows or underflows
 * anywhere in float32's range (at 1e18 the row norms overflowed to Inf and the loss was silently
 * wrong; at 1e20 it was NaN). A row scaled by its max has norm ≥ 1 unless it is all zero (then
 * it stays 0), so the clamp holds only zero rows. A non-finite input value makes its gram row
 * and column NaN, hence the loss. Untaped: call inside `customGrad`.
 */
function normalizedGram(flat: tf.Tensor2D): NormalizedGram {
  const scale = untapedMaxAbsScale(flat);
  const scaled = tf.div(flat, scale) as tf.Tensor2D;
  const gram = tf.matMul(scaled, tf.transpose(scaled));
  const rowScales = untapedMaxAbsScale(gram, 1) as tf.Tensor2D;
  const scaledRows = tf.div(gram, rowScales);
  const norms = tf.maximum(
    tf.sqrt(tf.clipByValue(tf.sum(tf.square(scaledRows), 1, true), 1e-24, Number.MAX_VALUE)),
    1e-12,
  ) as tf.Tensor2D;
  const rows = tf.div(scaledRows, norms) as tf.Tensor2D;
  return { scaled, scale, rowScales, norms, rows };
}

/** The teacher's normalised gram matrix `[B, B]` of `flat`, a constant to `tf.grad`. */
const teacherNormalizedGram = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const flat = args[0] as tf.Tensor2D;
  return { value: normalizedGram(flat).rows, gradFunc: () => [tf.zeros(flat.shape)] };
}) as (flat: tf.Tensor2D) => tf.Tensor2D;

/**
 * `L = ‖R_S − R_T‖²_F / B²` of the student's flattened features and the teacher's normalised
 * gram matrix, with an analytic gradient for the student: with Δ = R_S − R_T, each row of the
 * row-scaled gram gets `(Δ_i − (Δ_i·R_i) R_i) / n_i` (the projection vanishes on a clamped,
 * i.e. zero, row), the gram `dG = that / m_i`, and `∂L/∂x = 2/(B² s) (dG + dGᵀ) v`. The teacher
 * input gets a zero gradient.
 */
const similarityPreservingSquares = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const flat = args[0] as tf.Tensor2D;
  const teacher = args[1] as tf.Tensor2D;
  const save = args[2] as tf.GradSaveFunc;
  const size = flat.shape[0];
  const student = normalizedGram(flat);
  const difference = tf.sub(student.rows, teacher);
  save([student.scaled, student.scale, student.rowScales, student.norms, student.rows, difference]);
  return {
    value: tf.div(tf.sum(tf.square(difference)), size * size),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [scaled, scale, rowScales, norms, rows, delta] = saved as [
        tf.Tensor2D,
        tf.Tensor,
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor2D,
        tf.Tensor2D,
      ];
      const projection = tf.sum(tf.mul(delta, rows), 1, true);
      const gram = tf.div(tf.div(tf.sub(delta, tf.mul(projection, rows)), norms), rowScales);
      const factor = tf.mul(tf.div(dy as tf.Tensor, scale), 2 / (size * size));
      const gradient = tf.mul(tf.matMul(tf.add(gram, tf.transpose(gram)), scaled), factor);
      return [gradient, tf.zeros([size, size])];
    },
  };
}) as (flat: tf.Tensor2D, teacher: tf.Tensor2D) => tf.Scalar;

/**
 * Similarity-preserving KD: the row-L2-normalised batch Gram matrices of student and teacher
 * match in squared Frobenius norm, divided by B²:
 *
 *   G = normalize_rows(X·Xᵀ),   L = ‖G_S − G_T‖²_F / B²
 *
 * Features `[B, ...]` are flattened to `[B, D]`; widths may differ. A zero feature row gives a
 * zero Gram row. The teacher side carries no gradient.
 *
 * Scale-invariant (never NaN for finite input); zero-width features `[B, 0]` are the zero
 * vectors (a zero Gram).
 *
 * @param options - `checkFinite`: scan both inputs for NaN/Inf first (default: the process-wide
 *   `setValueChecks` setting, off).
 * @throws InvalidArgumentError for rank < 2, batch mismatch, or (value checks on) non-finite
 *   values.
 * @see Tung & Mori, "Similarity-Preserving Knowledge Distillation", ICCV 2019.
 */
export function similarityPreservingLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: ValueCheckOptions = {},
): tf.Scalar {
  const name = 'similarityPreservingLoss';
  assertFeaturePair(name, student, teacher, undefined, undefined, options.checkFinite);
  return tf.tidy(() =>
    similarityPreservingSquares(
      flattenBatch(student),
      teacherNormalizedGram(flattenBatch(teacher)),
    ),
  );
}

/** The registry's declaration of {@link similarityPreservingLoss} (averaged over the tap pairs). */
export const similarityPreservingDistillationLoss = definePairLoss<ValueCheckOptions>({
  name: 'similarity-preserving',
  description: 'similarity-preserving KD: row-normalised Gram matrices',
  defaultOptions: { checkFinite: undefined },
  defaultWeight: 3000,
  computePair: (student, teacher, options) => similarityPreservingLoss(student, teacher, options),
});
