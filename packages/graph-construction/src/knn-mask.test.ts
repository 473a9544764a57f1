import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { knnMask } from './knn-mask';
import { similarityGraph } from './similarity-graph';
import { setValueChecks } from './value-checks';
import { type Matrix, randomMatrix } from './test-utils/float64-reference';

/** Independent reference: per row, the k largest (lower index first on ties), then the union. */
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

function readMatrix(t: tf.Tensor2D): Matrix {
  const values = t.arraySync();
  t.dispose();
  return values;
}

describe.each(['cpu', 'wasm'])('knnMask on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it('selects each row’s k largest entries and symmetrises by union, matching a reference', () => {
    const a = randomMatrix(9, 9, 21, -1, 1);
    const adjacency = tf.tensor2d(a);
    for (const k of [1, 2, 4, 8]) {
      const mask = knnMask(adjacency, k);
      expect(mask.dtype).toBe('float32');
      expect(readMatrix(mask)).toEqual(referenceKnn(a, k));
    }
    adjacency.dispose();
  });

  it('is symmetric, 0/1, and keeps at least k entries per row', () => {
    const x = tf.tensor2d(randomMatrix(10, 6, 22));
    const graph = similarityGraph(x);
    const m = readMatrix(knnMask(graph, 3));
    for (let i = 0; i < 10; i++) {
      expect(m[i]!.reduce((s, v) => s + v, 0)).toBeGreaterThanOrEqual(3);
      for (let j = 0; j < 10; j++) {
        expect([0, 1]).toContain(m[i]![j]);
        expect(m[i]![j]).toBe(m[j]![i]);
      }
    }
    tf.dispose([x, graph]);
  });

  it('breaks ties by the lower column index', () => {
    // Row 0: columns 1, 2 and 3 tie at 0.5; k = 2 keeps 1 and 2. No other row selects 0 or 3
    // from row 0's side, so row 0 of the union is exactly its own choice.
    const adjacency = tf.tensor2d([
      [0, 0.5, 0.5, 0.5],
      [0, 0, 0.9, 0.1],
      [0, 0.9, 0, 0.1],
      [0, 0.1, 0.9, 0],
    ]);
    expect(readMatrix(knnMask(adjacency, 2))[0]).toEqual([0, 1, 1, 0]);
    // An all-zero graph ties everywhere: with k = 1 every row picks column 0.
    const zeros = tf.zeros([3, 3]) as tf.Tensor2D;
    expect(readMatrix(knnMask(zeros, 1))).toEqual([
      [1, 1, 1],
      [1, 0, 0],
      [1, 0, 0],
    ]);
    tf.dispose([adjacency, zeros]);
  });

  it('lets the diagonal compete: a node selects itself only when its other similarities are lower', () => {
    // Zero diagonal (no self-loops), negative similarities in row 0: its best entry is itself.
    const adjacency = tf.tensor2d([
      [0, -0.5, -0.2],
      [-0.5, 0, 0.9],
      [-0.2, 0.9, 0],
    ]);
    const m = readMatrix(knnMask(adjacency, 1));
    expect(m).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    adjacency.dispose();
  });

  it('clamps k >= B to B: the mask is all ones', () => {
    const adjacency = tf.tensor2d(randomMatrix(4, 4, 23));
    for (const k of [4, 5, 100])
      expect(readMatrix(knnMask(adjacency, k)).flat()).toEqual(new Array(16).fill(1));
    adjacency.dispose();
  });

  it('builds the all-ones mask of k >= B without reading the graph, unless value checks are on', () => {
    const adjacency = tf.tensor2d(randomMatrix(4, 4, 25));
    const read = vi.spyOn(adjacency, 'dataSync');
    const mask = knnMask(adjacency, 4);
    expect(read).not.toHaveBeenCalled();
    const bad = tf.tensor2d([
      [0, Number.NaN],
      [1, 0],
    ]);
    const previous = setValueChecks(true);
    try {
      expect(() => knnMask(bad, 2)).toThrow(
        'knnMask: adjacency must be finite (no NaN or Inf values)',
      );
    } finally {
      setValueChecks(previous);
    }
    tf.dispose([adjacency, mask, bad]);
  });

  it('carries no gradient (a constant to tf.grad)', () => {
    const x = tf.tensor2d(randomMatrix(5, 3, 24));
    const mask = knnMask(similarityGraph(x), 2);
    const gradient = tf.grad((f: tf.Tensor) => tf.sum(similarityGraph(f, { mask })))(x);
    expect(Array.from(gradient.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, mask, gradient]);
  });

  it('leaks no tensor over 100 calls', () => {
    const adjacency = tf.tensor2d(randomMatrix(8, 8, 25));
    knnMask(adjacency, 3).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) knnMask(adjacency, 3).dispose();
    expect(tf.memory().numTensors).toBe(before);
    adjacency.dispose();
  });

  it('rejects k < 1, a non-integer k, and a non-square or non-finite adjacency', () => {
    const adjacency = tf.ones([3, 3]) as tf.Tensor2D;
    expect(() => knnMask(adjacency, 0)).toThrow('knnMask: k must be an integer >= 1, received 0');
    expect(() => knnMask(adjacency, 1.5)).toThrow(
      'knnMask: k must be an integer >= 1, received 1.5',
    );
    const rect = tf.ones([3, 2]) as tf.Tensor2D;
    expect(() => knnMask(rect, 1)).toThrow(
      'knnMask: adjacency must be a square rank-2 tensor [B, B], received shape [3, 2]',
    );
    const bad = tf.tensor2d([
      [0, Number.NaN],
      [1, 0],
    ]);
    expect(() => knnMask(bad, 1)).toThrow(
      'knnMask: adjacency must be finite (no NaN or Inf values)',
    );
    tf.dispose([adjacency, rect, bad]);
  });
});
