import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { GeokdError, InvalidArgumentError } from '@geokd/errors';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../register-wasm-training-kernels';

interface Case {
  name: string;
  xShape: number[];
  ids: number[];
  idsShape: number[];
  numSegments: number;
}

const cases: Case[] = [
  {
    name: '1-D x with repeated ids and unused segments',
    xShape: [6],
    ids: [3, 0, 3, 3, 1, 0],
    idsShape: [6],
    numSegments: 5,
  },
  {
    name: '2-D x, rank-1 ids',
    xShape: [7, 5],
    ids: [2, 2, 0, 4, 2, 0, 1],
    idsShape: [7],
    numSegments: 6,
  },
  {
    name: '3-D x, rank-1 ids',
    xShape: [5, 3, 4],
    ids: [1, 0, 1, 1, 3],
    idsShape: [5],
    numSegments: 4,
  },
  {
    name: '3-D x, rank-2 ids',
    xShape: [4, 3, 5],
    ids: [0, 2, 2, 1, 0, 0, 2, 2, 2, 3, 1, 0],
    idsShape: [4, 3],
    numSegments: 5,
  },
  {
    name: '2-D x, rank-2 ids (scalar rows)',
    xShape: [3, 4],
    ids: [1, 1, 0, 2, 2, 2, 0, 1, 1, 0, 0, 0],
    idsShape: [3, 4],
    numSegments: 3,
  },
  {
    name: 'out-of-range ids (negative and >= numSegments) dropped',
    xShape: [8, 3],
    ids: [-1, 0, 3, 1, 7, 0, -5, 2],
    idsShape: [8],
    numSegments: 3,
  },
  {
    name: 'every id out of range',
    xShape: [3, 2],
    ids: [-1, 4, 9],
    idsShape: [3],
    numSegments: 4,
  },
  {
    name: 'many rows into one segment',
    xShape: [300, 2],
    ids: Array.from({ length: 300 }, (_, i) => i % 2),
    idsShape: [300],
    numSegments: 2,
  },
  { name: 'empty x', xShape: [0, 3], ids: [], idsShape: [0], numSegments: 2 },
];

function values(size: number, dtype: 'float32' | 'int32'): number[] {
  return Array.from({ length: size }, (_, i) => {
    const v = Math.sin(i * 12.9898 + 1) * 43758.5453;
    const frac = v - Math.floor(v);
    return dtype === 'int32' ? Math.round((frac - 0.5) * 2000) : (frac - 0.5) * 20;
  });
}

/**
 * Runs the op on the current backend. `flattenIds` feeds the ids as rank 1 and `x` as
 * `[ids.size, ...inner]`, the same sum by definition: the cpu backend's own handling of ids of
 * rank >= 2 is wrong (it reduces only the first id axis, or fails to broadcast), so it is the
 * reference only in this form.
 */
function segmentSum(c: Case, dtype: 'float32' | 'int32', flattenIds: boolean) {
  const size = c.xShape.reduce((p, d) => p * d, 1);
  const idsSize = c.idsShape.reduce((p, d) => p * d, 1);
  const inner = c.xShape.slice(c.idsShape.length);
  const xShape = flattenIds ? [idsSize, ...inner] : c.xShape;
  const x = tf.tensor(values(size, dtype), xShape, dtype);
  const ids = tf.tensor(c.ids, flattenIds ? [idsSize] : c.idsShape, 'int32');
  // The op's type says rank 1, but ids of any rank that prefixes x's shape are valid.
  const y = tf.unsortedSegmentSum(x, ids as tf.Tensor1D, c.numSegments);
  const out = { shape: y.shape, dtype: y.dtype, data: Array.from(y.dataSync()) };
  tf.dispose([x, ids, y]);
  return out;
}

function expectClose(actual: number[], expected: number[], relTol: number): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(1e-30, ...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs((actual[i] ?? Number.NaN) - (expected[i] ?? 0))).toBeLessThanOrEqual(
      relTol * scale,
    );
  }
}

function wasmBackend(): tf.KernelBackend {
  return tf.engine().backend;
}

