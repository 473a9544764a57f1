import { countDispatchingKernels } from '@geokd/backend';
import { SeededRandom } from '@geokd/core';
import { createModel } from '@geokd/models';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdamOptimizer } from './adam-optimizer';
import type { OptimizedParameter } from './optimizer';
import { createSgdOptimizer, type SgdOptimizerOptions } from './sgd-optimizer';

const SHAPES: readonly (readonly number[])[] = [[3, 3, 2, 4], [4], [4], [5, 3], [3], [1]];
/** Weight-decay flags: a mix, as in a real model (kernels decayed, biases and BN not). */
const DECAYED = [true, false, false, true, false, true];

function draws(seed: number, count: number, scale: number): Float32Array {
  const random = new SeededRandom(seed);
  return Float32Array.from({ length: count }, () => scale * random.nextNormal());
}

function makeParameters(seed: number): OptimizedParameter[] {
  return SHAPES.map((shape, i) => ({
    name: `p${i}`,
    variable: tf.variable(
      tf.tensor(
        draws(
          seed + i,
          shape.reduce((a, b) => a * b, 1),
          1,
        ),
        [...shape],
      ),
    ),
    weightDecay: DECAYED[i]!,
  }));
}

/** Gradients of step `t`, one per parameter, with entries spanning several magnitudes. */
function makeGradients(t: number, skip: readonly string[] = []): Record<string, tf.Tensor> {
  const gradients: Record<string, tf.Tensor> = {};
  SHAPES.forEach((shape, i) => {
    if (skip.includes(`p${i}`)) return;
    const size = shape.reduce((a, b) => a * b, 1);
    gradients[`p${i}`] = tf.tensor(draws(100 * t + i, size, 10 ** ((i % 3) - 1)), [...shape]);
  });
  return gradients;
}

/**
 * The optimisers' update as it was written before the flat update: parameter by parameter,
 * each with its own momentum variable. The flat update must give the same bits.
 */
function perParameterSgd(parameters: OptimizedParameter[], options: SgdOptimizerOptions) {
  const momentum = options.momentum ?? 0.9;
  const weightDecay = options.weightDecay ?? 5e-4;
  const mode = options.weightDecayMode ?? 'decoupled';
  const decayAll = options.weightDecayParameters === 'all';
  const velocity = parameters.map((p) => tf.variable(tf.zerosLike(p.variable)));
  return {
    velocity,
    applyGradients(gradients: Record<string, tf.Tensor>, learningRate: number) {
      tf.tidy(() => {
        const lr = tf.scalar(learningRate);
        const mu = tf.scalar(momentum);
        const decoupledDecay = tf.scalar(learningRate * weightDecay);
        const l2Decay = tf.scalar(weightDecay);
        parameters.forEach((parameter, i) => {
          const rawGradient = gradients[parameter.name];
          if (rawGradient === undefined) return;
          const decays = weightDecay > 0 && (decayAll || parameter.weightDecay);
          const gradient =
            decays && mode === 'l2'
              ? tf.add(rawGradient, tf.mul(l2Decay, parameter.variable))
              : rawGradient;
          const v = velocity[i]!;
          const newVelocity = tf.add(tf.mul(mu, v), gradient);
          v.assign(newVelocity);
          const direction = options.nesterov
            ? tf.add(gradient, tf.mul(mu, newVelocity))
            : newVelocity;
          let updated = tf.sub(parameter.variable, tf.mul(lr, direction));
          if (decays && mode === 'decoupled') {
            updated = tf.sub(updated, tf.mul(decoupledDecay, parameter.variable));
          }
          parameter.variable.assign(updated);
        });
      });
    },
  };
}

function perParameterAdam(parameters: OptimizedParameter[], weightDecay: number) {
  const [beta1, beta2, epsilon] = [0.9, 0.999, 1e-8];
  const m = parameters.map((p) => tf.variable(tf.zerosLike(p.variable)));
  const v = parameters.map((p) => tf.variable(tf.zerosLike(p.variable)));
  let step = 0;
  return {
    m,
    v,
    applyGradients(gradients: Record<string, tf.Tensor>, learningRate: number) {
      const t = step + 1;
      const correction1 = 1 - beta1 ** t;
      const correction2 = 1 - beta2 ** t;
      tf.tidy(() => {
        const stepSize = tf.scalar(learningRate / correction1);
        const rootCorrection2 = tf.scalar(Math.sqrt(correction2));
        const decay = tf.scalar(learningRate * weightDecay);
        parameters.forEach((parameter, i) => {
          const gradient = gradients[parameter.name];
          if (gradient === undefined) return;
          const newM = tf.add(tf.mul(tf.scalar(beta1), m[i]!), tf.mul(1 - beta1, gradient));
          const newV = tf.add(
            tf.mul(tf.scalar(beta2), v[i]!),
            tf.mul(1 - beta2, tf.square(gradient)),
          );
          m[i]!.assign(newM);
          v[i]!.assign(newV);
          const denominator = tf.add(tf.div(tf.sqrt(newV), rootCorrection2), epsilon);
          let updated = tf.sub(parameter.variable, tf.mul(stepSize, tf.div(newM, denominator)));
          if (weightDecay > 0 && parameter.weightDecay) {
            updated = tf.sub(updated, tf.mul(decay, parameter.variable));
          }
          parameter.variable.assign(updated);
        });
      });
      step = t;
    },
  };
}

