import * as tf from '@tensorflow/tfjs-core';
import { gram } from './pairwise';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair, flattenBatch } from './validation';
import { definePairLoss } from './define-distillation-loss';

/** G = X·Xᵀ with each row divided by its L2 norm (max(‖·‖, 1e-12), as PyTorch's normalize). */
function rowNormalizedGram(features: tf.Tensor): tf.Tensor2D {
  const gramMatrix = gram(flattenBatch(features));
  // Clamped before the square root: a zero row then has a zero, not NaN, gradient.
  const norms = tf.sqrt(
    tf.clipByValue(tf.sum(tf.square(gramMatrix), 1, true), 1e-24, Number.MAX_VALUE),
  );
  return tf.div(gramMatrix, tf.maximum(norms, 1e-12)) as tf.Tensor2D;
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
 * @throws InvalidArgumentError for rank < 2, batch mismatch or non-finite values.
 * @see Tung & Mori, "Similarity-Preserving Knowledge Distillation", ICCV 2019.
 */
export function similarityPreservingLoss(student: tf.Tensor, teacher: tf.Tensor): tf.Scalar {
  assertFeaturePair('similarityPreservingLoss', student, teacher);
  return tf.tidy(() => {
    const size = student.shape[0]!;
    const teacherGram = stopGradient(rowNormalizedGram(teacher));
    const studentGram = rowNormalizedGram(student);
    return tf.div(tf.sum(tf.squaredDifference(studentGram, teacherGram)), size * size) as tf.Scalar;
  });
}

/** The registry's declaration of {@link similarityPreservingLoss} (averaged over the tap pairs). */
export const similarityPreservingDistillationLoss = definePairLoss({
  name: 'similarity-preserving',
  description: 'similarity-preserving KD: row-normalised Gram matrices',
  defaultOptions: {},
  defaultWeight: 3000,
  computePair: (student, teacher) => similarityPreservingLoss(student, teacher),
});
