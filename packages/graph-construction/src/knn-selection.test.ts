import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { knnMask } from './knn-mask';
import { HOST_SELECTION_BACKENDS, knnMaskOnDevice, knnMaskOnHost } from './knn-selection';
import { type Matrix, randomMatrix } from './test-utils/float64-reference';
import { setValueChecks } from './value-checks';

/**
 * Independent reference: per row, pick the largest remaining entry k times (a strict `>` scan,
 * so among equal values the lower column index is picked first), then the union.
 */
function referenceKnn(a: Matrix, k: number): Matrix {
  const n = a.length;
  const m = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    const chosen = new Set<number>();
    for (let r = 0; r < Math.min(k, n); r++) {
      let best = -1;
      for (let j = 0; j < n; j++) {
        if (chosen.has(j)) continue;
        if (best === -1 || a[i]![j]! > a[i]![best]!) best = j;
      }
      chosen.add(best);
    }
    for (const j of chosen) {
      m[i]![j] = 1;
      m[j]![i] = 1;
    }
  }
  return m;
}

/** Rounds to float32, so the reference compares exactly the values the tensor holds. */
const toFloat32 = (a: Matrix): Matrix => a.map((row) => row.map((v) => Math.fround(v)));

/** Many ties: values on a grid of 9 levels in [-1, 1]. */
const quantised = (n: number, seed: number): Matrix =>
  randomMatrix(n, n, seed, -1, 1).map((row) => row.map((v) => Math.round(v * 4) / 4));

/** Every other row constant (all-equal values), the others quantised; -0 and 0 mixed in row 1. */
function withConstantRows(n: number, seed: number): Matrix {
  const a = quantised(n, seed);
  for (let i = 0; i < n; i += 2) a[i] = new Array<number>(n).fill(i % 4 === 0 ? 0.5 : 0);
  if (n > 1) a[1] = a[1]!.map((v, j) => (v === 0 ? (j % 2 === 0 ? -0 : 0) : v));
  return a;
}

/** The graphs every test runs: name, matrix. */
function graphs(n: number): [string, Matrix][] {
  return [
    ['random', toFloat32(randomMatrix(n, n, 100 + n, -1, 1))],
    ['quantised (many ties)', quantised(n, 200 + n)],
    ['all-equal rows', withConstantRows(n, 300 + n)],
    ['all zeros', Array.from({ length: n }, () => new Array<number>(n).fill(0))],
  ];
}

/** k values below B worth testing: 1, 2, B/2, B − 1. */
const kValues = (n: number): number[] =>
  [...new Set([1, 2, Math.floor(n / 2), n - 1])].filter((k) => k >= 1 && k < n);

function read(t: tf.Tensor2D): Matrix {
  const values = t.arraySync();
  t.dispose();
  return values;
}

describe.each(['cpu', 'wasm'])('the kNN selections on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('picks the JavaScript selection on this backend (the data is in CPU memory)', () => {
    expect(HOST_SELECTION_BACKENDS.has(backend)).toBe(true);
    const adjacency = tf.tensor2d(randomMatrix(5, 5, 1));
    const readSync = vi.spyOn(adjacency, 'dataSync');
    read(knnMask(adjacency, 2));
    expect(readSync).toHaveBeenCalledTimes(1);
    adjacency.dispose();
  });

  for (const n of [2, 3, 7, 16, 33]) {
    it(`host and device paths both equal the reference, ties included (B = ${n})`, () => {
      for (const [name, a] of graphs(n)) {
        const adjacency = tf.tensor2d(a, [n, n], 'float32');
        for (const k of kValues(n)) {
          const expected = referenceKnn(a, k);
          const context = `${name}, k = ${k}`;
          expect(read(knnMaskOnHost('knnMask', adjacency, k)), context).toEqual(expected);
          const device = knnMaskOnDevice(adjacency, k);
          expect(device.dtype, context).toBe('float32');
          expect(read(device), context).toEqual(expected);
        }
        adjacency.dispose();
      }
    });
  }

  it('gives the same mask when the device path splits the rows into chunks', () => {
    const n = 37;
    for (const [name, a] of graphs(n)) {
      const adjacency = tf.tensor2d(a, [n, n], 'float32');
      for (const k of [1, 5, 36]) {
        const expected = referenceKnn(a, k);
        // 5 rows per chunk (the last one 2 rows), then one row per chunk.
        for (const maxChunkElements of [n * n * 5, 1]) {
          expect(read(knnMaskOnDevice(adjacency, k, maxChunkElements)), name).toEqual(expected);
        }
      }
      adjacency.dispose();
    }
  });

  it('keeps the single node of B = 1 on the device path (and knnMask gives [[1]])', () => {
    const adjacency = tf.tensor2d([[0.3]]);
    expect(read(knnMaskOnDevice(adjacency, 1))).toEqual([[1]]);
    expect(read(knnMask(adjacency, 1))).toEqual([[1]]);
    adjacency.dispose();
  });

  it('leaks no tensor on the device path, chunked or not', () => {
    const adjacency = tf.tensor2d(quantised(20, 9), [20, 20], 'float32');
    const body = () => {
      knnMaskOnDevice(adjacency, 3).dispose();
      knnMaskOnDevice(adjacency, 3, 20 * 20 * 3).dispose();
    };
    body();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) body();
    expect(tf.memory().numTensors).toBe(before);
    adjacency.dispose();
  });

  it('through knnMask on a device backend: no read with value checks off, NaN/Inf rejected with them on', () => {
    // Make knnMask take the device path here, as on webgpu/webgl.
    vi.spyOn(HOST_SELECTION_BACKENDS, 'has').mockReturnValue(false);
    const engine = tf.backend();
    const readSync = vi.spyOn(engine, 'readSync');
    const readAsync = vi.spyOn(engine, 'read');
    const a = quantised(12, 11);
    const adjacency = tf.tensor2d(a, [12, 12], 'float32');
    const dataSync = vi.spyOn(adjacency, 'dataSync');
    const mask = knnMask(adjacency, 4);
    expect(readSync).not.toHaveBeenCalled();
    expect(readAsync).not.toHaveBeenCalled();
    expect(dataSync).not.toHaveBeenCalled();
    expect(read(mask)).toEqual(referenceKnn(a, 4));

    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const graph = tf.tensor2d([
        [0, bad, 1],
        [1, 0, 1],
        [1, 1, 0],
      ]);
      const previous = setValueChecks(true);
      try {
        expect(() => knnMask(graph, 1)).toThrow(
          'knnMask: adjacency must be finite (no NaN or Inf values)',
        );
      } finally {
        setValueChecks(previous);
      }
      // Off: no check and no read; the mask is unspecified but well-formed.
      readSync.mockClear();
      const unchecked = knnMask(graph, 1);
      expect(readSync).not.toHaveBeenCalled();
      expect(unchecked.shape).toEqual([3, 3]);
      unchecked.dispose();
      graph.dispose();
    }
    adjacency.dispose();
  });
});