function bits(tensor: tf.Tensor): number[] {
  return Array.from(new Uint32Array((tensor.dataSync() as Float32Array).slice().buffer));
}

function disposeAll(parameters: OptimizedParameter[][], slots: tf.Tensor[] = []): void {
  tf.dispose([...parameters.flat().map((parameter) => parameter.variable), ...slots]);
}

const LEARNING_RATES = [0.1, 0.1, 0.037, 0.2];

const SGD_CASES: SgdOptimizerOptions[] = [
  { type: 'sgd', weightDecay: 5e-4 },
  { type: 'sgd', weightDecay: 0.01, nesterov: true, momentum: 0.8 },
  { type: 'sgd', weightDecay: 0.01, weightDecayParameters: 'all' },
  { type: 'sgd', weightDecay: 5e-4, weightDecayMode: 'l2' },
  { type: 'sgd', weightDecay: 5e-4, weightDecayMode: 'l2', nesterov: true },
  { type: 'sgd', weightDecay: 0.05, weightDecayMode: 'l2', weightDecayParameters: 'all' },
  { type: 'sgd', weightDecay: 0 },
];

describe.each(['cpu', 'wasm'])('the flat optimiser update on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it.each(SGD_CASES)(
    'SGD %o gives the bits of the per-parameter update over four steps',
    (options) => {
      const parameters = makeParameters(1);
      const reference = makeParameters(1);
      const sgd = createSgdOptimizer(parameters, options);
      const expected = perParameterSgd(reference, options);
      LEARNING_RATES.forEach((lr, t) => {
        const gradients = makeGradients(t);
        sgd.applyGradients(gradients, lr);
        expected.applyGradients(gradients, lr);
        tf.dispose(Object.values(gradients));
      });
      const slots = sgd.getState().slots;
      parameters.forEach((parameter, i) => {
        expect(bits(parameter.variable)).toEqual(bits(reference[i]!.variable));
        expect(bits(slots[`momentum/p${i}`]!)).toEqual(bits(expected.velocity[i]!));
      });
      sgd.dispose();
      disposeAll([parameters, reference], expected.velocity);
    },
  );

  it.each([0, 0.01])('Adam (decay %f) gives the bits of the per-parameter update', (decay) => {
    const parameters = makeParameters(2);
    const reference = makeParameters(2);
    const adam = createAdamOptimizer(parameters, { type: 'adam', weightDecay: decay });
    const expected = perParameterAdam(reference, decay);
    LEARNING_RATES.forEach((lr, t) => {
      const gradients = makeGradients(t);
      adam.applyGradients(gradients, lr / 10);
      expected.applyGradients(gradients, lr / 10);
      tf.dispose(Object.values(gradients));
    });
    const slots = adam.getState().slots;
    parameters.forEach((parameter, i) => {
      expect(bits(parameter.variable)).toEqual(bits(reference[i]!.variable));
      expect(bits(slots[`adam-m/p${i}`]!)).toEqual(bits(expected.m[i]!));
      expect(bits(slots[`adam-v/p${i}`]!)).toEqual(bits(expected.v[i]!));
    });
    adam.dispose();
    disposeAll([parameters, reference], [...expected.m, ...expected.v]);
  });

  it('leaves a parameter without a gradient and its momentum alone, the others as usual', () => {
    const parameters = makeParameters(3);
    const reference = makeParameters(3);
    const options: SgdOptimizerOptions = { type: 'sgd', weightDecay: 0.01, nesterov: true };
    const sgd = createSgdOptimizer(parameters, options);
    const expected = perParameterSgd(reference, options);
    // Step 2 misses p0 and p4, step 3 misses p3; step 4 misses every gradient.
    const skips = [[], ['p0', 'p4'], ['p3'], SHAPES.map((_, i) => `p${i}`)];
    const before = tf.memory().numTensors;
    skips.forEach((skip, t) => {
      const gradients = makeGradients(t, skip);
      sgd.applyGradients(gradients, LEARNING_RATES[t]!);
      expected.applyGradients(gradients, LEARNING_RATES[t]!);
      tf.dispose(Object.values(gradients));
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(sgd.getState().step).toBe(4);
    const slots = sgd.getState().slots;
    parameters.forEach((parameter, i) => {
      expect(bits(parameter.variable)).toEqual(bits(reference[i]!.variable));
      expect(bits(slots[`momentum/p${i}`]!)).toEqual(bits(expected.velocity[i]!));
    });
    sgd.dispose();
    disposeAll([parameters, reference], expected.velocity);
  });

  it('hands out per-parameter slots in checkpoints and resumes from them bit for bit', () => {
    const parameters = makeParameters(4);
    const resumed = makeParameters(4);
    const options: SgdOptimizerOptions = { type: 'sgd', weightDecay: 5e-4 };
    const sgd = createSgdOptimizer(parameters, options);
    const first = makeGradients(0);
    sgd.applyGradients(first, 0.1);
    tf.dispose(Object.values(first));
    const state = sgd.getState();
    // The checkpoint format: one slot per parameter, named and shaped like it.
    expect(Object.keys(state.slots).sort()).toEqual(SHAPES.map((_, i) => `momentum/p${i}`));
    SHAPES.forEach((shape, i) => {
      expect(state.slots[`momentum/p${i}`]!.shape).toEqual([...shape]);
    });
    // A restart: parameters and per-parameter slots come back from a checkpoint (copies).
    const loaded = Object.fromEntries(
      Object.entries(state.slots).map(([name, tensor]) => [name, tensor.clone()]),
    );
    parameters.forEach((parameter, i) => {
      resumed[i]!.variable.assign(parameter.variable);
    });
    const restarted = createSgdOptimizer(resumed, options);
    restarted.setState({ step: state.step, slots: loaded });
    tf.dispose(Object.values(loaded));
    const second = makeGradients(1);
    sgd.applyGradients(second, 0.05);
    restarted.applyGradients(second, 0.05);
    tf.dispose(Object.values(second));
    parameters.forEach((parameter, i) => {
      expect(bits(resumed[i]!.variable)).toEqual(bits(parameter.variable));
    });
    expect(restarted.getState().step).toBe(2);
    // Its own state handed back to it (the slots it owns) works too.
    restarted.setState(restarted.getState());
    expect(bits(restarted.getState().slots['momentum/p0']!)).toEqual(
      bits(sgd.getState().slots['momentum/p0']!),
    );
    const tensors = tf.memory().numTensors;
    sgd.dispose();
    restarted.dispose();
    // Each optimiser freed its flat slot, its decay mask and the slots it handed out.
    expect(tf.memory().numTensors).toBe(tensors - 2 * (1 + 1 + SHAPES.length));
    disposeAll([parameters, resumed]);
  });
});

