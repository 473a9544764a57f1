import type {
  DistillationLoss,
  DistillationLossParameters,
  DistillationLossShapes,
} from '@geokd/core';
import { InvalidArgumentError } from '@geokd/core';
import * as tf from '@tensorflow/tfjs-core';

/** Throws unless student and teacher hold the same number (at least 1) of tensors. */
export function assertTapCounts(
  name: string,
  student: readonly tf.Tensor[],
  teacher: readonly tf.Tensor[],
): void {
  if (student.length === 0 || student.length !== teacher.length) {
    throw new InvalidArgumentError({
      functionName: name,
      argument: 'teacher',
      expected: `as many tensors as student (${student.length}, at least 1)`,
      received: `${teacher.length}`,
    });
  }
}

/**
 * The declaration of a loss that compares one student tensor with one teacher tensor: the
 * registry entry averages it over the tap pairs it is handed.
 */
export interface PairLossDeclaration<Options extends object> {
  /** Registry name, e.g. `'pkt'`. */
  name: string;
  /** One line for CLIs and docs. */
  description: string;
  /** What the loss compares. @default 'features' */
  input?: 'features' | 'logits';
  /** Each option's default (`undefined` for "absent"); its keys are the accepted option names. */
  defaultOptions: { [Key in keyof Required<Options>]: Options[Key] | undefined };
  /** The weight λ the reference code uses. */
  defaultWeight: number;
  /**
   * Creates the loss's trainable parameters for one tap pair (`tap` is its index, to prefix
   * the names). Absent for losses without parameters.
   */
  createPairParameters?(
    student: readonly number[],
    teacher: readonly number[],
    options: Options,
    seed: number,
    tap: number,
  ): DistillationLossParameters;
  /** The loss of one tap pair; `parameters` are the pair's own (names without the prefix). */
  computePair(
    student: tf.Tensor,
    teacher: tf.Tensor,
    options: Options,
    parameters: DistillationLossParameters,
  ): tf.Scalar;
}

/** Prefix of the parameter names of one tap pair. */
export function tapPrefix(tap: number): string {
  return `tap${tap}/`;
}

/**
 * Declares a loss of one tensor pair as a {@link DistillationLoss} that averages over the tap
 * pairs it is handed (the registry entry of single-layer losses).
 */
export function definePairLoss<Options extends object>(
  declaration: PairLossDeclaration<Options>,
): DistillationLoss<Options> {
  const { name, computePair, createPairParameters } = declaration;
  const loss: DistillationLoss<Options> = {
    name,
    description: declaration.description,
    input: declaration.input ?? 'features',
    usesLabels: false,
    optionNames: Object.keys(declaration.defaultOptions),
    defaultOptions: declaration.defaultOptions,
    defaultWeight: declaration.defaultWeight,
    compute(student, teacher, options, context) {
      assertTapCounts(name, student, teacher);
      const all = context.parameters ?? {};
      return tf.tidy(() => {
        const losses = student.map((tensor, tap) => {
          const prefix = tapPrefix(tap);
          const own: Record<string, tf.Variable> = {};
          for (const [key, variable] of Object.entries(all)) {
            if (key.startsWith(prefix)) own[key.slice(prefix.length)] = variable;
          }
          return computePair(tensor, teacher[tap]!, options, own);
        });
        return (
          losses.length === 1 ? losses[0]! : tf.div(tf.addN(losses), losses.length)
        ) as tf.Scalar;
      });
    },
  };
  if (createPairParameters !== undefined) {
    loss.createParameters = (shapes: DistillationLossShapes, options: Options, seed: number) => {
      const parameters: Record<string, tf.Variable> = {};
      shapes.student.forEach((studentShape, tap) => {
        const own = createPairParameters(studentShape, shapes.teacher[tap]!, options, seed, tap);
        for (const [key, variable] of Object.entries(own))
          parameters[tapPrefix(tap) + key] = variable;
      });
      return parameters;
    };
  }
  return loss;
}
