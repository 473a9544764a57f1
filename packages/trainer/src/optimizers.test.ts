import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAdamOptimizer } from './adam-optimizer';
import { createOptimizer } from './create-optimizer';
import { createSgdOptimizer } from './sgd-optimizer';

const initialWeights = [0.5, -1.25, 2];
const initialBias = [0.1, -0.3];
const gradientSequence = [
  { w: [0.2, -0.4, 1], b: [0.5, 0.25] },
  { w: [-0.1, 0.3, 0.6], b: [-0.2, 0.1] },
  { w: [0.05, 0.05, -0.7], b: [0.3, -0.4] },
];

function makeParameters() {
  return [
    { name: 'w', variable: tf.variable(tf.tensor1d(initialWeights)), weightDecay: true },
    { name: 'b', variable: tf.variable(tf.tensor1d(initialBias)), weightDecay: false },
  ];
}

/** Float64 reference of SGD with momentum and decoupled decay. */
function sgdReference(
  p0: number[],
  grads: number[][],
  lrs: number[],
  mu: number,
  wd: number,
  nesterov: boolean,
) {
  const p = [...p0];
  const v = p0.map(() => 0);
  grads.forEach((g, t) => {
    const lr = lrs[t]!;
    for (let i = 0; i < p.length; i++) {
      v[i] = mu * v[i]! + g[i]!;
      const direction = nesterov ? g[i]! + mu * v[i]! : v[i]!;
      p[i] = p[i]! - lr * direction - lr * wd * p[i]!;
    }
  });
  return { p, v };
}

function adamReference(
  p0: number[],
  grads: number[][],
  lr: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
) {
  const p = [...p0];
  const m = p0.map(() => 0);
  const v = p0.map(() => 0);
  grads.forEach((g, index) => {
    const t = index + 1;
    for (let i = 0; i < p.length; i++) {
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! * g[i]!;
      const mHat = m[i]! / (1 - b1 ** t);
      const vHat = v[i]! / (1 - b2 ** t);
      p[i] = p[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps) - lr * wd * p[i]!;
    }
  });
  return p;
}

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance: number) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tolerance);
  }
}

function run(optimizer: ReturnType<typeof createSgdOptimizer>, lrs: number[]) {
  gradientSequence.forEach((g, t) => {
    const grads = { w: tf.tensor1d(g.w), b: tf.tensor1d(g.b) };
    optimizer.applyGradients(grads, lrs[t]!);
    tf.dispose(Object.values(grads));
  });
}