describe('dispatching kernels of an optimiser update (cpu, WRN-16-1: 47 parameters)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  // Counted with countDispatchingKernels (all kernels but Identity, Reshape and same-dtype
  // Cast). Before the flat update, parameter by parameter: SGD 220 (4 per parameter, 6 for the
  // 16 decayed ones), Adam 643. After: SGD 56 = 2 Concat + 7 element-wise + 47 Slice, Adam
  // 65 = 2 + 16 + 47. A change that adds kernels per parameter fails here.
  it.each([
    ['sgd', 56],
    ['adam', 65],
  ] as const)('%s: at most %i kernels', async (type, limit) => {
    const model = createModel('wrn-16-1');
    const parameters = model.parameters
      .filter((parameter) => parameter.trainable)
      .map(({ name, variable, weightDecay }) => ({ name, variable, weightDecay }));
    expect(parameters).toHaveLength(47);
    const optimizer =
      type === 'sgd'
        ? createSgdOptimizer(parameters, { type: 'sgd' })
        : createAdamOptimizer(parameters, { type: 'adam', weightDecay: 1e-4 });
    const gradients = Object.fromEntries(
      parameters.map((p) => [p.name, tf.onesLike(p.variable)] as const),
    );
    const { total } = await countDispatchingKernels(() => optimizer.applyGradients(gradients, 0.1));
    expect(total).toBeLessThanOrEqual(limit);
    tf.dispose(Object.values(gradients));
    optimizer.dispose();
    model.dispose();
  });
});
