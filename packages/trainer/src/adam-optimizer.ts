import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizedParameter, OptimizerState, TrainingOptimizer } from './optimizer';
import { OptimizerSlots } from './optimizer-slots';

/** Options of {@link createAdamOptimizer}. */
export interface AdamOptimizerOptions {
  /** Selects this optimiser in trainer options. */
  type: 'adam';
  /** Base learning rate (the schedule scales it). @default 0.001 */
  learningRate?: number;
  /** Decay of the first-moment estimate. @default 0.9 */
  beta1?: number;
  /** Decay of the second-moment estimate. @default 0.999 */
  beta2?: number;
  /** Added to the root of the second moment. @default 1e-8 */
  epsilon?: number;
  /** Decoupled weight decay (AdamW), for parameters with the `weightDecay` flag. @default 0 */
  weightDecay?: number;
}

/**
 * Adam with bias correction and optional decoupled weight decay (AdamW):
 * `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`,
 * `p ← p − lr·m̂/(√v̂ + ε) − lr·λ·p`.
 *
 * @see D. P. Kingma, J. Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015.
 * @throws InvalidArgumentError for betas outside [0, 1) or a negative rate, epsilon or decay.
 */
export function createAdamOptimizer(
  parameters: readonly OptimizedParameter[],
  options: AdamOptimizerOptions = { type: 'adam' },
): TrainingOptimizer {
  const fn = 'createAdamOptimizer';
  for (const name of ['learningRate', 'epsilon', 'weightDecay'] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: `options.${name}`,
        expected: 'a finite number >= 0',
        received: String(value),
      });
    }
  }
  for (const name of ['beta1', 'beta2'] as const) {
    const value = options[name];
    if (value !== undefined && !(value >= 0 && value < 1)) {
      throw new InvalidArgumentError({
        functionName: fn,
        argument: `options.${name}`,
        expected: 'a number in [0, 1)',
        received: String(value),
      });
    }
  }
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const weightDecay = options.weightDecay ?? 0;
  const config = {
    type: 'adam',
    learningRate: options.learningRate ?? 0.001,
    beta1,
    beta2,
    epsilon,
    weightDecay,
  };
  const firstMoment = new OptimizerSlots('adam-m', parameters);
  const secondMoment = new OptimizerSlots('adam-v', parameters);
  let step = 0;

  return {
    name: 'adam',
    config,
    applyGradients(gradients, learningRate) {
      const t = step + 1;
      const correction1 = 1 - beta1 ** t;
      const correction2 = 1 - beta2 ** t;
      tf.tidy(() => {
        const b1 = tf.scalar(beta1);
        const b2 = tf.scalar(beta2);
        const oneMinusB1 = tf.scalar(1 - beta1);
        const oneMinusB2 = tf.scalar(1 - beta2);
        const stepSize = tf.scalar(learningRate / correction1);
        const rootCorrection2 = tf.scalar(Math.sqrt(correction2));
        const eps = tf.scalar(epsilon);
        const decay = tf.scalar(learningRate * weightDecay);
        for (const parameter of parameters) {
          const gradient = gradients[parameter.name];
          if (gradient === undefined) continue;
          const m = firstMoment.get(parameter.name);
          const v = secondMoment.get(parameter.name);
          const newM = tf.add(tf.mul(b1, m), tf.mul(oneMinusB1, gradient));
          const newV = tf.add(tf.mul(b2, v), tf.mul(oneMinusB2, tf.square(gradient)));
          m.assign(newM);
          v.assign(newV);
          // m̂/(√v̂ + ε) with m̂ = m/c1, v̂ = v/c2.
          const denominator = tf.add(tf.div(tf.sqrt(newV), rootCorrection2), eps);
          let updated = tf.sub(parameter.variable, tf.mul(stepSize, tf.div(newM, denominator)));
          if (weightDecay > 0 && parameter.weightDecay) {
            updated = tf.sub(updated, tf.mul(decay, parameter.variable));
          }
          parameter.variable.assign(updated);
        }
      });
      step = t;
    },
    getState(): OptimizerState {
      const slots: Record<string, tf.Tensor> = {};
      firstMoment.collect(slots);
      secondMoment.collect(slots);
      return { step, slots };
    },
    setState(state) {
      firstMoment.restore(state.slots, 'adam.setState');
      secondMoment.restore(state.slots, 'adam.setState');
      step = state.step;
    },
    dispose() {
      firstMoment.dispose();
      secondMoment.dispose();
    },
  };
}