describe.each(['cpu', 'wasm'])('optimisers on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it('SGD matches a float64 reference with momentum and decay only on flagged parameters (tolerance 1e-6)', () => {
    const parameters = makeParameters();
    const sgd = createSgdOptimizer(parameters, { type: 'sgd', weightDecay: 0.01 });
    const lrs = [0.1, 0.1, 0.02];
    run(sgd, lrs);
    const w = sgdReference(
      initialWeights,
      gradientSequence.map((g) => g.w),
      lrs,
      0.9,
      0.01,
      false,
    );
    const b = sgdReference(
      initialBias,
      gradientSequence.map((g) => g.b),
      lrs,
      0.9,
      0,
      false,
    );
    expectClose(parameters[0]!.variable.dataSync(), w.p, 1e-6);
    expectClose(parameters[1]!.variable.dataSync(), b.p, 1e-6);
    expectClose(sgd.getState().slots['momentum/w']!.dataSync(), w.v, 1e-6);
    expect(sgd.getState().step).toBe(3);
    sgd.dispose();
    tf.dispose(parameters.map((p) => p.variable));
  });

  it('SGD with Nesterov momentum and decay on all parameters matches the reference (tolerance 1e-6)', () => {
    const parameters = makeParameters();
    const sgd = createSgdOptimizer(parameters, {
      type: 'sgd',
      nesterov: true,
      momentum: 0.8,
      weightDecay: 0.05,
      decayAllParameters: true,
    });
    run(sgd, [0.1, 0.05, 0.05]);
    const b = sgdReference(
      initialBias,
      gradientSequence.map((g) => g.b),
      [0.1, 0.05, 0.05],
      0.8,
      0.05,
      true,
    );
    expectClose(parameters[1]!.variable.dataSync(), b.p, 1e-6);
    sgd.dispose();
    tf.dispose(parameters.map((p) => p.variable));
  });

  // Golden values: torch.optim.SGD([w, b], lr, momentum, weight_decay=0.05, nesterov) stepped
  // with the gradients above (lr set per step), float64. Computed by hand from PyTorch's rule
  // d = g + wd·p; buf = d (first step) else mu·buf + d; p -= lr·(nesterov ? d + mu·buf : buf),
  // and checked against torch 1.13 (Debian python3-torch).
  it('SGD in l2 mode on all parameters matches torch.optim.SGD over three steps (tolerance 1e-6)', () => {
    const parameters = makeParameters();
    const sgd = createSgdOptimizer(parameters, {
      type: 'sgd',
      momentum: 0.9,
      weightDecay: 0.05,
      weightDecayMode: 'l2',
      weightDecayParameters: 'all',
    });
    run(sgd, [0.1, 0.1, 0.02]);
    expectClose(
      parameters[0]!.variable.dataSync(),
      [0.4611228875, -1.18274426875, 1.70350745],
      1e-6,
    );
    expectClose(parameters[1]!.variable.dataSync(), [0.0131531475, -0.3499953175], 1e-6);
    expectClose(
      sgd.getState().slots['momentum/w']!.dataSync(),
      [0.186980625, -0.1680990625, 0.9021275],
      1e-6,
    );
    expectClose(sgd.getState().slots['momentum/b']!.dataSync(), [0.532467625, -0.151859125], 1e-6);
    sgd.dispose();
    tf.dispose(parameters.map((p) => p.variable));
  });

  it('SGD in l2 mode with Nesterov momentum matches torch.optim.SGD(nesterov=True) (tolerance 1e-6)', () => {
    const parameters = makeParameters();
    const sgd = createSgdOptimizer(parameters, {
      type: 'sgd',
      momentum: 0.8,
      nesterov: true,
      weightDecay: 0.05,
      weightDecayMode: 'l2',
      weightDecayParameters: 'all',
    });
    run(sgd, [0.1, 0.1, 0.02]);
    expectClose(
      parameters[0]!.variable.dataSync(),
      [0.4550202839, -1.17868136135, 1.6095914324],
      1e-6,
    );
    expectClose(parameters[1]!.variable.dataSync(), [-0.00074178058, -0.36065656126], 1e-6);
    sgd.dispose();
    tf.dispose(parameters.map((p) => p.variable));
  });

  it("SGD in l2 mode with 'weights-only' leaves unflagged parameters undecayed", () => {
    const parameters = makeParameters();
    const sgd = createSgdOptimizer(parameters, {
      type: 'sgd',
      weightDecay: 0.05,
      weightDecayMode: 'l2',
      weightDecayParameters: 'weights-only',
    });
    const lrs = [0.1, 0.1, 0.02];
    run(sgd, lrs);
    // Without decay, the l2 and decoupled rules coincide: the plain momentum reference.
    const b = sgdReference(
      initialBias,
      gradientSequence.map((g) => g.b),
      lrs,
      0.9,
      0,
      false,
    );
    expectClose(
      parameters[0]!.variable.dataSync(),
      [0.4611228875, -1.18274426875, 1.70350745],
      1e-6,
    );
    expectClose(parameters[1]!.variable.dataSync(), b.p, 1e-6);
    sgd.dispose();
    tf.dispose(parameters.map((p) => p.variable));
  });

  it('l2 decay at momentum 0.9 shrinks weights about 1 / (1 - 0.9) = 10 times faster than decoupled decay', () => {
    const shrinkage = (mode: 'l2' | 'decoupled') => {
      const parameter = { name: 'w', variable: tf.variable(tf.tensor1d([1])), weightDecay: true };
      const sgd = createSgdOptimizer([parameter], {
        type: 'sgd',
        weightDecay: 1e-3,
        weightDecayMode: mode,
      });
      const zero = { w: tf.zeros([1]) };
      for (let i = 0; i < 300; i++) sgd.applyGradients(zero, 0.1);
      const value = parameter.variable.dataSync()[0]!;
      sgd.dispose();
      tf.dispose([zero.w, parameter.variable]);
      return -Math.log(value);
    };
    // With a zero gradient only the decay moves the weight; after the momentum buffer's
    // warm-up (~20 steps) the l2 rate is lr·λ/(1 − μ) per step against lr·λ.
    const ratio = shrinkage('l2') / shrinkage('decoupled');
    expect(ratio).toBeGreaterThan(9);
    expect(ratio).toBeLessThan(10.1);
  });

  it('Adam matches a float64 reference with bias correction and decoupled decay (tolerance 1e-5)', () => {
    const parameters = makeParameters();
    const adam = createAdamOptimizer(parameters, { type: 'adam', weightDecay: 0.1, epsilon: 1e-7 });
    run(adam, [0.01, 0.01, 0.01]);
    const w = adamReference(
      initialWeights,
      gradientSequence.map((g) => g.w),
      0.01,
      0.9,
      0.999,
      1e-7,
      0.1,
    );
    const b = adamReference(
      initialBias,
      gradientSequence.map((g) => g.b),
      0.01,
      0.9,
      0.999,
      1e-7,
      0,
    );
    expectClose(parameters[0]!.variable.dataSync(), w, 1e-5);
    expectClose(parameters[1]!.variable.dataSync(), b, 1e-5);
    adam.dispose();
    tf.dispose(parameters.map((p) => p.variable));
  });

  it('continues exactly after its state is copied into a fresh optimiser', () => {
    const reference = makeParameters();
    const restored = makeParameters();
    const a = createOptimizer(reference, { type: 'adam' });
    const b = createOptimizer(restored, { type: 'adam' });
    const grads = {
      w: tf.tensor1d(gradientSequence[0]!.w),
      b: tf.tensor1d(gradientSequence[0]!.b),
    };
    a.applyGradients(grads, 0.01);
    b.applyGradients(grads, 0.01);
    // Simulate a restart: a third optimiser takes a's state.
    const c = createOptimizer(restored, { type: 'adam' });
    c.setState(a.getState());
    a.applyGradients(grads, 0.01);
    c.applyGradients(grads, 0.01);
    expect(Array.from(restored[0]!.variable.dataSync())).toEqual(
      Array.from(reference[0]!.variable.dataSync()),
    );
    expect(c.getState().step).toBe(2);
    tf.dispose(Object.values(grads));
    for (const o of [a, b, c]) o.dispose();
    tf.dispose([...reference, ...restored].map((p) => p.variable));
  });

  it('leaks no tensors over 100 updates', () => {
    const parameters = makeParameters();
    const sgd = createSgdOptimizer(parameters, { type: 'sgd' });
    const grads = {
      w: tf.tensor1d(gradientSequence[0]!.w),
      b: tf.tensor1d(gradientSequence[0]!.b),
    };
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) sgd.applyGradients(grads, 0.01);
    expect(tf.memory().numTensors).toBe(before);
    sgd.dispose();
    tf.dispose([...Object.values(grads), ...parameters.map((p) => p.variable)]);
  });
});

