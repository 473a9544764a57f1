import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { classMask } from './class-mask';
import { setValueChecks } from './value-checks';

describe.each(['cpu', 'wasm'])('classMask on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it('marks same-class pairs for intra, including the diagonal', () => {
    const labels = tf.tensor1d([0, 1, 0, 2], 'int32');
    const mask = classMask(labels, 'intra');
    expect(mask.dtype).toBe('float32');
    expect(mask.arraySync()).toEqual([
      [1, 0, 1, 0],
      [0, 1, 0, 0],
      [1, 0, 1, 0],
      [0, 0, 0, 1],
    ]);
    tf.dispose([labels, mask]);
  });

  it('marks different-class pairs for inter, with a zero diagonal, and accepts float labels', () => {
    const labels = tf.tensor1d([3, 3, 1]);
    const mask = classMask(labels, 'inter');
    expect(mask.arraySync()).toEqual([
      [0, 0, 1],
      [0, 0, 1],
      [1, 1, 0],
    ]);
    tf.dispose([labels, mask]);
  });

  it('leaks no tensor over 100 calls', () => {
    const labels = tf.tensor1d([0, 1, 1, 0], 'int32');
    classMask(labels, 'intra').dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) classMask(labels, i % 2 ? 'intra' : 'inter').dispose();
    expect(tf.memory().numTensors).toBe(before);
    labels.dispose();
  });

  it('rejects an unknown mode, a rank-2 or bool tensor, and non-integer or negative labels', () => {
    const labels = tf.tensor1d([0, 1], 'int32');
    expect(() => classMask(labels, 'same' as 'intra')).toThrow(
      "classMask: mode must be 'intra' or 'inter', received 'same'",
    );
    const matrix = tf.zeros([2, 2], 'int32');
    expect(() => classMask(matrix as unknown as tf.Tensor1D, 'intra')).toThrow(
      'classMask: labels must be a rank-1 tensor [B], received shape [2, 2]',
    );
    const bools = tf.tensor1d([true, false], 'bool');
    expect(() => classMask(bools, 'intra')).toThrow(
      'classMask: labels must be an int32 or float32 tensor, received dtype bool',
    );
    const fractional = tf.tensor1d([0, 1.5]);
    // Label values are read only when value checks are on.
    expect(() => classMask(fractional, 'intra')).not.toThrow();
    expect(() => classMask(fractional, 'intra', { checkFinite: true })).toThrow(
      'classMask: labels must be non-negative integer class indices, received 1.5 at index 1',
    );
    const negative = tf.tensor1d([-1, 0], 'int32');
    const previous = setValueChecks(true);
    expect(() => classMask(negative, 'intra')).toThrow(
      'classMask: labels must be non-negative integer class indices, received -1 at index 0',
    );
    setValueChecks(previous);
    tf.dispose([labels, matrix, bools, fractional, negative]);
  });
});
