import type { DistillationLossParameters } from '@geokd/core';
import { deriveSeed } from '@geokd/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ResolvedLossTerm } from './loss-terms';
import type { TrainableModel } from './model-contract';
import type { OptimizedParameter } from './optimizer';

/** Prefix of a loss's own parameters in optimiser slots and checkpoints: `loss/<term>/<name>`. */
export const LOSS_PARAMETER_PREFIX = 'loss/';

/** The parameters of the terms whose loss owns some, by term name, and as optimiser entries. */
export interface LossParameterSet {
  /** Each term's parameters, by term name, as handed to its loss in the context. */
  byTerm: Map<string, DistillationLossParameters>;
  /** The same variables as optimiser entries named `loss/<term>/<name>` (no weight decay). */
  optimized: OptimizedParameter[];
  /** Disposes every variable. */
  dispose(): void;
}

/**
 * Creates the trainable parameters of the terms whose loss declares `createParameters` (e.g.
 * FitNets' regressors), for the shapes of the taps they compare. The shapes come from one
 * forward pass of both models on a single zero example; the seed of each term is derived from
 * `seed` and the term's name, so runs are reproducible.
 */
export function createLossParameters(
  terms: readonly ResolvedLossTerm[],
  student: TrainableModel,
  teacher: TrainableModel | undefined,
  seed: number,
): LossParameterSet {
  const byTerm = new Map<string, DistillationLossParameters>();
  const optimized: OptimizedParameter[] = [];
  const owning = terms.filter((term) => term.loss.createParameters !== undefined);
  if (owning.length > 0 && teacher !== undefined) {
    const shapes = tf.tidy(() => {
      const x = tf.zeros([1, ...student.inputShape]) as tf.Tensor4D;
      const studentOutput = student.apply(x, { training: false });
      const teacherOutput = teacher.apply(x, { training: false });
      const perExample = (tensor: tf.Tensor) => tensor.shape.slice(1);
      return owning.map((term) =>
        term.loss.input === 'logits'
          ? {
              student: [perExample(studentOutput.logits)],
              teacher: [perExample(teacherOutput.logits)],
            }
          : {
              student: term.taps.map((pair) => perExample(studentOutput.features[pair.student]!)),
              teacher: term.taps.map((pair) => perExample(teacherOutput.features[pair.teacher]!)),
            },
      );
    });
    owning.forEach((term, index) => {
      const parameters = term.loss.createParameters!(
        shapes[index]!,
        term.options,
        deriveSeed(seed, `${LOSS_PARAMETER_PREFIX}${term.name}`),
      );
      byTerm.set(term.name, parameters);
      for (const [name, variable] of Object.entries(parameters)) {
        optimized.push({
          name: `${LOSS_PARAMETER_PREFIX}${term.name}/${name}`,
          variable,
          weightDecay: false,
        });
      }
    });
  }
  return {
    byTerm,
    optimized,
    dispose() {
      for (const parameter of optimized) parameter.variable.dispose();
    },
  };
}
