import { InvalidArgumentError } from '@geokd/errors';
import { assertPositive, type ValueCheckOptions } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
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
 * through a cancellation-free series whose limit is the T → ∞ value ½ Var_p(z_T − z_S). The
 * gradient w.r.t. the student logits is analytic, (T/B)(p_S − p_T), in the same
 * cancellation-free form where the distributions are close (limit −(centred z_T − z_S)/(B·C)).
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
  return tf.tidy(() => hintonCore(temperature)(studentLogits, teacherLogits) as tf.Scalar);
}

/** Lower bound of T / max|logits|: below it every softmax is one-hot in float32 anyway. */
const MIN_SCALED_TEMPERATURE = 1e-30;

/** Lower bound of the scale c = max|logits| (all-zero logits): any c > 0 is exact. */
const MIN_SCALE = 1e-30;

/**
 * Rows whose centred logit differences `|x| = |Δ̃ / τ|` all stay below this use the series;
 * others the direct formula, which is accurate there (KL is not tiny).
 */
const SERIES_LIMIT = 1;

/** Series terms: xⁿ for n = 0…10 (truncation below 1/12! ≈ 2e-9 for |x| <= 1). */
const SERIES_TERMS = 11;

/** Below this y the series of log1p(y)/y (error < y³/4 < 3e-10), else log1p itself. */
const LOG1P_SERIES_LIMIT = 1e-3;

function factorial(n: number): number {
  let result = 1;
  for (let i = 2; i <= n; i++) result *= i;
  return result;
}

/**
 * `[SERIES_TERMS, 2]`: column 0 the coefficients `1/(n+1)!` of `ψ(x) = (eˣ − 1)/x`, column 1
 * the coefficients `1/(n+2)!` of `φ(x)/x² = (eˣ − 1 − x)/x²`, for the powers `xⁿ`.
 */
const SERIES_COEFFICIENTS: number[] = Array.from({ length: SERIES_TERMS }, (_, n) => [
  1 / factorial(n + 1),
  1 / factorial(n + 2),
]).flat();

/**
 * The loss with its analytic gradient (w.r.t. the student; zero for the teacher).
 *
 * The loss is homogeneous of degree 2 in (logits, T): it is computed on u = logits / c and
 * τ = T / c with c = max|logits| (exact for any c) and multiplied back by c twice, so no
 * logit / T overflows and T² is never formed. Student and teacher are stacked `[2B, C]` so that
 * the scale, the softmax and the log-softmax run once for both.
 *
 * Per example, τ²·KL(p_T ‖ p_S) with p = softmax(u / τ): for a large τ the usual
 * `Σ p_T (log p_T − log p_S)` is a difference of nearly equal numbers (catastrophic
 * cancellation, then 0 · ∞ = NaN once τ² overflows). With δ = (u_T − u_S)/τ centred under p_S
 * (x = δ − E_{p_S}δ = Δ̃/τ, so E_{p_S} x = 0), p_T = p_S eˣ / (1 + y) with
 * y = E_{p_S}[φ(x)], φ(x) = eˣ − 1 − x, and exactly
 *
 *   τ²·KL = A / (1 + y) − Φ · log1p(y)/y,   A = E_{p_S}[Δ̃² ψ(x)],  Φ = E_{p_S}[Δ̃² φ(x)/x²] = τ² y,
 *
 * ψ(x) = (eˣ − 1)/x: positive-leading series in x times Δ̃², free of cancellation (the two
 * terms are ≈ E Δ̃² and ≈ ½ E Δ̃²) and finite for every τ. Rows with some |x| >= 1 use the
 * direct formula. The series' powers xⁿ come from one `pow` and both series from one product.
 *
 * Gradient: for L = T² mean_b KL, ∂L/∂z_S = (T/B)(p_S − p_T) = (c/B)·τ(p_S − p_T). Direct rows
 * use it as is; series rows its cancellation-free form
 *
 *   τ(p_S − p_T) = p_S (E_{p_S}[Δ̃ψ(x)] − Δ̃ψ(x)) / (1 + y)     (τy = E_{p_S}[Δ̃ψ(x)] since E Δ̃ = 0),
 *
 * whose T → ∞ limit is −(centred z_T − z_S)/C. Branches are chosen with `where`, so the unused
 * one (which may be Inf or NaN) never reaches the value or the gradient.
 */