describe('optimiser validation', () => {
  it('rejects bad hyper-parameters and unknown types with messages naming them', () => {
    expect(() => createSgdOptimizer([], { type: 'sgd', momentum: -0.1 })).toThrow(
      'createSgdOptimizer: options.momentum must be a finite number >= 0, received -0.1',
    );
    expect(() => createAdamOptimizer([], { type: 'adam', beta2: 1 })).toThrow(
      'createAdamOptimizer: options.beta2 must be a number in [0, 1), received 1',
    );
    expect(() => createSgdOptimizer([], { type: 'sgd', weightDecayMode: 'L2' as never })).toThrow(
      "createSgdOptimizer: options.weightDecayMode must be one of 'decoupled', 'l2', received 'L2'",
    );
    expect(() =>
      createSgdOptimizer([], { type: 'sgd', weightDecayParameters: 'bias' as never }),
    ).toThrow(
      "createSgdOptimizer: options.weightDecayParameters must be one of 'weights-only', 'all', received 'bias'",
    );
    expect(() => createOptimizer([], { type: 'sgdd' } as never)).toThrow(
      "Unknown optimizer 'sgdd'. Valid optimizer names: sgd, adam. Did you mean 'sgd'?",
    );
  });

  it('rejects a state whose slots have another shape', () => {
    const parameters = makeParameters();
    const sgd = createSgdOptimizer(parameters, { type: 'sgd' });
    const wrong = { w: tf.zeros([4]), b: tf.zeros([2]) };
    expect(() =>
      sgd.setState({ step: 1, slots: { 'momentum/w': wrong.w, 'momentum/b': wrong.b } }),
    ).toThrow("sgd.setState: state.slots['momentum/w'] must be shape [3], received shape [4]");
    expect(() => sgd.setState({ step: 1, slots: {} })).toThrow(
      "sgd.setState: state.slots['momentum/w'] must be present, received nothing",
    );
    sgd.dispose();
    tf.dispose([...Object.values(wrong), ...parameters.map((p) => p.variable)]);
  });
});
