import { InvalidArgumentError } from '@geokd/errors';
import { assertPositive } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair } from './validation';
import { definePairLoss } from './define-distillation-loss';

/** Options of {@link attentionTransferLoss}. */
export interface AttentionTransferLossOptions {
  /**
   * Exponent p of the attention map mean_c |x|^p.
   * @default 2
   */
  p?: number;
}

/** a = normalize(mean_c |x|^p) per example, `[B, H·W]` (L2, norm floored at 1e-12). */
function attentionMap(features: tf.Tensor4D, p: number): tf.Tensor2D {
  const [batch, height, width] = features.shape;
  const energy = tf.mean(p === 2 ? tf.square(features) : tf.pow(tf.abs(features), p), 3);
  const flat = tf.reshape(energy, [batch, height * width]);
  // Clamped before the square root: a zero row then has a zero, not NaN, gradient.
  const norms = tf.sqrt(tf.clipByValue(tf.sum(tf.square(flat), 1, true), 1e-24, Number.MAX_VALUE));
  return tf.div(flat, tf.maximum(norms, 1e-12)) as tf.Tensor2D;
}

/**
 * Attention transfer: the student's spatial attention maps match the teacher's. For NHWC feature
 * maps `[B, H, W, C]` (channel counts may differ, spatial sizes must match), the attention map
 * is the channel mean of |x|^p, flattened and L2-normalised per example; the loss is the mean
 * squared difference over the batch and the H·W positions (as in the authors' code):
 *
 *   a = Q/‖Q‖₂ with Q = (1/C) Σ_c |x_c|^p,   L = 1/(B·H·W) Σ_b ‖a_S(b) − a_T(b)‖²
 *
 * The teacher side carries no gradient.
 *
 * @throws InvalidArgumentError for tensors not of rank 4, batch or spatial-size mismatch,
 *   non-finite values, p ≤ 0.
 * @see Zagoruyko & Komodakis, "Paying More Attention to Attention", ICLR 2017.
 */
export function attentionTransferLoss(
  student: tf.Tensor,
  teacher: tf.Tensor,
  options: AttentionTransferLossOptions = {},
): tf.Scalar {
  const name = 'attentionTransferLoss';
  assertFeaturePair(name, student, teacher, undefined, { rank: 4 });
  if (student.shape[1] !== teacher.shape[1] || student.shape[2] !== teacher.shape[2]) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'student',
      expected: `the spatial size of teacher (${teacher.shape[1]}×${teacher.shape[2]})`,
      received: `${student.shape[1]}×${student.shape[2]}`,
    });
  }
  const p = assertPositive(name, 'options.p', options.p ?? 2);
  return tf.tidy(() => {
    const teacherMap = stopGradient(attentionMap(teacher as tf.Tensor4D, p));
    const studentMap = attentionMap(student as tf.Tensor4D, p);
    return tf.mean(tf.squaredDifference(studentMap, teacherMap)) as tf.Scalar;
  });
}

/** The registry's declaration of {@link attentionTransferLoss} (averaged over the tap pairs). */
export const attentionTransferDistillationLoss = definePairLoss<AttentionTransferLossOptions>({
  name: 'attention-transfer',
  description: 'attention transfer: normalised spatial attention maps (NHWC taps)',
  defaultOptions: { p: 2 },
  defaultWeight: 1000,
  computePair: (student, teacher, options) => attentionTransferLoss(student, teacher, options),
});
