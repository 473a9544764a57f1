import { InvalidArgumentError } from '@geokd/errors';
import {
  assertPositive,
  flattenFeatures,
  maxAbsScale,
  type ValueCheckOptions,
} from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair, propagateNonFinite } from './validation';
import { definePairLoss } from './define-distillation-loss';

/** Options of {@link attentionTransferLoss}. */
export interface AttentionTransferLossOptions extends ValueCheckOptions {
  /**
   * Exponent p of the attention map mean_c |x|^p.
   * @default 2
   */
  p?: number;
}

/** Below this, |x| is replaced by it in the gradient of |x|^p (only there, and only for p < 1). */
const POWER_GRADIENT_FLOOR = 1e-30;

/**
 * `|x|^p` with the gradient `p |x|^(p-1) sign(x)` taken as 0 at x = 0, where for p < 1 it is
 * infinite (tfjs's `pow(abs(x), p)` then gives `Inf · 0 = NaN` wherever a ReLU feature is 0).
 * Elsewhere |x| is floored at 1e-30 inside the gradient, so it stays finite.
 */
const absPower: (x: tf.Tensor, p: tf.Scalar) => tf.Tensor = tf.customGrad(
  (...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor;
    const p = args[1] as tf.Scalar;
    const save = args[2] as tf.GradSaveFunc;
    save([x, p]);
    return {
      value: tf.pow(tf.abs(x), p),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [input, exponent] = saved as [tf.Tensor, tf.Scalar];
        const magnitude = tf.maximum(tf.abs(input), POWER_GRADIENT_FLOOR);
        const slope = tf.mul(
          tf.mul(exponent, tf.pow(magnitude, tf.sub(exponent, 1))),
          tf.sign(input),
        );
        return [tf.mul(dy, slope), tf.zerosLike(exponent)];
      },
    };
  },
) as (x: tf.Tensor, p: tf.Scalar) => tf.Tensor;

/**
 * a = normalize(mean_c |x|^p) per example, `[B, H·W]` (L2, norm floored at 1e-12). The map is
 * invariant to each example's scale (and the normalisation to each map's), so both are divided
 * out first (constants to tf.grad, exact for an invariant quantity): no power, square or sum
 * overflows or underflows anywhere in float32's range. Zero channels (C = 0) give a zero map.
 */
function attentionMap(features: tf.Tensor4D, p: number): tf.Tensor2D {
  const [batch, height, width, channels] = features.shape;
  const maps =
    channels === 0
      ? (tf.reshape(flattenFeatures(tf.reshape(features, [batch * height * width, 0])), [
          batch,
          height,
          width,
          1,
        ]) as tf.Tensor4D)
      : features;
  const scaled = tf.div(maps, maxAbsScale(maps, [1, 2, 3]));
  const energy = tf.mean(p === 2 ? tf.square(scaled) : absPower(scaled, tf.scalar(p)), 3);
  const flat = tf.reshape(energy, [batch, height * width]);
  const rows = tf.div(flat, maxAbsScale(flat, 1));
  // Clamped before the square root: a zero row then has a zero, not NaN, gradient.
  const norms = tf.sqrt(tf.clipByValue(tf.sum(tf.square(rows), 1, true), 1e-24, Number.MAX_VALUE));
  return tf.div(rows, tf.maximum(norms, 1e-12)) as tf.Tensor2D;
}

/**
 * Attention transfer: the student's spatial attention maps match the teacher's. For NHWC feature
 * maps `[B, H, W, C]` (channel counts may differ, spatial sizes must match), the attention map
 * is the channel mean of |x|^p, flattened and L2-normalised per example; the loss is the mean
 * squared difference over the batch and the H·W positions (as in the authors' code):
 *
 *   a = Q/‖Q‖₂ with Q = (1/C) Σ_c |x_c|^p,   L = 1/(B·H·W) Σ_b ‖a_S(b) − a_T(b)‖²
 *
 * The teacher side carries no gradient. Scale-invariant per example (never NaN for finite input
 * anywhere in float32's range); for p < 1 the gradient of |x|^p at x = 0 (infinite) is taken as
 * 0. Zero channels (C = 0) give a zero map; an empty spatial size (H·W = 0) is an error.
 *
 * @throws InvalidArgumentError for tensors not of rank 4, batch or spatial-size mismatch, an
 *   empty spatial size, p ≤ 0, or (value checks on: `checkFinite`, `setValueChecks`)
 *   non-finite values.
 * @see Zagoruyko & Komodakis, "Paying More Attention to Attention", ICLR 2017.
 */
export function attentionTransferLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: AttentionTransferLossOptions = {},
): tf.Scalar {
  const name = 'attentionTransferLoss';
  assertFeaturePair(name, student, teacher, undefined, { rank: 4 }, options.checkFinite);
  if (student.shape[1] !== teacher.shape[1] || student.shape[2] !== teacher.shape[2]) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'student',
      expected: `the spatial size of teacher (${teacher.shape[1]}×${teacher.shape[2]})`,
      received: `${student.shape[1]}×${student.shape[2]}`,
    });
  }
  if (student.shape[1] === 0 || student.shape[2] === 0) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'student',
      expected: 'a non-empty spatial size (H >= 1 and W >= 1): an attention map needs a position',
      received: `${student.shape[1]}×${student.shape[2]}`,
    });
  }
  const p = assertPositive(name, 'options.p', options.p ?? 2);
  return tf.tidy(() => {
    const teacherMap = stopGradient(attentionMap(teacher as tf.Tensor4D, p));
    const studentMap = attentionMap(student as tf.Tensor4D, p);
    return propagateNonFinite(
      tf.mean(tf.squaredDifference(studentMap, teacherMap)),
      student,
      teacher,
    );
  });
}

/** The registry's declaration of {@link attentionTransferLoss} (averaged over the tap pairs). */
export const attentionTransferDistillationLoss = definePairLoss<AttentionTransferLossOptions>({
  name: 'attention-transfer',
  description: 'attention transfer: normalised spatial attention maps (NHWC taps)',
  defaultOptions: { p: 2, checkFinite: undefined },
  defaultWeight: 1000,
  computePair: (student, teacher, options) => attentionTransferLoss(student, teacher, options),
});
