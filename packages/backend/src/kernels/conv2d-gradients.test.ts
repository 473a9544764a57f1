import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxRelativeError } from './max-relative-error';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';

type Pad =
  | 'same'
  | 'valid'
  | number
  | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number | [number, number];
  pad: Pad;
}

const cases: Case[] = [
  { x: [2, 7, 9, 3], f: [3, 3, 3, 5], stride: 1, pad: 'same' },
  { x: [2, 7, 9, 3], f: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { x: [1, 8, 8, 4], f: [3, 3, 4, 6], stride: 2, pad: 'same' },
  { x: [3, 9, 7, 2], f: [3, 2, 2, 4], stride: 1, pad: 'valid' },
  { x: [2, 11, 10, 3], f: [3, 3, 3, 2], stride: [2, 3], pad: 'valid' },
  { x: [2, 8, 8, 16], f: [1, 1, 16, 32], stride: 2, pad: 'same' },
  // 1×1 filters take the matrix-product filter gradient: stride 1, odd sizes, mixed strides.
  { x: [3, 5, 6, 4], f: [1, 1, 4, 7], stride: 1, pad: 'valid' },
  { x: [2, 7, 9, 3], f: [1, 1, 3, 5], stride: 2, pad: 'same' },
  { x: [2, 9, 10, 3], f: [1, 1, 3, 2], stride: [2, 3], pad: 'valid' },
  { x: [2, 8, 9, 3], f: [1, 1, 3, 2], stride: [2, 3], pad: 'valid' },
  { x: [1, 6, 6, 2], f: [1, 1, 2, 3], stride: 2, pad: 1 },
  { x: [1, 6, 5, 2], f: [3, 3, 2, 3], stride: 1, pad: 1 },
  { x: [2, 7, 7, 3], f: [5, 5, 3, 4], stride: 2, pad: 2 },
  {
    x: [2, 6, 7, 2],
    f: [3, 3, 2, 3],
    stride: 2,
    pad: [
      [0, 0],
      [1, 0],
      [2, 1],
      [0, 0],
    ],
  },
  {
    x: [1, 4, 4, 2],
    f: [2, 2, 2, 3],
    stride: 1,
    pad: [
      [0, 0],
      [3, 2],
      [0, 3],
      [0, 0],
    ],
  },
  // Strided input gradients by phase split: odd sizes, stride 3, even filters, wide paddings.
  { x: [1, 7, 9, 16], f: [3, 3, 16, 3], stride: 3, pad: 'same' },
  { x: [1, 9, 7, 3], f: [4, 4, 3, 16], stride: 2, pad: 'same' },
  { x: [1, 7, 9, 1], f: [1, 1, 1, 3], stride: 2, pad: 'valid' },
  // Numeric padding only with square strides: tfjs sizes a numeric-padded conv with the height's
  // stride and filter on both axes, so wasm's XNNPACK and tfjs disagree on the output width.
  { x: [2, 7, 9, 3], f: [2, 2, 3, 4], stride: 2, pad: 1 },
  {
    x: [2, 7, 9, 3],
    f: [2, 2, 3, 4],
    stride: [2, 3],
    pad: [
      [0, 0],
      [1, 0],
      [1, 2],
      [0, 0],
    ],
  },
  {
    x: [1, 6, 7, 3],
    f: [2, 2, 3, 2],
    stride: 2,
    pad: [
      [0, 0],
      [3, 2],
      [0, 3],
      [0, 0],
    ],
  },
];

function randomTensors(c: Case, seed: number) {
  const x = tf.randomNormal(c.x, 0, 1, 'float32', seed);
  const f = tf.randomNormal(c.f, 0, 1, 'float32', seed + 1);
  const y = tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.stride, c.pad);
  const dy = tf.randomNormal(y.shape, 0, 1, 'float32', seed + 2);
  return { x: x.arraySync(), f: f.arraySync(), dy: dy.arraySync(), dyShape: dy.shape };
}

async function gradientsOn(backend: string, c: Case, data: ReturnType<typeof randomTensors>) {
  await tf.setBackend(backend);
  const x = tf.tensor(data.x) as tf.Tensor4D;
  const f = tf.tensor(data.f) as tf.Tensor4D;
  const dy = tf.tensor(data.dy) as tf.Tensor4D;
  const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad),
  )([x, f], dy);
  const out = { dx: dx.dataSync().slice(), df: df.dataSync().slice() };
  tf.dispose([x, f, dy, dx, df]);
  return out;
}

describe('conv2d gradient kernels on wasm', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it.each(cases.map((c, i) => [i, JSON.stringify(c), c] as const))(
    'match the cpu backend to 1e-5 relative error (case %i: %s)',
    async (i, _label, c) => {
      await tf.setBackend('cpu');
      const data = randomTensors(c, 10 * i + 1);
      const cpu = await gradientsOn('cpu', c, data);
      const wasm = await gradientsOn('wasm', c, data);
      expect(wasm.df.length).toBe(cpu.df.length);
      expect(wasm.dx.length).toBe(cpu.dx.length);
      expect(maxRelativeError(wasm.df, cpu.df)).toBeLessThanOrEqual(1e-5);
      expect(maxRelativeError(wasm.dx, cpu.dx)).toBeLessThanOrEqual(1e-5);
    },
  );

  it('leaks no tensors over 100 gradient calls', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const f = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 4) as tf.Tensor4D;
    const grad = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same'))),
    );
    tf.dispose(grad([x, f]));
    const tensorsBefore = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    for (let i = 0; i < 100; i++) tf.dispose(grad([x, f]));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.memory().numBytes).toBe(bytesBefore);
    tf.dispose([x, f]);
  });

  it('leaks no backend buffers over 100 strided gradient calls', async () => {
    await tf.setBackend('wasm');
    // Kernel intermediates never reach the engine: count the backend's buffers.
    const backend = tf.backend();
    const x = tf.randomNormal([1, 7, 9, 16], 0, 1, 'float32', 5) as tf.Tensor4D;
    const f3 = tf.randomNormal([3, 3, 16, 8], 0, 1, 'float32', 6) as tf.Tensor4D;
    const f1 = tf.randomNormal([1, 1, 16, 8], 0, 1, 'float32', 7) as tf.Tensor4D;
    const grad = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.add(
        tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')),
        tf.sum(tf.conv2d(a as tf.Tensor4D, c as tf.Tensor4D, 2, 'valid')),
      ),
    );
    tf.dispose(grad([x, f3, f1]));
    const tensorsBefore = tf.memory().numTensors;
    const buffersBefore = backend.numDataIds();
    for (let i = 0; i < 100; i++) tf.dispose(grad([x, f3, f1]));
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(backend.numDataIds()).toBe(buffersBefore);
    tf.dispose([x, f3, f1]);
  });
});
