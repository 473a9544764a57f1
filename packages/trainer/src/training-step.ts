import type { DistillationLossParameters } from '@geokd/core';
import { InvalidArgumentError } from '@geokd/core';
import * as tf from '@tensorflow/tfjs-core';
import { correctCount, crossEntropyFromLogits } from './cross-entropy';
import { CROSS_ENTROPY_TERM, type ResolvedLossTerm } from './loss-terms';
import type { TrainableModel } from './model-contract';
import type { OptimizedParameter, TrainingOptimizer } from './optimizer';

/** What {@link createTrainingStep} builds a step from. */
export interface TrainingStepOptions {
  /** The model trained. */
  student: TrainableModel;
  /** The teacher, run in inference mode outside the gradient; absent for plain training. */
  teacher?: TrainableModel;
  /** Distillation terms, resolved (see `resolveLossTerms`). @default [] */
  terms?: readonly ResolvedLossTerm[];
  /** Weight of the cross-entropy term. @default 1 */
  crossEntropyWeight?: number;
  /** The optimiser; it must have been created over `parameters`. */
  optimizer: TrainingOptimizer;
  /** Everything the optimiser updates: the student's trainable parameters and the losses' own. */
  parameters: readonly OptimizedParameter[];
  /** Each term's own trainable parameters, by term name (see `createLossParameters`). */
  lossParameters?: ReadonlyMap<string, DistillationLossParameters>;
  /** Names the caller in error messages. @default 'trainingStep' */
  functionName?: string;
}

/** What one {@link TrainingStep.run} returns. */
export interface TrainingStepResult {
  /**
   * The weighted total loss of the batch: the one value the step reads back from the backend.
   * When it is not finite the optimiser was not applied.
   */
  loss: number;
  /**
   * On the backend, not read: each term's unweighted value (in the order of
   * {@link TrainingStep.termNames}) and, last, the number of correct predictions. The caller
   * owns it (accumulate it, read it once an epoch, dispose it).
   */
  metrics: tf.Tensor1D;
}

/** A compiled training step: forward, losses, backward and one optimiser update. */
export interface TrainingStep {
  /** `'cross-entropy'` then each term's name: the entries of {@link TrainingStepResult.metrics}. */
  readonly termNames: readonly string[];
  /**
   * One update on the batch `x` `[B, H, W, C]`, `y` `[B]` (integer labels) at `learningRate`.
   * Leaves `x` and `y` to the caller. Reads back only the total loss, asynchronously
   * (`await data()`: a synchronous read stalls a GPU pipeline and throws on WebGPU in Node).
   */
  run(x: tf.Tensor4D, y: tf.Tensor1D, learningRate: number): Promise<TrainingStepResult>;
}

/**
 * The training step of geokd, the one used by `trainTeacher`, `distill`, the benchmark's speed
 * table and the docs demo: it minimises `crossEntropyWeight · CE + Σ weightᵢ · lossᵢ` over the
 * student's parameters and the losses' own. The teacher's forward pass runs in inference mode
 * outside the gradient function: its outputs are constants. Browser-safe.
 *
 * @example
 * ```ts
 * const parameters = student.parameters.filter((p) => p.trainable);
 * const optimizer = createOptimizer(parameters, { type: 'sgd', learningRate: 0.1 });
 * const step = createTrainingStep({ student, optimizer, parameters });
 * const { loss, metrics } = await step.run(x, y, 0.1);
 * metrics.dispose();
 * ```
 */
export function createTrainingStep(options: TrainingStepOptions): TrainingStep {
  const { student, teacher, optimizer } = options;
  const terms = options.terms ?? [];
  const crossEntropyWeight = options.crossEntropyWeight ?? 1;
  const functionName = options.functionName ?? 'trainingStep';
  const lossParameters = options.lossParameters ?? new Map<string, DistillationLossParameters>();
  const byVariableName = new Map(
    options.parameters.map((parameter) => [parameter.variable.name, parameter.name]),
  );
  const variables = options.parameters.map((parameter) => parameter.variable);
  const teacherTaps = [
    ...new Set(
      terms.filter((t) => t.loss.input === 'features').flatMap((t) => t.taps.map((p) => p.teacher)),
    ),
  ];
  const needsTeacherLogits = terms.some((term) => term.loss.input === 'logits');
  const termNames = [CROSS_ENTROPY_TERM, ...terms.map((term) => term.name)];
  if (terms.length > 0 && teacher === undefined) {
    throw new InvalidArgumentError({
      functionName,
      argument: 'teacher',
      expected: 'a teacher model when distillation terms are given',
      received: 'undefined',
    });
  }

  return {
    termNames,
    async run(x, y, learningRate) {
      let teacherOutput: { logits?: tf.Tensor2D; features: Record<string, tf.Tensor> } | undefined;
      let metrics: tf.Tensor1D | undefined;
      let result: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
      try {
        if (teacher !== undefined && terms.length > 0) {
          teacherOutput = tf.tidy(() => {
            const output = teacher.apply(x, { training: false });
            const features: Record<string, tf.Tensor> = {};
            for (const tap of teacherTaps) features[tap] = output.features[tap]!;
            return needsTeacherLogits ? { logits: output.logits, features } : { features };
          });
        }
        result = tf.variableGrads(() => {
          const output = student.apply(x, { training: true });
          const crossEntropy = crossEntropyFromLogits(output.logits, y);
          let weighted: tf.Scalar = tf.mul(crossEntropy, crossEntropyWeight);
          const values: tf.Scalar[] = [crossEntropy];
          for (const term of terms) {
            const logits = term.loss.input === 'logits';
            const studentInputs = logits
              ? [output.logits]
              : term.taps.map((pair) => output.features[pair.student]!);
            const teacherInputs = logits
              ? [teacherOutput!.logits!]
              : term.taps.map((pair) => teacherOutput!.features[pair.teacher]!);
            const parameters = lossParameters.get(term.name);
            const value = term.loss.compute(studentInputs, teacherInputs, term.options, {
              labels: y,
              ...(parameters === undefined ? {} : { parameters }),
            });
            if (value.rank !== 0) {
              throw new InvalidArgumentError({
                functionName,
                argument: `losses '${term.name}'`,
                expected: 'a loss returning a scalar',
                received: `shape [${value.shape.join(', ')}]`,
              });
            }
            values.push(value);
            // A zero weight reports the term but leaves the objective (and its gradient) unchanged.
            if (term.weight !== 0) weighted = tf.add(weighted, tf.mul(value, term.weight));
          }
          metrics = tf.keep(tf.stack([...values, correctCount(output.logits, y)]) as tf.Tensor1D);
          return weighted;
        }, variables);
        const loss = (await result.value.data())[0]!;
        if (Number.isFinite(loss)) {
          const gradients: Record<string, tf.Tensor> = {};
          for (const [variableName, gradient] of Object.entries(result.grads)) {
            gradients[byVariableName.get(variableName)!] = gradient;
          }
          optimizer.applyGradients(gradients, learningRate);
        }
        const out = { loss, metrics: metrics! };
        metrics = undefined;
        return out;
      } finally {
        if (teacherOutput !== undefined) tf.dispose(teacherOutput as unknown as tf.TensorContainer);
        metrics?.dispose();
        if (result !== undefined) {
          result.value.dispose();
          tf.dispose(Object.values(result.grads));
        }
      }
    },
  };
}
