import { InvalidArgumentError } from '@geokd/errors';
import { assertPositive, maxAbsScale, type ValueCheckOptions } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair, propagateNonFinite } from './validation';
import { definePairLoss } from './define-distillation-loss';

/** Options of {@link hintonKdLoss}. */
export interface HintonKdLossOptions extends ValueCheckOptions {
  /**
   * Softmax temperature T: higher values soften both distributions.
   * @default 4
   */
  temperature?: number;
}

/**
 * Hinton knowledge distillation: the batch mean of KL(p_T ‖ p_S) between the teacher's and the
 * student's softened class distributions, multiplied by T² so that its gradients keep their
 * scale when T changes:
 *
 *   p = softmax(z / T),   L = T² · (1/B) Σ_b Σ_c p_T(b,c) (log p_T(b,c) − log p_S(b,c))
 *
 * Takes logits (never probabilities) and goes through `logSoftmax`. The teacher side carries no
 * gradient. Accurate for every temperature and logit scale in float32's range: the loss is
 * computed on logits / max|logits|, and where the softened distributions are close (large T)
 * through a cancellation-free series whose limit is the T → ∞ value ½ Var_p(z_T − z_S).
 *
 * @param studentLogits - `[B, C]`.
 * @param teacherLogits - `[B, C]`, same shape.
 * @throws InvalidArgumentError for rank ≠ 2, batch or class-count mismatch, zero classes,
 *   temperature ≤ 0, or (value checks on: `checkFinite`, `setValueChecks`) non-finite values.
 * @see Hinton, Vinyals & Dean, "Distilling the Knowledge in a Neural Network", NIPS workshop 2015.
 */
export function hintonKdLoss(
  studentLogits: tf.Tensor,
  teacherLogits: tf.Tensor,
  options: HintonKdLossOptions = {},
): tf.Scalar {
  const name = 'hintonKdLoss';
  assertFeaturePair(
    name,
    studentLogits,
    teacherLogits,
    { student: 'studentLogits', teacher: 'teacherLogits' },
    { rank: 2 },
    options.checkFinite,
  );
  if (studentLogits.shape[1] !== teacherLogits.shape[1]) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'studentLogits',
      expected: `${teacherLogits.shape[1]} classes (as teacherLogits)`,
      received: `${studentLogits.shape[1]} classes`,
    });
  }
  if (studentLogits.shape[1] === 0) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'studentLogits',
      expected: 'at least one class (a softmax over no class has no answer)',
      received: '0 classes',
    });
  }
  const temperature = assertPositive(name, 'options.temperature', options.temperature ?? 4);
  return tf.tidy(() => {
    // The loss is homogeneous of degree 2 in (logits, T): computed on logits / c and T / c with
    // c = max|logits| (a constant to tf.grad; exact, since the identity holds for any c) and
    // multiplied back by c twice, so no logit / T overflows and T² is never formed.
    const scale = tf.reshape(
      tf.maximum(maxAbsScale(studentLogits), maxAbsScale(teacherLogits)),
      [],
    ) as tf.Scalar;
    const student = tf.div(studentLogits, scale) as tf.Tensor2D;
    const teacher = stopGradient(tf.div(teacherLogits, scale)) as tf.Tensor2D;
    // τ = T / c, floored so that logits / τ stay finite (a softmax is saturated long before).
    const tau = tf.maximum(tf.div(temperature, scale), MIN_SCALED_TEMPERATURE) as tf.Scalar;
    const perExample = scaledKlTimesTemperatureSquared(student, teacher, tau);
    const loss = tf.mul(tf.mul(tf.mean(perExample), scale), scale);
    return propagateNonFinite(loss, studentLogits, teacherLogits);
  });
}

/** Lower bound of T / max|logits|: below it every softmax is one-hot in float32 anyway. */
const MIN_SCALED_TEMPERATURE = 1e-30;

/**
 * Rows whose centred logit differences `|x| = |Δ̃ / τ|` all stay below this use the series;
 * others the direct formula, which is accurate there (KL is not tiny).
 */
const SERIES_LIMIT = 1;

/** Series coefficients `(n − 1)/n!` (n = 2…12) of `χ(x) / x² = (1 + (x − 1)eˣ) / x²`. */
const CHI_COEFFICIENTS = Array.from({ length: 11 }, (_, i) => (i + 1) / factorial(i + 2));
/** Series coefficients `1/n!` (n = 2…12) of `φ(x) / x² = (eˣ − 1 − x) / x²`. */
const PHI_COEFFICIENTS = Array.from({ length: 11 }, (_, i) => 1 / factorial(i + 2));

function factorial(n: number): number {
  let result = 1;
  for (let i = 2; i <= n; i++) result *= i;
  return result;
}

