import type * as tf from '@tensorflow/tfjs-core';

/** What the trainer hands a distillation loss besides the student's and teacher's tensors. */
export interface DistillationLossContext {
  /** The batch's integer labels `[B]`, for losses that use classes (e.g. GKD's class masks). */
  labels?: tf.Tensor1D;
}

/**
 * A distillation loss as the trainer sees it: a name, what it consumes, and a pure function of
 * tensors. The trainer gathers the inputs (named feature taps or logits) and weights the result;
 * it never needs to know the loss's insides.
 */
export interface DistillationLoss<Options = Record<string, unknown>> {
  /** Registry name, e.g. `'gkd'`. */
  readonly name: string;
  /** One line for CLIs and docs. */
  readonly description: string;
  /** `'features'`: one tensor per tap; `'logits'`: `[logits]`. */
  readonly input: 'features' | 'logits';
  /** Option names this loss accepts (anything else is rejected with an error). */
  readonly optionNames: readonly string[];
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
