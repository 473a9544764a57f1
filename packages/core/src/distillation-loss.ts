import type * as tf from '@tensorflow/tfjs-core';

/** What a distillation loss compares: one tensor per feature tap, or the models' logits. */
export type DistillationLossInput = 'features' | 'logits';

/**
 * A loss's own trainable parameters by name (e.g. a FitNets regressor's `kernel` and `bias`):
 * the trainer optimises them with the student's and checkpoints them with it.
 */
export type DistillationLossParameters = Readonly<Record<string, tf.Variable>>;

/** What the trainer hands a distillation loss besides the student's and teacher's tensors. */
export interface DistillationLossContext {
  /** The batch's integer labels `[B]`, for losses that use classes (e.g. GKD's class masks). */
  labels?: tf.Tensor1D;
  /** The loss's own parameters, as its `createParameters` made them (absent when it has none). */
  parameters?: DistillationLossParameters;
}

/**
 * Per-example shapes (without the batch dimension) of the tensors a loss will receive, one per
 * tap pair (or one, the logits), handed to {@link DistillationLoss.createParameters}.
 */
export interface DistillationLossShapes {
  /** Shapes of the student's tensors, e.g. `[[8, 8, 32]]`. */
  student: readonly (readonly number[])[];
  /** Shapes of the teacher's tensors, in the same order. */
  teacher: readonly (readonly number[])[];
}

/**
 * A feature tap of the teacher compared with a tap of the student, when the two models name
 * their layers differently: `{ teacher: 'stage3', student: 'block5' }`.
 */
export interface TapPair {
  /** A feature name of the teacher. */
  teacher: string;
  /** A feature name of the student. */
  student: string;
}

/**
 * A distillation loss as the trainer sees it: a name, what it consumes, its defaults, and a pure
 * function of tensors. The trainer gathers the inputs (named feature taps or logits) and weights
 * the result; it never needs to know the loss's insides.
 *
 * Each loss of `@geokd/kd-losses` declares one of these in its own file; the registry, the
 * benchmark's method table and the docs demo all read that one list.
 */
export interface DistillationLoss<Options = Record<string, unknown>> {
  /** Registry name, e.g. `'gkd'`. */
  readonly name: string;
  /** One line for CLIs and docs. */
  readonly description: string;
  /** `'features'`: one tensor per tap; `'logits'`: `[logits]`. */
  readonly input: DistillationLossInput;
  /** True when the loss reads `context.labels` (with its default options or some of its options). */
  readonly usesLabels?: boolean;
  /**
   * Option names this loss accepts; the registry rejects any other. Absent on a loss object of
   * your own: its options are then not checked by name.
   */
  readonly optionNames?: readonly string[];
  /** The value of each option when it is not given (documentation and the docs demo read it). */
  readonly defaultOptions?: Readonly<Record<string, unknown>>;
  /** The weight λ the reference code uses for this loss (the benchmark's default). @default 1 */
  readonly defaultWeight?: number;
  /**
   * Creates the loss's own trainable parameters for inputs of these shapes, seeded by `seed`.
   * Absent for losses without parameters. The caller owns (and disposes) the variables.
   */
  createParameters?(
    shapes: DistillationLossShapes,
    options: Options,
    seed: number,
  ): DistillationLossParameters;
  /**
   * The loss as a scalar. `student` and `teacher` hold one tensor per tap (input `'features'`)
   * or `[logits]` (input `'logits'`); single-layer losses average over the taps.
   */
  compute(
    student: readonly tf.Tensor[],
    teacher: readonly tf.Tensor[],
    options: Options,
    context: DistillationLossContext,
  ): tf.Scalar;
}