/** `Σₙ cₙ xⁿ` by Horner's rule. */
function polynomial(x: tf.Tensor, coefficients: readonly number[]): tf.Tensor {
  let result: tf.Tensor = tf.scalar(coefficients[coefficients.length - 1]!);
  for (let i = coefficients.length - 2; i >= 0; i--) {
    result = tf.add(tf.mul(result, x), coefficients[i]!);
  }
  return result;
}

/**
 * `τ² · KL(p_T ‖ p_S)` per example `[B]`, p = softmax(u / τ), for scaled logits u in [-1, 1].
 *
 * For a large τ the usual `Σ p_T (log p_T − log p_S)` is a difference of nearly equal numbers
 * (catastrophic cancellation, then 0 · ∞ = NaN once τ² overflows). With δ = (u_T − u_S)/τ
 * centred under p_S (x = δ − E_{p_S}δ, so E_{p_S} x = 0), exactly
 *
 *   KL = E_{p_S}[x (eˣ − 1)] / (1 + y) − log(1 + y),   y = E_{p_S}[φ(x)],  φ(x) = eˣ − 1 − x,
 *
 * so τ²·KL = (X − Φ·g(y)) / (1 + y) with X = τ² E[χ(x)], χ(x) = 1 + (x − 1)eˣ, Φ = τ² E[φ(x)]
 * and g(y) = (1 + y) log(1 + y)/y − 1: every term is a sum of positive-leading series in x
 * times Δ̃² = (τx)², free of cancellation, and finite for every τ. Rows with some |x| >= 1 use
 * the direct formula. Both branches are computed on clamped inputs (finite everywhere) and
 * blended with a 0/1 weight, so the unused one sends a zero, not NaN, gradient.
 */
function scaledKlTimesTemperatureSquared(
  student: tf.Tensor2D,
  teacher: tf.Tensor2D,
  tau: tf.Scalar,
): tf.Tensor1D {
  const logStudent = tf.logSoftmax(tf.div(student, tau));
  const logTeacher = tf.logSoftmax(tf.div(teacher, tau));
  // Direct: used only where some |x| >= 1, i.e. τ <= 4; bounded so the unused branch is finite.
  const boundedTau = tf.minimum(tau, 1e18);
  const directKl = tf.sum(tf.mul(tf.exp(logTeacher), tf.sub(logTeacher, logStudent)), 1);
  const direct = tf.mul(tf.mul(directKl, boundedTau), boundedTau);
  // Series.
  const studentProbabilities = tf.exp(logStudent);
  const difference = tf.sub(teacher, student);
  const centred = tf.sub(difference, tf.sum(tf.mul(studentProbabilities, difference), 1, true));
  const x = tf.div(centred, tau);
  const clamped = tf.clipByValue(x, -SERIES_LIMIT, SERIES_LIMIT);
  const weighted = tf.mul(studentProbabilities, tf.square(centred));
  const phiOverX2 = polynomial(clamped, PHI_COEFFICIENTS);
  const chiTerm = tf.sum(tf.mul(weighted, polynomial(clamped, CHI_COEFFICIENTS)), 1);
  const phiTerm = tf.sum(tf.mul(weighted, phiOverX2), 1);
  const y = tf.sum(tf.mul(tf.mul(studentProbabilities, tf.square(clamped)), phiOverX2), 1);
  // g(y) = (1 + y) log1p(y)/y − 1: its series below 1e-3 (error < 1e-12), else exact.
  const gSeries = tf.mul(y, tf.add(0.5, tf.mul(y, tf.add(-1 / 6, tf.mul(y, 1 / 12)))));
  const yExact = tf.maximum(y, 1e-3);
  const gExact = tf.sub(tf.div(tf.mul(tf.add(1, yExact), tf.log1p(yExact)), yExact), 1);
  const useExactG = tf.step(tf.sub(y, 1e-3));
  const g = tf.add(tf.mul(useExactG, gExact), tf.mul(tf.sub(1, useExactG), gSeries));
  const series = tf.div(tf.sub(chiTerm, tf.mul(phiTerm, g)), tf.add(1, y));
  // tf.step (zero gradient) instead of a comparison: comparisons have no gradient in tfjs.
  const useDirect = tf.step(tf.sub(tf.max(tf.abs(x), 1), SERIES_LIMIT));
  return tf.add(tf.mul(useDirect, direct), tf.mul(tf.sub(1, useDirect), series)) as tf.Tensor1D;
}

/** The registry's declaration of {@link hintonKdLoss}: it compares the models' logits. */
export const hintonDistillationLoss = definePairLoss<HintonKdLossOptions>({
  name: 'hinton',
  description: 'Hinton KD: KL divergence of temperature-softened logits, times T²',
  input: 'logits',
  defaultOptions: { temperature: 4, checkFinite: undefined },
  defaultWeight: 1,
  computePair: (student, teacher, options) => hintonKdLoss(student, teacher, options),
});
