import { InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizedParameter, OptimizerState, TrainingOptimizer } from './optimizer';
import { applyFlatUpdate } from './flat-update';
import { OptimizerSlots } from './optimizer-slots';
import { ParameterLayout } from './parameter-layout';

/**
 * How SGD applies weight decay λ.
 *
 * - `'decoupled'`: after momentum, `p ← p − lr·v − lr·λ·p` (Loshchilov & Hutter). The decay
 *   never enters the momentum buffer.
 * - `'l2'`: PyTorch's `torch.optim.SGD(weight_decay=λ)`: the gradient becomes `g + λ·p` before
 *   momentum, so the decay is accumulated by the momentum buffer like any gradient.
 *
 * At momentum μ the momentum buffer sums a constant term geometrically, so in steady state L2
 * decay shrinks weights about `1 / (1 − μ)` times faster than decoupled decay of the same λ
 * (10× at μ = 0.9): `{ weightDecayMode: 'l2', weightDecay: 5e-4 }` matches roughly
 * `{ weightDecayMode: 'decoupled', weightDecay: 5e-3 }`.
 */
export type WeightDecayMode = 'decoupled' | 'l2';

/**
 * Which parameters weight decay applies to: `'weights-only'` skips the parameters whose
 * `weightDecay` flag is false (batch-norm scales and shifts, biases); `'all'` decays every
 * parameter, as `torch.optim.SGD(net.parameters(), weight_decay=λ)` does.
 */
export type WeightDecayParameters = 'weights-only' | 'all';

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
  /** Weight decay λ (see `weightDecayMode`). @default 5e-4 */
  weightDecay?: number;
  /**
   * `'decoupled'` (after momentum) or `'l2'` (PyTorch's, added to the gradient before
   * momentum; about `1 / (1 − μ)` times stronger at the same λ). See {@link WeightDecayMode}.
   * @default 'decoupled'
   */
  weightDecayMode?: WeightDecayMode;
  /**
   * Which parameters are decayed. See {@link WeightDecayParameters}.
   * @default 'weights-only' (or `'all'` when `decayAllParameters` is true)
   */
  weightDecayParameters?: WeightDecayParameters;
  /**
   * Older spelling of `weightDecayParameters: 'all'`; ignored when `weightDecayParameters` is
   * set. @default false
   */
  decayAllParameters?: boolean;
}

const MODES: readonly WeightDecayMode[] = ['decoupled', 'l2'];
const PARAMETER_CHOICES: readonly WeightDecayParameters[] = ['weights-only', 'all'];

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

function checkChoice(name: string, value: unknown, choices: readonly string[], fn: string): void {
  if (value !== undefined && !choices.includes(value as string)) {
    throw new InvalidArgumentError({
      functionName: fn,
      argument: `options.${name}`,
      expected: `one of ${choices.map((choice) => `'${choice}'`).join(', ')}`,
      received: typeof value === 'string' ? `'${value}'` : String(value),
    });
  }
}

