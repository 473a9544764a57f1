import { getDistillationLoss } from '@geokd/kd-losses';
import type { FeatureModel } from '@geokd/models';
import * as tf from '@tensorflow/tfjs-core';
import type { LossTermSpec } from './registry';

/** A compiled training step of a student, with or without distillation terms. */
export interface DistillationStep {
  /** Runs one forward + backward + optimiser update; resolves to the total loss. */
  run(x: tf.Tensor4D, y: tf.Tensor1D): number;
  /** Disposes the optimiser. */
  dispose(): void;
}

/**
 * One SGD-momentum training step of `student` on cross-entropy plus the weighted loss terms
 * (looked up in the `@geokd/kd-losses` registry). The teacher's forward pass runs in inference
 * mode outside the gradient, as in the trainer; with no terms it is the plain student step.
 */
export function createDistillationStep(
  student: FeatureModel,
  teacher: FeatureModel | undefined,
  terms: readonly LossTermSpec[],
  learningRate = 0.01,
): DistillationStep {
  const optimizer = tf.train.momentum(learningRate, 0.9);
  const losses = terms.map((term) => ({ term, loss: getDistillationLoss(term.loss) }));
  const variables = student.trainableVariables();
  return {
    run(x, y) {
      const total = tf.tidy(() => {
        const teacherOut =
          teacher !== undefined && losses.length > 0
            ? teacher.apply(x, { training: false })
            : undefined;
        // Float one-hot labels built outside the gradient function: no cast on the tape.
        const oneHot = tf.cast(tf.oneHot(tf.cast(y, 'int32'), student.numClasses), 'float32');
        return optimizer.minimize(
          () => {
            const out = student.apply(x, { training: true });
            let loss: tf.Scalar = tf.losses.softmaxCrossEntropy(oneHot, out.logits) as tf.Scalar;
            for (const { term, loss: distillation } of losses) {
              const pick = (o: { logits: tf.Tensor; features: Record<string, tf.Tensor> }) =>
                distillation.input === 'logits'
                  ? [o.logits]
                  : (term.taps ?? []).map((tap) => o.features[tap]!);
              const value = distillation.compute(pick(out), pick(teacherOut!), term.options ?? {}, {
                labels: y,
              });
              loss = tf.add(loss, tf.mul(value, term.weight));
            }
            return loss;
          },
          true,
          variables,
        ) as tf.Scalar;
      });
      const value = total.dataSync()[0]!;
      total.dispose();
      return value;
    },
    dispose() {
      optimizer.dispose();
    },
  };
}
