import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizedParameter, OptimizerState, TrainingOptimizer } from './optimizer';
import { applyFlatUpdate } from './flat-update';
import { OptimizerSlots } from './optimizer-slots';
import { ParameterLayout } from './parameter-layout';

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
  const layout = new ParameterLayout(parameters);
  const firstMoment = new OptimizerSlots('adam-m', layout);
  const secondMoment = new OptimizerSlots('adam-v', layout);
  const decays = parameters.map((parameter) => weightDecay > 0 && parameter.weightDecay);
  // Decay on some parameters only: a 0/1 mask over the flat vector (see createSgdOptimizer).
  const decayMask =
    decays.includes(true) && decays.includes(false)
      ? layout.fill((index) => (decays[index] ? 1 : 0))
      : undefined;
  const decayedAny = decays.includes(true);
  let step = 0;

  return {
    name: 'adam',
    config,
    applyGradients(gradients, learningRate) {
      const t = step + 1;
      const correction1 = 1 - beta1 ** t;
      const correction2 = 1 - beta2 ** t;
      // One flat update of all parameters, with the per-parameter rule's ops in its order.
      applyFlatUpdate(
        layout,
        parameters,
        gradients,
        [firstMoment, secondMoment],
        (gradient, values) => {
          const b1 = tf.scalar(beta1);
          const b2 = tf.scalar(beta2);
          const oneMinusB1 = tf.scalar(1 - beta1);
          const oneMinusB2 = tf.scalar(1 - beta2);
          const stepSize = tf.scalar(learningRate / correction1);
          const rootCorrection2 = tf.scalar(Math.sqrt(correction2));
          const eps = tf.scalar(epsilon);
          const m = firstMoment.flat;
          const v = secondMoment.flat;
          const newM = tf.add(tf.mul(b1, m), tf.mul(oneMinusB1, gradient));
          const newV = tf.add(tf.mul(b2, v), tf.mul(oneMinusB2, tf.square(gradient)));
          // m̂/(√v̂ + ε) with m̂ = m/c1, v̂ = v/c2.
          const denominator = tf.add(tf.div(tf.sqrt(newV), rootCorrection2), eps);
          let updated = tf.sub(values, tf.mul(stepSize, tf.div(newM, denominator)));
          if (decayedAny) {
            const rate = tf.scalar(learningRate * weightDecay);
            const coefficient = decayMask === undefined ? rate : tf.mul(rate, decayMask);
            updated = tf.sub(updated, tf.mul(coefficient, values));
          }
          return {
            parameters: updated as tf.Tensor1D,
            slots: [newM as tf.Tensor1D, newV as tf.Tensor1D],
          };
        },
      );
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
      decayMask?.dispose();
    },
  };
}
