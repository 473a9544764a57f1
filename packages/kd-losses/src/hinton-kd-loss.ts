import { InvalidArgumentError } from '@geokd/errors';
import { assertPositive } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { stopGradient } from './stop-gradient';
import { assertFeaturePair } from './validation';
import { definePairLoss } from './define-distillation-loss';

/** Options of {@link hintonKdLoss}. */
export interface HintonKdLossOptions {
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
 * gradient.
 *
 * @param studentLogits - `[B, C]`.
 * @param teacherLogits - `[B, C]`, same shape.
 * @throws InvalidArgumentError for rank ≠ 2, batch or class-count mismatch, non-finite values,
 *   temperature ≤ 0.
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
  );
  if (studentLogits.shape[1] !== teacherLogits.shape[1]) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'studentLogits',
      expected: `${teacherLogits.shape[1]} classes (as teacherLogits)`,
      received: `${studentLogits.shape[1]} classes`,
    });
  }
  const temperature = assertPositive(name, 'options.temperature', options.temperature ?? 4);
  return tf.tidy(() => {
    const teacherLogProbabilities = stopGradient(tf.logSoftmax(tf.div(teacherLogits, temperature)));
    const studentLogProbabilities = tf.logSoftmax(tf.div(studentLogits, temperature));
    const divergence = tf.sum(
      tf.mul(
        tf.exp(teacherLogProbabilities),
        tf.sub(teacherLogProbabilities, studentLogProbabilities),
      ),
    );
    return tf.mul(
      tf.div(divergence, studentLogits.shape[0]!),
      temperature * temperature,
    ) as tf.Scalar;
  });
}

/** The registry's declaration of {@link hintonKdLoss}: it compares the models' logits. */
export const hintonDistillationLoss = definePairLoss<HintonKdLossOptions>({
  name: 'hinton',
  description: 'Hinton KD: KL divergence of temperature-softened logits, times T²',
  input: 'logits',
  defaultOptions: { temperature: 4 },
  defaultWeight: 1,
  computePair: (student, teacher, options) => hintonKdLoss(student, teacher, options),
});