describe('UnsortedSegmentSum on wasm', () => {
  beforeAll(async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('wasm');
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    'matches the cpu backend for float32 to 1e-6 relative error (%s)',
    async (_name, c) => {
      await tf.setBackend('cpu');
      const cpu = segmentSum(c, 'float32', true);
      await tf.setBackend('wasm');
      const wasm = segmentSum(c, 'float32', false);
      expect(wasm.shape).toEqual([c.numSegments, ...c.xShape.slice(c.idsShape.length)]);
      expect(wasm.shape).toEqual(cpu.shape);
      expect(wasm.dtype).toBe('float32');
      expectClose(wasm.data, cpu.data, 1e-6);
    },
  );

  it.each(cases.map((c) => [c.name, c] as const))(
    'matches the cpu backend exactly for int32 and keeps the int32 dtype (%s)',
    async (_name, c) => {
      await tf.setBackend('cpu');
      const cpu = segmentSum(c, 'int32', true);
      await tf.setBackend('wasm');
      const wasm = segmentSum(c, 'int32', false);
      expect(wasm.shape).toEqual(cpu.shape);
      // The cpu backend returns float32 for int32 x (it multiplies by a float mask); wasm keeps int32.
      expect(wasm.dtype).toBe('int32');
      expect(wasm.data).toEqual(cpu.data.map((v) => v + 0));
    },
  );

  it('sums a hand-computed example, with zeros for unused segments', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
    const ids = tf.tensor1d([2, 0, 2, 5], 'int32');
    const y = tf.unsortedSegmentSum(x, ids, 4);
    expect(y.shape).toEqual([4, 2]);
    expect(Array.from(y.dataSync())).toEqual([3, 4, 0, 0, 6, 8, 0, 0]);
    tf.dispose([x, ids, y]);
  });

  it('sums over every axis of rank-2 ids (hand-computed)', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const ids = tf.tensor2d([1, 0, 1, 1], [2, 2], 'int32');
    const y = tf.unsortedSegmentSum(x, ids as unknown as tf.Tensor1D, 2);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.dataSync())).toEqual([3, 4, 13, 16]);
    tf.dispose([x, ids, y]);
  });

  it('returns an empty tensor for zero segments', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([3, 2]);
    const ids = tf.tensor1d([0, 1, 0], 'int32');
    const y = tf.unsortedSegmentSum(x, ids, 0);
    expect(y.shape).toEqual([0, 2]);
    expect(y.size).toBe(0);
    tf.dispose([x, ids, y]);
  });

  it('keeps a NaN in its own segment', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor1d([Number.NaN, 2, 3]);
    const ids = tf.tensor1d([0, 1, 1], 'int32');
    const y = tf.unsortedSegmentSum(x, ids, 3);
    expect(Array.from(y.dataSync())).toEqual([Number.NaN, 5, 0]);
    tf.dispose([x, ids, y]);
  });

  const gradCases: Array<{
    name: string;
    params: number[];
    indices: number[];
    indicesShape: number[];
    axis: number;
  }> = [
    {
      name: 'rank-1 indices',
      params: [20, 4],
      indices: [3, 7, 3, 0, 19, 3, 7],
      indicesShape: [7],
      axis: 0,
    },
    {
      name: 'rank-2 indices',
      params: [9, 3, 2],
      indices: [8, 1, 1, 4, 0, 8, 8, 2, 5, 1, 6, 1],
      indicesShape: [3, 4],
      axis: 0,
    },
    { name: 'axis 1', params: [3, 6, 2], indices: [5, 0, 5, 2], indicesShape: [4], axis: 1 },
  ];

  it.each(gradCases.map((c) => [c.name, c] as const))(
    'gives the gradient of sum(gather(params, indices) * w) that cpu gives, to 1e-6 (%s)',
    async (_name, c) => {
      const gradient = () => {
        const size = c.params.reduce((p, d) => p * d, 1);
        const params = tf.tensor(values(size, 'float32'), c.params);
        const indices = tf.tensor(c.indices, c.indicesShape, 'int32');
        const gatheredShape = [
          ...c.params.slice(0, c.axis),
          ...c.indicesShape,
          ...c.params.slice(c.axis + 1),
        ];
        const w = tf.tensor(
          values(
            gatheredShape.reduce((p, d) => p * d, 1),
            'float32',
          ).map((v) => v + 7),
          gatheredShape,
        );
        const g = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.gather(p, indices, c.axis), w)))(
          params,
        );
        const out = { shape: g.shape, data: Array.from(g.dataSync()) };
        tf.dispose([params, indices, w, g]);
        return out;
      };
      await tf.setBackend('cpu');
      const cpu = gradient();
      await tf.setBackend('wasm');
      const wasm = gradient();
      expect(wasm.shape).toEqual(c.params);
      expect(wasm.shape).toEqual(cpu.shape);
      expectClose(wasm.data, cpu.data, 1e-6);
    },
  );

  it('leaks no tensors or backend data over 100 calls', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([16, 8]);
    const ids = tf.tensor1d([0, 3, 3, 1, 9, -1, 2, 2, 0, 5, 5, 5, 4, 1, 7, 6], 'int32');
    const params = tf.randomNormal([12, 8]);
    const indices = tf.tensor1d([1, 1, 4, 11], 'int32');
    const gatherGrad = tf.grad((p: tf.Tensor) => tf.sum(tf.gather(p, indices)));
    tf.dispose([tf.unsortedSegmentSum(x, ids, 10), gatherGrad(params)]);
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = wasmBackend().numDataIds();
    for (let i = 0; i < 100; i++) {
      tf.dispose([tf.unsortedSegmentSum(x, ids, 10), gatherGrad(params)]);
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(wasmBackend().numDataIds()).toBe(dataBefore);
    tf.dispose([x, ids, params, indices]);
  });

  describe('validation', () => {
    const run = (x: tf.Tensor, segmentIds: tf.Tensor, numSegments: number) => () =>
      tf.engine().runKernel(tf.UnsortedSegmentSum, { x, segmentIds }, { numSegments });

    it('rejects segmentIds whose shape is not a prefix of the shape of x', async () => {
      await tf.setBackend('wasm');
      const x = tf.ones([3, 2]);
      const ids = tf.tensor1d([0, 1], 'int32');
      expect(run(x, ids, 2)).toThrow(
        'UnsortedSegmentSum (wasm): segmentIds must be a prefix of the shape of x [3, 2], received shape [2]',
      );
      tf.dispose([x, ids]);
    });

    it('rejects segmentIds of higher rank than x', async () => {
      await tf.setBackend('wasm');
      const x = tf.ones([2]);
      const ids = tf.tensor2d([[0, 1]], [1, 2], 'int32');
      expect(run(x, ids, 2)).toThrow(
        'UnsortedSegmentSum (wasm): segmentIds must be of rank <= the rank of x (1), received rank 2 (shape [1, 2])',
      );
      tf.dispose([x, ids]);
    });

    it('rejects scalar segmentIds', async () => {
      await tf.setBackend('wasm');
      const x = tf.ones([2]);
      const ids = tf.scalar(0, 'int32');
      expect(run(x, ids, 2)).toThrow(
        'UnsortedSegmentSum (wasm): segmentIds must be of rank >= 1, received a scalar',
      );
      tf.dispose([x, ids]);
    });

    it('rejects segmentIds that are not int32', async () => {
      await tf.setBackend('wasm');
      const x = tf.ones([2]);
      const ids = tf.tensor1d([0, 1]);
      expect(run(x, ids, 2)).toThrow(
        "UnsortedSegmentSum (wasm): segmentIds must be of dtype 'int32', received 'float32'",
      );
      tf.dispose([x, ids]);
    });

    it('rejects x that is neither float32 nor int32', async () => {
      await tf.setBackend('wasm');
      const x = tf.tensor1d([1, 0], 'bool');
      const ids = tf.tensor1d([0, 1], 'int32');
      expect(run(x, ids, 2)).toThrow(
        "UnsortedSegmentSum (wasm): x must be of dtype 'float32' or 'int32', received 'bool'",
      );
      tf.dispose([x, ids]);
    });

    it('rejects a negative numSegments', async () => {
      await tf.setBackend('wasm');
      const x = tf.ones([2]);
      const ids = tf.tensor1d([0, 1], 'int32');
      expect(run(x, ids, -1)).toThrow(
        'UnsortedSegmentSum (wasm): numSegments must be an integer >= 0, received -1',
      );
      tf.dispose([x, ids]);
    });

    it('throws an InvalidArgumentError (a GeokdError) naming the argument', async () => {
      await tf.setBackend('wasm');
      const x = tf.ones([3, 2]);
      const ids = tf.tensor1d([0, 1], 'int32');
      let caught: unknown;
      try {
        run(x, ids, 2)();
      } catch (error) {
        caught = error;
      }
      expect(GeokdError.isInstance(caught)).toBe(true);
      expect(caught).toBeInstanceOf(InvalidArgumentError);
      expect((caught as InvalidArgumentError).argument).toBe('segmentIds');
      tf.dispose([x, ids]);
    });
  });
});
