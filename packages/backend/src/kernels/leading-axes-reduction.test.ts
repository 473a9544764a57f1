import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';

const cases: Array<{ shape: number[]; axis: number | number[]; keepDims: boolean }> = [
  { shape: [5, 7, 3, 4], axis: [0, 1, 2], keepDims: false },
  { shape: [5, 7, 3, 4], axis: [2, 0, 1], keepDims: true },
  { shape: [1, 3, 3, 2], axis: [0, 1, 2], keepDims: true },
  { shape: [9, 6], axis: 0, keepDims: false },
  { shape: [4, 5, 6], axis: [0, 1], keepDims: false },
  { shape: [4, 5, 6], axis: [1, 2], keepDims: false },
  { shape: [4, 5, 6], axis: [0, 2], keepDims: true },
  { shape: [4, 5, 6], axis: [0, 1, 2], keepDims: false },
  { shape: [4, 5, 6], axis: -1, keepDims: false },
];

function reduce(
  op: 'sum' | 'mean',
  c: (typeof cases)[number],
  values: number[],
  dtype: 'float32' | 'int32',
) {
  const x = tf.tensor(values, c.shape, dtype);
  const y = op === 'sum' ? tf.sum(x, c.axis, c.keepDims) : tf.mean(x, c.axis, c.keepDims);
  const out = { shape: y.shape, dtype: y.dtype, data: Array.from(y.dataSync()) };
  tf.dispose([x, y]);
  return out;
}

describe('Sum and Mean over leading axes on wasm', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  it.each(
    cases.flatMap((c) =>
      (['sum', 'mean'] as const).map((op) => [op, JSON.stringify(c), c] as const),
    ),
  )('%s matches the cpu backend to 1e-5 relative error (%s)', async (op, _label, c) => {
    const size = c.shape.reduce((p, d) => p * d, 1);
    const values = Array.from({ length: size }, (_, i) => Math.sin(i * 12.9898) * 10);
    await tf.setBackend('cpu');
    const cpu = reduce(op, c, values, 'float32');
    await tf.setBackend('wasm');
    const wasm = reduce(op, c, values, 'float32');
    expect(wasm.shape).toEqual(cpu.shape);
    expect(wasm.dtype).toBe(cpu.dtype);
    const scale = Math.max(...cpu.data.map(Math.abs));
    for (let i = 0; i < cpu.data.length; i++) {
      expect(Math.abs((wasm.data[i] ?? 0) - (cpu.data[i] ?? 0))).toBeLessThanOrEqual(1e-5 * scale);
    }
  });

  it('still sums int32 tensors exactly (through the stock kernel)', async () => {
    await tf.setBackend('wasm');
    const out = reduce(
      'sum',
      { shape: [3, 2], axis: 0, keepDims: false },
      [1, 2, 3, 4, 5, 6],
      'int32',
    );
    expect(out).toEqual({ shape: [2], dtype: 'int32', data: [9, 12] });
  });

  it('leaks no tensors over 100 reductions', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([8, 4, 4, 3]);
    tf.dispose(tf.sum(x, [0, 1, 2]));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) tf.dispose([tf.sum(x, [0, 1, 2]), tf.mean(x, [0, 1, 2], true)]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
