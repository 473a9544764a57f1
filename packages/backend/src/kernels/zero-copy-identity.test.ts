import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';

describe('zero-copy Identity and Cast on wasm', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  it('keeps the values of a same-dtype cast after the source is disposed', () => {
    const x = tf.tensor([1.5, -2, 3], [3], 'float32');
    const y = tf.cast(x, 'float32');
    const z = tf.engine().runKernel('Identity', { x }) as tf.Tensor;
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1.5, -2, 3]);
    expect(Array.from(z.dataSync())).toEqual([1.5, -2, 3]);
    tf.dispose([y, z]);
  });

  it('still converts dtypes through the stock Cast kernel', () => {
    const x = tf.tensor([1.7, -2.2, 0], [3], 'float32');
    const asInt = tf.cast(x, 'int32');
    const back = tf.cast(asInt, 'float32');
    expect(asInt.dtype).toBe('int32');
    expect(Array.from(asInt.dataSync())).toEqual([1, -2, 0]);
    expect(back.dtype).toBe('float32');
    expect(Array.from(back.dataSync())).toEqual([1, -2, 0]);
    tf.dispose([x, asInt, back]);
  });

  it('frees the shared data only when every tensor using it is disposed', () => {
    const before = tf.memory().numBytes;
    const x = tf.ones([1000]);
    const y = tf.cast(x, 'float32');
    x.dispose();
    expect(tf.memory().numBytes).toBe(before + 4000);
    y.dispose();
    expect(tf.memory().numBytes).toBe(before);
  });

  it('keeps a variable correct when its value came through Identity', () => {
    const v = tf.variable(tf.tensor([1, 2, 3]));
    const snapshot = tf.engine().runKernel('Identity', { x: v }) as tf.Tensor;
    v.assign(tf.tensor([7, 8, 9]));
    expect(Array.from(snapshot.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(v.dataSync())).toEqual([7, 8, 9]);
    tf.dispose([v, snapshot]);
  });
});
