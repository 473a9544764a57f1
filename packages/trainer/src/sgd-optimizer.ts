import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizedParameter, OptimizerState, TrainingOptimizer } from './optimizer';
import { OptimizerSlots } from './optimizer-slots';

/** Options of {@link createSgdOptimizer}. */
export interface SgdOptimizerOptions {
  /** Selects this optimiser in trainer options. */
  type: 'sgd';
  /** Base learning rate (the schedule scales it). @default 0.1 */
  learningRate?: number;
  /** Momentum coefficient μ. @default 0.9 */
  momentum?: number;
  /** Nesterov momentum. @default false */
  nesterov?: boolean;
  /**
   * Decoupled weight decay λ, applied as `p ← p − lr·λ·p` to parameters whose `weightDecay`
   * flag is set (not batch-norm parameters nor biases). @default 5e-4
   */
  weightDecay?: number;
  /** Apply weight decay to every parameter, ignoring the flags. @default false */
  decayAllParameters?: boolean;
}

function checkNonNegative(name: string, value: number | undefined, fn: string): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: `options.${name}`,
      expected: 'a finite number >= 0',
      received: String(value),
    });
  }
}

/**
 * Stochastic gradient descent with (optionally Nesterov) momentum and decoupled weight decay:
 * `v ← μ·v + g`, `p ← p − lr·v − lr·λ·p` (Nesterov: `p ← p − lr·(g + μ·v) − lr·λ·p`).
 * The decay is not part of the loss, so it never mixes with distillation terms' gradients.
 *
 * @see I. Loshchilov, F. Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.
 * @throws InvalidArgumentError for a negative or non-finite learning rate, momentum or decay.
 * @example
 * ```ts
 * const sgd = createSgdOptimizer(model.parameters.filter((p) => p.trainable), { type: 'sgd' });
 * sgd.applyGradients(grads, 0.1);
 * ```
 */
export function createSgdOptimizer(
  parameters: readonly OptimizedParameter[],
  options: SgdOptimizerOptions = { type: 'sgd' },
): TrainingOptimizer {
  const fn = 'createSgdOptimizer';
  checkNonNegative('learningRate', options.learningRate, fn);
  checkNonNegative('momentum', options.momentum, fn);
  checkNonNegative('weightDecay', options.weightDecay, fn);
  const momentum = options.momentum ?? 0.9;
  const weightDecay = options.weightDecay ?? 5e-4;
  const nesterov = options.nesterov ?? false;
  const decayAll = options.decayAllParameters ?? false;
  const config = {
    type: 'sgd',
    learningRate: options.learningRate ?? 0.1,
    momentum,
    nesterov,
    weightDecay,
    decayAllParameters: decayAll,
  };
  const velocity = new OptimizerSlots('momentum', parameters);
  let step = 0;

  return {
    name: 'sgd',
    config,
    applyGradients(gradients, learningRate) {
      tf.tidy(() => {
        const lr = tf.scalar(learningRate);
        const mu = tf.scalar(momentum);
        const decay = tf.scalar(learningRate * weightDecay);
        for (const parameter of parameters) {
          const gradient = gradients[parameter.name];
          if (gradient === undefined) continue;
          const v = velocity.get(parameter.name);
          const newVelocity = tf.add(tf.mul(mu, v), gradient);
          v.assign(newVelocity);
          const direction = nesterov ? tf.add(gradient, tf.mul(mu, newVelocity)) : newVelocity;
          let updated = tf.sub(parameter.variable, tf.mul(lr, direction));
          if (weightDecay > 0 && (decayAll || parameter.weightDecay)) {
            updated = tf.sub(updated, tf.mul(decay, parameter.variable));
          }
          parameter.variable.assign(updated);
        }
      });
      step++;
    },
    getState(): OptimizerState {
      const slots: Record<string, tf.Tensor> = {};
      velocity.collect(slots);
      return { step, slots };
    },
    setState(state) {
      velocity.restore(state.slots, 'sgd.setState');
      step = state.step;
    },
    dispose() {
      velocity.dispose();
    },
  };
}
