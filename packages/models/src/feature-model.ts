import type * as tf from '@tensorflow/tfjs-core';

/** What a {@link FeatureModel}'s forward pass returns. */
export interface FeatureModelOutput {
  /** Unnormalised class scores, shape `[batch, numClasses]`. */
  logits: tf.Tensor2D;
  /** The named intermediate representations (taps), keyed by the names in `featureNames`. */
  features: Record<string, tf.Tensor>;
}

/** One variable of a model, with the facts an optimiser and a checkpoint need. */
export interface ModelParameter {
  /** Stable name inside the model, e.g. `'stage1/block0/conv1/kernel'` (used by save/load). */
  name: string;
  /** The tfjs variable holding the value. */
  variable: tf.Variable;
  /** Whether an optimiser should update it (false for batch-norm moving statistics). */
  trainable: boolean;
  /** Whether weight decay applies (false for batch-norm parameters, moving statistics and biases). */
  weightDecay: boolean;
}

/** Options of {@link FeatureModel.apply}. */
export interface ApplyOptions {
  /**
   * Training mode: batch norm uses the batch statistics and updates its moving statistics;
   * inference mode uses the moving statistics and updates nothing.
   * @default false
   */
  training?: boolean;
}

/**
 * A functional network (tfjs-core ops and `tf.Variable`s) that returns its logits and named
 * intermediate features, the shape every geokd trainer and loss works with.
 */
export interface FeatureModel {
  /** Short name, e.g. `'wrn-16-1'`. */
  readonly name: string;
  /** JSON config that rebuilds the model with {@link createModel} (for caches and checkpoints). */
  readonly config: Record<string, unknown>;
  /** Input shape `[H, W, C]` (NHWC). */
  readonly inputShape: [number, number, number];
  /** Number of classes (width of the logits). */
  readonly numClasses: number;
  /** Names of the taps returned in `features`, in network order. */
  readonly featureNames: readonly string[];
  /**
   * The forward pass. Runs in `tf.tidy`, so only the returned tensors survive. Works inside
   * `tf.variableGrads`.
   */
  apply(x: tf.Tensor4D, options?: ApplyOptions): FeatureModelOutput;
  /** All variables, including batch-norm moving statistics. */
  readonly parameters: readonly ModelParameter[];
  /** The variables an optimiser should update. */
  trainableVariables(): tf.Variable[];
  /** Disposes every variable. The model must not be used afterwards. */
  dispose(): void;
}