function hintonCore(temperature: number) {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const studentLogits = args[0] as tf.Tensor2D;
    const teacherLogits = args[1] as tf.Tensor2D;
    const save = args[2] as tf.GradSaveFunc;
    const [batch, classes] = studentLogits.shape;
    // Rows 0…B−1 the student, B…2B−1 the teacher.
    const both = tf.concat([studentLogits, teacherLogits], 0);
    const scale = tf.maximum(tf.max(tf.abs(both)), MIN_SCALE) as tf.Scalar;
    // τ = T / c, floored so that logits / τ stay finite (a softmax is saturated long before).
    const tau = tf.maximum(tf.div(temperature, scale), MIN_SCALED_TEMPERATURE) as tf.Scalar;
    const scaled = tf.div(both, scale);
    // log-softmax and softmax of u / τ, sharing their pieces.
    const logits = tf.div(scaled, tau);
    const shifted = tf.sub(logits, tf.max(logits, 1, true));
    const exponentials = tf.exp(shifted);
    const sums = tf.sum(exponentials, 1, true);
    const logProbabilities = tf.sub(shifted, tf.log(sums));
    const probabilities = tf.div(exponentials, sums);
    const studentProbabilities = tf.slice(probabilities, [0, 0], [batch, classes]);
    const teacherProbabilities = tf.slice(probabilities, [batch, 0], [batch, classes]);
    // teacher − student rows, in one product each: [−1, 1] · [2, B·C].
    const minusPlus = tf.tensor2d([[-1, 1]]);
    const teacherMinusStudent = (x: tf.Tensor) =>
      tf.reshape(tf.matMul(minusPlus, tf.reshape(x, [2, batch * classes])), [batch, classes]);
    // Direct: τ² Σ p_T (log p_T − log p_S).
    const directKl = tf.sum(tf.mul(teacherProbabilities, teacherMinusStudent(logProbabilities)), 1);
    const direct = tf.mul(directKl, tf.square(tau));
    // Series.
    const difference = teacherMinusStudent(scaled);
    const centred = tf.sub(difference, tf.sum(tf.mul(studentProbabilities, difference), 1, true));
    const x = tf.div(centred, tau);
    const useDirect = tf.greaterEqual(tf.max(tf.abs(x), 1), SERIES_LIMIT);
    const clamped = tf.clipByValue(x, -SERIES_LIMIT, SERIES_LIMIT);
    const powers = tf.pow(
      tf.reshape(clamped, [batch * classes, 1]),
      tf.tensor1d(Array.from({ length: SERIES_TERMS }, (_, n) => n)),
    );
    // [B, C, 2]: ψ(x) and φ(x)/x².
    const series = tf.reshape(
      tf.matMul(powers, tf.tensor2d(SERIES_COEFFICIENTS, [SERIES_TERMS, 2])),
      [batch, classes, 2],
    );
    // [B, 2, C] weights p_S Δ̃² and p_S x², times the series: [B, 2, 2].
    const weights = tf.stack(
      [
        tf.mul(studentProbabilities, tf.square(centred)),
        tf.mul(studentProbabilities, tf.square(clamped)),
      ],
      1,
    );
    const moments = tf.reshape(tf.matMul(weights, series), [batch, 4]);
    const a = tf.reshape(tf.slice(moments, [0, 0], [batch, 1]), [batch]);
    const phi = tf.reshape(tf.slice(moments, [0, 1], [batch, 1]), [batch]);
    const y = tf.reshape(tf.slice(moments, [0, 3], [batch, 1]), [batch]);
    const yExact = tf.maximum(y, LOG1P_SERIES_LIMIT);
    const log1pOverY = tf.where(
      tf.less(y, LOG1P_SERIES_LIMIT),
      tf.add(tf.mul(y, tf.add(tf.mul(y, 1 / 3), -1 / 2)), 1),
      tf.div(tf.log1p(yExact), yExact),
    );
    const onePlusY = tf.add(y, 1);
    const seriesKl = tf.sub(tf.div(a, onePlusY), tf.mul(phi, log1pOverY));
    const perExample = tf.where(useDirect, direct, seriesKl);
    const loss = tf.mul(tf.mul(tf.mean(perExample), scale), scale) as tf.Scalar;
    save([
      scale,
      tau,
      studentProbabilities,
      teacherProbabilities,
      centred,
      series,
      onePlusY,
      useDirect,
    ]);
    return {
      // NaN or ±Inf in either input makes the loss non-finite (never silently finite).
      value: propagateNonFinite(loss, both),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [c, t, pS, pT, d, psiPhi, oneY, isDirect] = saved as [
          tf.Scalar,
          tf.Scalar,
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor2D,
          tf.Tensor3D,
          tf.Tensor1D,
          tf.Tensor1D,
        ];
        const psi = tf.reshape(tf.slice(psiPhi, [0, 0, 0], [batch, classes, 1]), [batch, classes]);
        const centredPsi = tf.mul(d, psi);
        const expected = tf.sum(tf.mul(pS, centredPsi), 1, true);
        const seriesGradient = tf.div(
          tf.mul(pS, tf.sub(expected, centredPsi)),
          tf.reshape(oneY, [batch, 1]),
        );
        const directGradient = tf.mul(tf.sub(pS, pT), t);
        const condition = tf.tile(tf.reshape(isDirect, [batch, 1]), [1, classes]);
        const factor = tf.mul(dy as tf.Scalar, tf.div(c, batch));
        const gradient = tf.mul(tf.where(condition, directGradient, seriesGradient), factor);
        return [gradient, tf.zerosLike(teacherLogits)];
      },
    };
  });
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
