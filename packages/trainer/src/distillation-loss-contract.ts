import type * as tf from '@tensorflow/tfjs-core';

/** What the trainer hands a distillation loss besides the tensors. */
export interface DistillationLossContext {
  /** Integer class labels of the batch, shape `[batch]`. */
  labels?: tf.Tensor1D;
}

/**
 * A distillation loss as the registry of `@geokd/kd-losses` describes it. The trainer reads
 * `input` to decide what to hand it (feature taps or logits) and knows nothing else about it,
 * so a new loss plugs in without changing the trainer.
 */
export interface DistillationLossDescriptor<Options = Record<string, unknown>> {
  /** Registry name, e.g. `'gkd'`. */
  name: string;
  /** One line for listings. */
  description: string;
  /** What the loss consumes: one tensor per feature tap, or `[logits]`. */
  input: 'features' | 'logits';
  /** Returns a scalar; the trainer calls it inside its gradient function. */
  compute(
    student: tf.Tensor[],
    teacher: tf.Tensor[],
    options: Options,
    context: DistillationLossContext,
  ): tf.Scalar;
}
