import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';
import { sliceConfig } from './heap-slice';

/** Slices on cpu and on wasm (with the heap Slice registered); returns both results' values. */
async function both(
  values: number[],
  shape: number[],
  dtype: 'float32' | 'int32' | 'bool',
  begin: number[],
  size: number[],
) {
  const results: number[][] = [];
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const x = tf.tensor(values, shape, dtype);
    const y = tf.slice(x, begin, size);
    expect(y.dtype).toBe(dtype);
    expect(y.shape).toEqual(
      size.map((s, i) => (s === -1 ? (shape[i] as number) - (begin[i] as number) : s)),
    );
    results.push(Array.from(await y.data()));
    tf.dispose([x, y]);
  }
  return results;
}

describe('heap Slice on wasm', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
    await tf.ready();
  });

  it('is the registered wasm Slice', () => {
    expect(tf.getKernel('Slice', 'wasm')).toBe(sliceConfig);
  });

  it.each([
    ['a range of a vector', [10], [3], [5]],
    ['the whole vector', [10], [0], [-1]],
    ['an empty range', [10], [4], [0]],
    ['leading rows of a matrix', [5, 2], [1, 0], [3, -1]],
    ['one row of a rank-4 tensor', [2, 1, 5, 1], [1, 0, 0, 0], [1, 1, 5, 1]],
    ['columns of a matrix (not contiguous: stock kernel)', [5, 2], [0, 1], [5, 1]],
    ['a block of a rank-3 tensor (not contiguous: stock kernel)', [2, 5, 1], [0, 1, 0], [2, 3, 1]],
  ])('equals cpu for %s', async (_, shape, begin, size) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: n }, (_, i) => ((i * 7919) % 101) - 50 + 0.25);
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const data = dtype === 'float32' ? values : values.map((v) => Math.trunc(v) % 2);
      const [cpu, wasm] = await both(data, shape, dtype, begin, size);
      expect(wasm).toEqual(cpu);
    }
    await tf.setBackend('wasm');
  });

  it('leaves the input intact and leaks no memory over many slices', () => {
    const x = tf.range(0, 100_000, 1, 'float32');
    const before = tf.memory();
    for (let i = 0; i < 50; i++) {
      tf.tidy(() => {
        tf.slice(x, [i * 1000], [2000]);
      });
    }
    expect(tf.memory().numBytes).toBe(before.numBytes);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    const piece = tf.slice(x, [99_990], [10]);
    expect(Array.from(piece.dataSync())).toEqual(Array.from({ length: 10 }, (_, i) => 99_990 + i));
    tf.dispose([x, piece]);
  });
});
