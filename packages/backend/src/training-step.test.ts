import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { describe, expect, it } from 'vitest';
import { setUpWebGpuForTests, webGpuBuffersInUse } from './kernels/webgpu-test-setup';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels';
import { registerWebGpuTrainingKernels } from './register-webgpu-training-kernels';

/** A small residual CNN written with plain tfjs-core ops, batch norm included. */
function createNetwork(seed: number) {
  const v = (shape: number[], s: number, scale: number) =>
    tf.variable(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', s), scale));
  return {
    stem: v([3, 3, 3, 8], seed, 0.3),
    gamma1: tf.variable(tf.ones([8])),
    beta1: tf.variable(tf.zeros([8])),
    conv1: v([3, 3, 8, 12], seed + 1, 0.15),
    gamma2: tf.variable(tf.ones([12])),
    beta2: tf.variable(tf.zeros([12])),
    conv2: v([3, 3, 12, 12], seed + 2, 0.15),
    shortcut: v([1, 1, 8, 12], seed + 3, 0.3),
    dense: v([12, 5], seed + 4, 0.3),
    bias: tf.variable(tf.zeros([5])),
  };
}
type Network = ReturnType<typeof createNetwork>;

function batchNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const inv = tf.rsqrt(tf.add(variance, 1e-5));
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), inv), gamma), beta) as tf.Tensor4D;
}

function loss(net: Network, x: tf.Tensor4D, labels: tf.Tensor2D): tf.Scalar {
  const h0 = tf.relu(
    batchNorm(tf.conv2d(x, net.stem as tf.Tensor4D, 1, 'same'), net.gamma1, net.beta1),
  );
  const h1 = tf.relu(
    batchNorm(tf.conv2d(h0, net.conv1 as tf.Tensor4D, 2, 'same'), net.gamma2, net.beta2),
  );
  const h2 = tf.conv2d(h1, net.conv2 as tf.Tensor4D, 1, 'same');
  const short = tf.conv2d(h0, net.shortcut as tf.Tensor4D, 2, 'same');
  const h3 = tf.relu(tf.add(h2, short)) as tf.Tensor4D;
  const pooled = tf.reshape(tf.avgPool(h3, [h3.shape[1], h3.shape[2]], 1, 'valid'), [
    x.shape[0],
    12,
  ]);
  const logits = tf.add(tf.matMul(pooled as tf.Tensor2D, net.dense as tf.Tensor2D), net.bias);
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
}

/** One SGD step; the loss is read with `await data()`, which webgpu in Node needs. */
async function sgdStep(net: Network, x: tf.Tensor4D, labels: tf.Tensor2D): Promise<number> {
  const vars = Object.values(net);
  const { value, grads } = tf.variableGrads(() => loss(net, x, labels), vars);
  tf.tidy(() => {
    for (const variable of vars)
      variable.assign(tf.sub(variable, tf.mul(grads[variable.name] as tf.Tensor, 0.1)));
  });
  const result = (await value.data())[0] ?? Number.NaN;
  tf.dispose([value, ...Object.values(grads)]);
  return result;
}

async function fiveStepLosses(backend: string): Promise<number[]> {
  await tf.setBackend(backend);
  await tf.ready();
  const net = createNetwork(7);
  const x = tf.randomUniform([4, 9, 9, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
  const labels = tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), 5) as tf.Tensor2D;
  const losses: number[] = [];
  for (let i = 0; i < 5; i++) losses.push(await sgdStep(net, x, labels));
  tf.dispose([x, labels, ...Object.values(net)]);
  return losses;
}

describe('a residual CNN training step', () => {
  it('gives the same five SGD losses on wasm and cpu to 1e-4', async () => {
    registerWasmTrainingKernels();
    const cpu = await fiveStepLosses('cpu');
    const wasm = await fiveStepLosses('wasm');
    expect(cpu[4]).toBeLessThan(cpu[0] ?? 0);
    for (let i = 0; i < 5; i++)
      expect(Math.abs((wasm[i] ?? 0) - (cpu[i] ?? 0))).toBeLessThanOrEqual(1e-4);
  });

  it('leaks no tensors over 100 training steps on wasm', async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    const net = createNetwork(3);
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const labels = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 5) as tf.Tensor2D;
    await sgdStep(net, x, labels);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) await sgdStep(net, x, labels);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, labels, ...Object.values(net)]);
  });
});

const webgpu = await setUpWebGpuForTests();

describe.skipIf(!webgpu.available && !webgpu.required)(
  `a residual CNN training step on webgpu${webgpu.available ? '' : ` (no adapter: ${webgpu.reason})`}`,
  () => {
    it('gives the same five SGD losses on webgpu (with our kernels) and cpu to 1e-4', async () => {
      if (!webgpu.available) throw new Error(`CI=true but webgpu is unavailable: ${webgpu.reason}`);
      registerWebGpuTrainingKernels();
      const cpu = await fiveStepLosses('cpu');
      const gpu = await fiveStepLosses('webgpu');
      await tf.setBackend('cpu');
      expect(cpu[4]).toBeLessThan(cpu[0] ?? 0);
      for (let i = 0; i < 5; i++)
        expect(Math.abs((gpu[i] ?? 0) - (cpu[i] ?? 0))).toBeLessThanOrEqual(1e-4);
    });

    it('leaks no tensors and no GPU buffers over 20 training steps on webgpu', async () => {
      if (!webgpu.available) throw new Error(`CI=true but webgpu is unavailable: ${webgpu.reason}`);
      registerWebGpuTrainingKernels();
      await tf.setBackend('webgpu');
      const net = createNetwork(3);
      const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
      const labels = tf.oneHot(tf.tensor1d([1, 2], 'int32'), 5) as tf.Tensor2D;
      await sgdStep(net, x, labels);
      await sgdStep(net, x, labels);
      const tensors = tf.memory().numTensors;
      const buffers = webGpuBuffersInUse();
      for (let i = 0; i < 20; i++) await sgdStep(net, x, labels);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(webGpuBuffersInUse()).toBe(buffers);
      tf.dispose([x, labels, ...Object.values(net)]);
      await tf.setBackend('cpu');
    });
  },
);
