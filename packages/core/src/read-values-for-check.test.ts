import '@tensorflow/tfjs-backend-cpu';
import { GeokdError, InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readValuesForCheck } from './read-values-for-check';
import { assertFinite } from './tensor-validation';

// What tfjs's webgpu backend throws in Node for a synchronous read of GPU data.
const refuseSyncReads = () =>
  vi.spyOn(tf.Tensor.prototype, 'dataSync').mockImplementation(() => {
    throw new ReferenceError('OffscreenCanvas is not defined');
  });

describe('readValuesForCheck', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('returns the values when the backend reads synchronously', () => {
    const x = tf.tensor1d([1, -2, 3.5]);
    expect(Array.from(readValuesForCheck('fn', 'x', x))).toEqual([1, -2, 3.5]);
    x.dispose();
  });

  it('turns a refused synchronous read into a geokd error naming the check and the way out', () => {
    const x = tf.tensor1d([1, 2]);
    refuseSyncReads();
    let thrown: unknown;
    try {
      readValuesForCheck('similarityGraph', 'features', x);
    } catch (error) {
      thrown = error;
    }
    expect(GeokdError.isInstance(thrown)).toBe(true);
    const error = thrown as GeokdError;
    expect(error.code).toBe('value-check-unavailable');
    expect(error.message).toContain('similarityGraph: checking features for bad values');
    expect(error.message).toContain('OffscreenCanvas is not defined');
    expect(error.message).toContain('setValueChecks(false)');
    expect((error.cause as Error).message).toBe('OffscreenCanvas is not defined');
    x.dispose();
  });

  it('makes assertFinite fail with that error and leak nothing', () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    refuseSyncReads();
    const before = tf.memory().numTensors;
    expect(() => assertFinite('gkdLoss', 'studentFeatures', x)).toThrow(
      /gkdLoss: checking studentFeatures for bad values needs a synchronous read/,
    );
    expect(tf.memory().numTensors).toBe(before);
    vi.restoreAllMocks();
    // With reads allowed, the same call passes for finite values and rejects NaN as before.
    expect(() => assertFinite('gkdLoss', 'studentFeatures', x)).not.toThrow();
    const bad = tf.tensor1d([1, Number.NaN]);
    expect(() => assertFinite('gkdLoss', 'studentFeatures', bad)).toThrow(InvalidArgumentError);
    tf.dispose([x, bad]);
  });
});
