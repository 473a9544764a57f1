import { gramMatrix, maxAbsScale, type ValueCheckOptions } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair, flattenBatch, propagateNonFinite } from './validation';
import { definePairLoss } from './define-distillation-loss';

/**
 * G = X·Xᵀ with each row divided by its L2 norm (max(‖·‖, 1e-12), as PyTorch's normalize).
 * Invariant to the features' scale and to each Gram row's scale, so both are divided out first
 * (`x / max|x|`, then each row by its max |G_ij|; constants to tf.grad, exact for an invariant
 * quantity): no square overflows or underflows anywhere in float32's range (at 1e18 the row
 * norms overflowed to Inf and the loss was silently wrong; at 1e20 it was NaN).
 */
function rowNormalizedGram(features: tf.Tensor): tf.Tensor2D {
  const flat = flattenBatch(features);
  const gram = gramMatrix(tf.div(flat, maxAbsScale(flat)));
  const rows = tf.div(gram, maxAbsScale(gram, 1));
  // Clamped before the square root: a zero row then has a zero, not NaN, gradient.
  const norms = tf.sqrt(tf.clipByValue(tf.sum(tf.square(rows), 1, true), 1e-24, Number.MAX_VALUE));
  return tf.div(rows, tf.maximum(norms, 1e-12)) as tf.Tensor2D;
}

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
  return tf.tidy(() => {
    const size = student.shape[0]!;
    const teacherGram = stopGradient(rowNormalizedGram(teacher));
    const studentGram = rowNormalizedGram(student);
    const loss = tf.div(tf.sum(tf.squaredDifference(studentGram, teacherGram)), size * size);
    return propagateNonFinite(loss, student, teacher);
  });
}

/** The registry's declaration of {@link similarityPreservingLoss} (averaged over the tap pairs). */
export const similarityPreservingDistillationLoss = definePairLoss<ValueCheckOptions>({
  name: 'similarity-preserving',
  description: 'similarity-preserving KD: row-normalised Gram matrices',
  defaultOptions: { checkFinite: undefined },
  defaultWeight: 3000,
  computePair: (student, teacher, options) => similarityPreservingLoss(student, teacher, options),
});
