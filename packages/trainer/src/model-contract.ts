import type * as tf from '@tensorflow/tfjs-core';

/**
 * What a model's forward pass returns: the logits and the named feature taps.
 *
 * Mirrors `FeatureModelOutput` of `@geokd/models`; the trainer only relies on this shape, so any
 * object with it can be trained.
 */
export interface TrainableModelOutput {
  /** Logits, shape `[batch, numClasses]`. */
  logits: tf.Tensor2D;
  /** Feature tensors by tap name (e.g. `stage1`, `pool`), batch first. */
  features: Record<string, tf.Tensor>;
}

/** One variable of a model, as `@geokd/models` lists it. */
export interface TrainableModelParameter {
  /** Stable name, unique within the model; used as the key in checkpoints. */
  name: string;
  /** The variable itself. */
  variable: tf.Variable;
  /** False for state such as batch-norm moving statistics: never handed to an optimiser. */
  trainable: boolean;
  /** Whether decoupled weight decay applies (false for batch-norm parameters and biases). */
  weightDecay: boolean;
}

/**
 * The model the trainer trains (or uses as a teacher): structurally the `FeatureModel` of
 * `@geokd/models`.
 */
export interface TrainableModel {
  /** Registry name, e.g. `'wrn-16-1'`. */
  readonly name: string;
  /** JSON config that rebuilds the model; part of the checkpoint's config hash. */
  readonly config: Record<string, unknown>;
  /** Input shape `[H, W, C]` (NHWC). */
  readonly inputShape: readonly [number, number, number];
  /** Number of classes of the logits. */
  readonly numClasses: number;
  /** Names of the feature taps that {@link TrainableModel.apply} returns. */
  readonly featureNames: readonly string[];
  /**
   * Forward pass. `training: true` uses batch statistics and updates moving statistics;
   * `false` uses the moving statistics and updates nothing.
   */
  apply(x: tf.Tensor4D, options?: { training?: boolean }): TrainableModelOutput;
  /** Every variable, including non-trainable state (batch-norm moving statistics). */
  readonly parameters: readonly TrainableModelParameter[];
}
