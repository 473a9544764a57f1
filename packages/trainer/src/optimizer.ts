import type * as tf from '@tensorflow/tfjs-core';

/** A variable an optimiser updates, with its weight-decay flag. */
export interface OptimizedParameter {
  /** Stable name (the model's parameter name); keys the optimiser state in checkpoints. */
  name: string;
  /** The variable updated in place. */
  variable: tf.Variable;
  /** Whether decoupled weight decay applies to it. */
  weightDecay: boolean;
}

/** Serialisable optimiser state: a step counter and named slot tensors. */
export interface OptimizerState {
  /** Updates applied so far. */
  step: number;
  /** Slot tensors by name, e.g. `'momentum/conv1.kernel'`. Owned by the optimiser. */
  slots: Record<string, tf.Tensor>;
}

/**
 * An optimiser written over `tf.Variable`s so that its whole state can be checkpointed and
 * restored exactly (tfjs's built-in optimisers do not expose their slots by parameter name).
 */
export interface TrainingOptimizer {
  /** `'sgd'` or `'adam'`. */
  readonly name: string;
  /** The options it was built with (JSON), part of the checkpoint's config hash. */
  readonly config: Record<string, unknown>;
  /**
   * Applies one update. `gradients` maps parameter names to gradients; parameters without a
   * gradient are left alone. Runs inside `tf.tidy`; does not dispose the gradients.
   */
  applyGradients(gradients: Record<string, tf.Tensor>, learningRate: number): void;
  /**
   * The current state: one slot tensor per parameter and slot kind. The tensors are copies
   * owned by the optimiser, valid until its next `getState`, `setState` or `dispose`.
   */
  getState(): OptimizerState;
  /**
   * Replaces the state by copies of `state`'s tensors.
   * @throws InvalidArgumentError when a slot is missing or has another shape.
   */
  setState(state: OptimizerState): void;
  /** Disposes the slot variables. */
  dispose(): void;
}
