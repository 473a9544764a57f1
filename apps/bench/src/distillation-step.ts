import type { FeatureModel } from '@geokd/models';
import {
  createLossParameters,
  createOptimizer,
  createTrainingStep,
  type OptimizerOptions,
  resolveLossTerms,
} from '@geokd/trainer';
import type * as tf from '@tensorflow/tfjs-core';
import type { LossTermSpec } from './registry';

/** The trainer's training step of a student, set up for timing. */
export interface DistillationStep {
  /** Runs one forward + backward + optimiser update; returns the total loss. */
  run(x: tf.Tensor4D, y: tf.Tensor1D): Promise<number>;
  /** Disposes the optimiser and the losses' own parameters. */
  dispose(): void;
}

/**
 * The step `distill` runs, with `@geokd/trainer`'s SGD (momentum 0.9, weight decay 5e-4) over
 * the student's and the losses' parameters: `createTrainingStep`, the one training step of
 * geokd, so the speed table times the code users run. With no terms it is the plain student step.
 * `optimizer` replaces that SGD (e.g. a preset's `studentTraining.optimizer`); its learning rate
 * is the one each step uses.
 */
export function createDistillationStep(
  student: FeatureModel,
  teacher: FeatureModel | undefined,
  terms: readonly LossTermSpec[],
  learningRate = 0.01,
  optimizerOptions: OptimizerOptions = { type: 'sgd', learningRate },
): DistillationStep {
  const stepLearningRate = optimizerOptions.learningRate ?? learningRate;
  const resolved =
    teacher === undefined ? [] : resolveLossTerms([...terms], student, teacher, 'speed benchmark');
  const lossParameters = createLossParameters(resolved, student, teacher, 1);
  const parameters = [
    ...student.parameters
      .filter((parameter) => parameter.trainable)
      .map(({ name, variable, weightDecay }) => ({ name, variable, weightDecay })),
    ...lossParameters.optimized,
  ];
  const optimizer = createOptimizer(parameters, optimizerOptions);
  const step = createTrainingStep({
    student,
    teacher,
    terms: resolved,
    optimizer,
    parameters,
    lossParameters: lossParameters.byTerm,
    functionName: 'speed benchmark',
  });
  return {
    async run(x, y) {
      const { loss, metrics } = await step.run(x, y, stepLearningRate);
      metrics.dispose();
      return loss;
    },
    dispose() {
      optimizer.dispose();
      lossParameters.dispose();
    },
  };
}