/**
 * Stochastic gradient descent with (optionally Nesterov) momentum and weight decay, in one of
 * two modes (see {@link WeightDecayMode}):
 *
 * - decoupled (default): `v ← μ·v + g`, `p ← p − lr·v − lr·λ·p`
 *   (Nesterov: `p ← p − lr·(g + μ·v) − lr·λ·p`). The decay is not part of the loss, so it never
 *   mixes with distillation terms' gradients.
 * - L2, exactly `torch.optim.SGD` with dampening 0: `d ← g + λ·p`, `v ← μ·v + d` (the first
 *   step's buffer is `d`, which a zero-initialised buffer gives too), `p ← p − lr·v`
 *   (Nesterov: `p ← p − lr·(d + μ·v)`).
 *
 * At momentum μ, L2 decay is about `1 / (1 − μ)` times stronger than decoupled decay of the
 * same λ (10× at μ = 0.9).
 *
 * @see I. Loshchilov, F. Hutter, "Decoupled Weight Decay Regularization", ICLR 2019.
 * @throws InvalidArgumentError for a negative or non-finite learning rate, momentum or decay,
 *   or an unknown `weightDecayMode` / `weightDecayParameters`.
 * @example
 * ```ts
 * // The PyTorch recipe: optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4)
 * const sgd = createSgdOptimizer(parameters, {
 *   type: 'sgd', learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4,
 *   weightDecayMode: 'l2', weightDecayParameters: 'all',
 * });
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
  checkChoice('weightDecayMode', options.weightDecayMode, MODES, fn);
  checkChoice('weightDecayParameters', options.weightDecayParameters, PARAMETER_CHOICES, fn);
  const momentum = options.momentum ?? 0.9;
  const weightDecay = options.weightDecay ?? 5e-4;
  const nesterov = options.nesterov ?? false;
  const mode = options.weightDecayMode ?? 'decoupled';
  const decayAll =
    options.weightDecayParameters !== undefined
      ? options.weightDecayParameters === 'all'
      : (options.decayAllParameters ?? false);
  // The config is part of checkpoints' config hash: the keys of the decoupled mode stay those
  // of earlier versions, so existing checkpoints still resume.
  const config: Record<string, unknown> = {
    type: 'sgd',
    learningRate: options.learningRate ?? 0.1,
    momentum,
    nesterov,
    weightDecay,
    decayAllParameters: decayAll,
    ...(mode === 'l2' ? { weightDecayMode: mode } : {}),
  };
  const layout = new ParameterLayout(parameters);
  const velocity = new OptimizerSlots('momentum', layout);
  const decays = parameters.map(
    (parameter) => weightDecay > 0 && (decayAll || parameter.weightDecay),
  );
  // Decay on some parameters only: a 0/1 mask, or λ·mask for L2, over the flat vector. The
  // update then multiplies the other parameters by 0 and subtracts (or adds) that 0: the same
  // float32 result as skipping them (up to the sign of an exact zero).
  const decayedSome = decays.includes(true) && decays.includes(false);
  const decayMask =
    decayedSome && mode === 'decoupled'
      ? layout.fill((index) => (decays[index] ? 1 : 0))
      : undefined;
  const l2Mask =
    decayedSome && mode === 'l2'
      ? layout.fill((index) => (decays[index] ? weightDecay : 0))
      : undefined;
  const decayedAny = decays.includes(true);
  let step = 0;

  return {
    name: 'sgd',
    config,
    applyGradients(gradients, learningRate) {
      // One flat update of all parameters: each op below is one kernel for the whole model.
      // The element-wise arithmetic and its order are those of the per-parameter rule, so the
      // numbers are the same bits.
      applyFlatUpdate(layout, parameters, gradients, [velocity], (rawGradient, values) => {
        const lr = tf.scalar(learningRate);
        const mu = tf.scalar(momentum);
        const gradient =
          decayedAny && mode === 'l2'
            ? tf.add(rawGradient, tf.mul(l2Mask ?? tf.scalar(weightDecay), values))
            : rawGradient;
        const newVelocity = tf.add(tf.mul(mu, velocity.flat), gradient);
        const direction = nesterov ? tf.add(gradient, tf.mul(mu, newVelocity)) : newVelocity;
        let updated = tf.sub(values, tf.mul(lr, direction));
        if (decayedAny && mode === 'decoupled') {
          const rate = tf.scalar(learningRate * weightDecay);
          const coefficient = decayMask === undefined ? rate : tf.mul(rate, decayMask);
          updated = tf.sub(updated, tf.mul(coefficient, values));
        }
        return { parameters: updated as tf.Tensor1D, slots: [newVelocity as tf.Tensor1D] };
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
      tf.dispose([decayMask, l2Mask].filter((mask) => mask !== undefined));
    },
  };
}
