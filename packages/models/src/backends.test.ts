import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as backendPackage from '@geokd/backend';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { resNetCifar } from './resnet-cifar';
import { smallCnn } from './small-cnn';
import { wideResNet } from './wide-resnet';

/**
 * The same forward pass on cpu and wasm. Backprop through conv2d on wasm needs
 * `registerWasmTrainingKernels()` from @geokd/backend (stock wasm lacks Conv2DBackpropFilter);
 * the training tests run on cpu, and the full wasm training step below runs once that
 * function exists.
 */
const registerWasmTrainingKernels = (backendPackage as Record<string, unknown>)
  .registerWasmTrainingKernels as (() => void) | undefined;
describe.each(['cpu', 'wasm'])('forward pass on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it('matches the logits of the cpu backend within 1e-4 and leaks nothing', async () => {
    const model = wideResNet({
      depth: 10,
      width: 0.5,
      numClasses: 4,
      inputShape: [8, 8, 3],
      seed: 3,
    });
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const run = () =>
      tf.tidy(() => Array.from(model.apply(x, { training: true }).logits.dataSync()));
    const logits = run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) run();
    expect(tf.memory().numTensors).toBe(before);
    // Reference: the same model's weights on the cpu backend.
    const weights = model.parameters.map((p) => p.variable.dataSync().slice());
    await tf.setBackend('cpu');
    const reference = wideResNet({
      depth: 10,
      width: 0.5,
      numClasses: 4,
      inputShape: [8, 8, 3],
      seed: 3,
    });
    reference.parameters.forEach((p, i) => {
      tf.tidy(() => p.variable.assign(tf.tensor(weights[i] as Float32Array, p.variable.shape)));
    });
    const xCpu = tf.tensor(x.dataSync(), x.shape) as tf.Tensor4D;
    const expected = tf.tidy(() =>
      Array.from(reference.apply(xCpu, { training: false }).logits.dataSync()),
    );
    await tf.setBackend(backend);
    const got = tf.tidy(() => Array.from(model.apply(x, { training: false }).logits.dataSync()));
    expect(logits.every(Number.isFinite)).toBe(true);
    got.forEach((v, i) => {
      expect(Math.abs(v - (expected[i] as number))).toBeLessThan(1e-4);
    });
    x.dispose();
    model.dispose();
    xCpu.dispose();
    reference.dispose();
  });

  it('trains a dense-only path (no conv backprop) on the small CNN head', () => {
    const model = smallCnn({ channels: [4], numClasses: 3, inputShape: [8, 8, 1], seed: 2 });
    const x = tf.randomNormal([4, 8, 8, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const fc = model.parameters.filter((p) => p.name.startsWith('fc/')).map((p) => p.variable);
    const { value, grads } = tf.variableGrads(() => tf.sum(model.apply(x).logits) as tf.Scalar, fc);
    expect(Object.keys(grads).length).toBe(2);
    tf.dispose([value, ...Object.values(grads), x]);
    model.dispose();
  });
});

describe.runIf(typeof registerWasmTrainingKernels === 'function')(
  'training on wasm with @geokd/backend kernels',
  () => {
    beforeAll(async () => {
      await tf.setBackend('wasm');
      await tf.ready();
      registerWasmTrainingKernels?.();
    });

    it('sends gradients to every trainable weight of a tiny ResNet, equal to cpu within 1e-3 relative', async () => {
      const make = () => resNetCifar({ depth: 8, numClasses: 3, inputShape: [4, 4, 3], seed: 5 });
      const gradNorms = async (backend: string) => {
        await tf.setBackend(backend);
        const model = make();
        const x = tf.randomNormal([3, 4, 4, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
        const { value, grads } = tf.variableGrads(
          () => tf.sum(tf.square(model.apply(x, { training: true }).logits)) as tf.Scalar,
          model.trainableVariables(),
        );
        const norms = model.parameters
          .filter((p) => p.trainable)
          .map((p) =>
            tf.tidy(() => tf.norm(grads[p.variable.name] as tf.Tensor).dataSync()[0] as number),
          );
        tf.dispose([value, ...Object.values(grads), x]);
        model.dispose();
        return norms;
      };
      const cpu = await gradNorms('cpu');
      const wasm = await gradNorms('wasm');
      wasm.forEach((n, i) => {
        expect(n).toBeGreaterThan(0);
        expect(Math.abs(n - (cpu[i] as number))).toBeLessThan(1e-3 * Math.max(1, cpu[i] as number));
      });
    });
  },
);
