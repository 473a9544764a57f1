import { gramMatrix, maxAbsScale, type ValueCheckOptions } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair, flattenBatch, propagateNonFinite } from './validation';
import { definePairLoss } from './define-distillation-loss';

/** ε of the PKT code, in the row normalisation and inside the logarithm. */
const PKT_EPSILON = 1e-7;

/**
 * Conditional probabilities P(j|i) from cosine similarities mapped to [0, 1], `[B, B]`. Each
 * row is first divided by its largest |value| (a constant to tf.grad; a cosine is invariant to
 * it), so the squared norm neither overflows (|x| ≈ 1e19 and up) nor underflows; ε then acts on
 * rows of norm >= 1, i.e. relative to each row's scale.
 */
function conditionalProbabilities(features: tf.Tensor): tf.Tensor2D {
  const flat = flattenBatch(features);
  const rows = tf.div(flat, maxAbsScale(flat, 1));
  // Clamped before the square root: a zero row then has a zero, not NaN, gradient.
  const norms = tf.sqrt(tf.clipByValue(tf.sum(tf.square(rows), 1, true), 1e-24, Number.MAX_VALUE));
  const unit = tf.div(rows, tf.add(norms, PKT_EPSILON));
  const kernel = tf.div(tf.add(gramMatrix(unit), 1), 2);
  return tf.div(kernel, tf.sum(kernel, 1, true)) as tf.Tensor2D;
}

/**
 * Probabilistic knowledge transfer (PKT): the student's conditional probability distributions
 * over the batch, built from cosine similarities mapped to [0, 1], match the teacher's in
 * Kullback–Leibler divergence (as in the authors' code, the mean over the B² entries):
 *
 *   K = (cos + 1)/2,   P(j|i) = K_ij / Σ_j K_ij,   L = 1/B² Σ_ij P_T log((P_T + ε)/(P_S + ε))
 *
 * with ε = 1e-7. Features `[B, ...]` are flattened to `[B, D]`; widths may differ. A zero row
 * has cosine 0 with every other row. The teacher side carries no gradient.
 *
 * Scale-invariant per row (never NaN for finite input); zero-width features `[B, 0]` are the zero
 * vectors (cosine 0 with everything), with a `[B, 0]` gradient.
 *
 * @param options - `checkFinite`: scan both inputs for NaN/Inf first (default: the process-wide
 *   `setValueChecks` setting, off).
 * @throws InvalidArgumentError for rank < 2, batch mismatch, or (value checks on) non-finite
 *   values.
 * @see Passalis & Tefas, "Learning Deep Representations with Probabilistic Knowledge Transfer",
 *   ECCV 2018.
 */
export function pktLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: ValueCheckOptions = {},
): tf.Scalar {
  assertFeaturePair('pktLoss', student, teacher, undefined, undefined, options.checkFinite);
  return tf.tidy(() => {
    const teacherProbabilities = stopGradient(conditionalProbabilities(teacher));
    const studentProbabilities = conditionalProbabilities(student);
    const ratio = tf.div(
      tf.add(teacherProbabilities, PKT_EPSILON),
      tf.add(studentProbabilities, PKT_EPSILON),
    );
    return propagateNonFinite(
      tf.mean(tf.mul(teacherProbabilities, tf.log(ratio))),
      student,
      teacher,
    );
  });
}

/** The registry's declaration of {@link pktLoss} (averaged over the tap pairs). */
export const pktDistillationLoss = definePairLoss<ValueCheckOptions>({
  name: 'pkt',
  description: 'probabilistic knowledge transfer: KL of cosine-kernel conditional probabilities',
  defaultOptions: { checkFinite: undefined },
  defaultWeight: 30000,
  computePair: (student, teacher, options) => pktLoss(student, teacher, options),
});
