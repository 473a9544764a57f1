import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { similarityGraph } from './similarity-graph';
import {
  type Matrix,
  maxAbsDifference,
  randomMatrix,
  referenceMedianDistance,
  referenceSimilarityGraph,
} from './test-utils/float64-reference';
import { setValueChecks } from './value-checks';

const KERNELS = ['cosine', 'dot', 'gaussian'] as const;
const NORMALIZATIONS = ['symmetric', 'random-walk', 'none'] as const;

/** Reads a graph out of a tidy and disposes it. */
function read(graph: tf.Tensor): Float32Array {
  const values = graph.dataSync() as Float32Array;
  graph.dispose();
  return values;
}

/** `[B, C, H, W]`-like non-negative maps, returned as a tensor and as flattened float64 rows. */
function nonNegativeMaps(seed: number): { tensor: tf.Tensor4D; rows: Matrix } {
  const rows = randomMatrix(6, 3 * 2 * 2, seed);
  return { tensor: tf.tensor4d(rows.flat(), [6, 3, 2, 2]), rows };
}

describe.each(['cpu', 'wasm'])('similarityGraph on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it('reproduces the default GKD graph (cosine, no self-loops, symmetric) on non-negative maps within 1e-5', () => {
    const { tensor, rows } = nonNegativeMaps(1);
    const graph = similarityGraph(tensor);
    expect(graph.shape).toEqual([6, 6]);
    expect(maxAbsDifference(read(graph), referenceSimilarityGraph(rows))).toBeLessThan(1e-5);
    tensor.dispose();
  });

  it('matches the float64 reference for every kernel, normalisation and self-loop setting on signed vectors within 2e-5', () => {
    const rows = randomMatrix(7, 5, 2, -1, 1).map((row) => row.map((v) => v + 0.3));
    const x = tf.tensor2d(rows);
    for (const kernel of KERNELS) {
      for (const normalize of NORMALIZATIONS) {
        for (const selfLoops of [false, true]) {
          const options = { kernel, normalize, selfLoops };
          const actual = read(similarityGraph(x, options));
          const expected = referenceSimilarityGraph(rows, options);
          const scale = Math.max(1, ...expected.flat().map(Math.abs));
          expect(maxAbsDifference(actual, expected) / scale, JSON.stringify(options)).toBeLessThan(
            2e-5,
          );
        }
      }
    }
    x.dispose();
  });

  it('uses an explicit gaussian sigma', () => {
    const rows = randomMatrix(5, 4, 3);
    const x = tf.tensor2d(rows);
    const options = { kernel: 'gaussian', sigma: 0.7, normalize: 'none' } as const;
    expect(
      maxAbsDifference(read(similarityGraph(x, options)), referenceSimilarityGraph(rows, options)),
    ).toBeLessThan(1e-5);
    x.dispose();
  });

  it('defaults the gaussian sigma to the median off-diagonal distance, for odd and even pair counts', () => {
    // B = 3 has 3 pairs (odd), B = 4 has 6 pairs (even: mean of the two middle distances).
    for (const batch of [3, 4]) {
      const rows = randomMatrix(batch, 3, 10 + batch);
      const x = tf.tensor2d(rows);
      const graph = read(similarityGraph(x, { kernel: 'gaussian', normalize: 'none' }));
      const sigma = referenceMedianDistance(rows);
      const d01 = Math.sqrt(rows[0]!.reduce((s, v, k) => s + (v - rows[1]![k]!) ** 2, 0));
      expect(graph[1]).toBeCloseTo(Math.exp(-(d01 * d01) / (2 * sigma * sigma)), 5);
      x.dispose();
    }
  });

  it('multiplies the mask in after normalisation', () => {
    const rows = randomMatrix(4, 3, 4);
    const mask = [
      [1, 1, 0, 0],
      [1, 1, 1, 0],
      [0, 1, 1, 1],
      [0, 0, 1, 1],
    ];
    const x = tf.tensor2d(rows);
    const maskTensor = tf.tensor2d(mask);
    const actual = read(similarityGraph(x, { mask: maskTensor }));
    expect(maxAbsDifference(actual, referenceSimilarityGraph(rows, { mask }))).toBeLessThan(1e-5);
    // Not renormalised: the masked graph's rows no longer have the unmasked degrees.
    expect(actual[2]).toBe(0);
    tf.dispose([x, maskTensor]);
  });

  it('gives a zero feature row zero cosine similarity to everything, with a finite gradient', () => {
    const rows = randomMatrix(4, 3, 5);
    rows[2] = [0, 0, 0];
    const x = tf.tensor2d(rows);
    const graph = read(similarityGraph(x, { normalize: 'none' }));
    for (let j = 0; j < 4; j++) {
      expect(Math.abs(graph[2 * 4 + j]!)).toBe(0);
      expect(Math.abs(graph[j * 4 + 2]!)).toBe(0);
    }
    const gradient = tf.grad((f: tf.Tensor) => tf.sum(similarityGraph(f)))(x);
    expect(Array.from(gradient.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, gradient]);
  });

  it('leaves the row and column of a zero-degree node at 0 under both normalisations', () => {
    // Node 0 is orthogonal to every other node: its cosine degree is 0.
    const rows = [
      [1, 0, 0],
      [0, 1, 0.5],
      [0, 0.3, 1],
      [0, 1, 1],
    ];
    const x = tf.tensor2d(rows);
    for (const normalize of ['symmetric', 'random-walk'] as const) {
      const graph = read(similarityGraph(x, { normalize }));
      expect(Array.from(graph).every(Number.isFinite)).toBe(true);
      for (let j = 0; j < 4; j++) {
        expect(Math.abs(graph[j]!)).toBe(0);
        expect(Math.abs(graph[j * 4]!)).toBe(0);
      }
      expect(maxAbsDifference(graph, referenceSimilarityGraph(rows, { normalize }))).toBeLessThan(
        1e-6,
      );
    }
    x.dispose();
  });

  it('zeroes the row and column of a node whose degree is negative (signed cosine) instead of NaN', () => {
    // Node 0 points away from the others: all its similarities are negative.
    const rows = [
      [-1, -1, -0.2],
      [1, 0.8, 0.1],
      [0.9, 1, 0.3],
      [0.7, 0.9, 0],
    ];
    const x = tf.tensor2d(rows);
    const graph = read(similarityGraph(x));
    expect(Array.from(graph).every(Number.isFinite)).toBe(true);
    for (let j = 0; j < 4; j++) expect(Math.abs(graph[j]!)).toBe(0);
    expect(maxAbsDifference(graph, referenceSimilarityGraph(rows))).toBeLessThan(1e-6);
    const gradient = tf.grad((f: tf.Tensor) => tf.sum(tf.square(similarityGraph(f))))(x);
    expect(Array.from(gradient.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, gradient]);
  });

  it('handles B = 2: the symmetric graph of two positively similar nodes is [[0,1],[1,0]]', () => {
    const x = tf.tensor2d([
      [1, 2, 0],
      [2, 1, 1],
    ]);
    expect(Array.from(read(similarityGraph(x)))).toEqual([
      0,
      expect.closeTo(1, 6),
      expect.closeTo(1, 6),
      0,
    ]);
    const opposite = tf.tensor2d([
      [1, 0],
      [-1, 0],
    ]);
    // Negative similarity: both degrees are -1, so both nodes are zeroed.
    expect(Array.from(read(similarityGraph(opposite))).map(Math.abs)).toEqual([0, 0, 0, 0]);
    tf.dispose([x, opposite]);
  });

  it('falls back to sigma = 1 when all points are identical, and handles B = 1', () => {
    const x = tf.tensor2d([
      [0.5, 0.5],
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
    const graph = read(similarityGraph(x, { kernel: 'gaussian', normalize: 'none' }));
    expect(Array.from(graph)).toEqual([0, 1, 1, 1, 0, 1, 1, 1, 0]);
    const single = tf.tensor2d([[0.2, 0.4]]);
    expect(
      Array.from(read(similarityGraph(single, { kernel: 'gaussian', selfLoops: true }))),
    ).toEqual([expect.closeTo(1, 6)]);
    expect(Array.from(read(similarityGraph(single)))).toEqual([0]);
    tf.dispose([x, single]);
  });

  describe('gradient with respect to the features matches float64 central differences (h = 1e-6) within 1e-3 relative', () => {
    const rows = randomMatrix(5, 4, 6, 0.1, 1);
    const weights = randomMatrix(5, 5, 7, -1, 1);
    for (const kernel of KERNELS) {
      for (const normalize of NORMALIZATIONS) {
        it(`${kernel} kernel, ${normalize} normalisation`, () => {
          // The default gaussian sigma is a constant: differentiate the reference at the fixed sigma.
          const fixedSigma = kernel === 'gaussian' ? referenceMedianDistance(rows) : undefined;
          const loss = (r: Matrix) =>
            referenceSimilarityGraph(r, { kernel, normalize, sigma: fixedSigma })
              .flat()
              .reduce((s, v, i) => s + v * weights.flat()[i]!, 0);
          const h = 1e-6;
          const expected: number[] = [];
          for (let i = 0; i < rows.length; i++) {
            for (let k = 0; k < rows[0]!.length; k++) {
              const plus = rows.map((r) => [...r]);
              const minus = rows.map((r) => [...r]);
              plus[i]![k]! += h;
              minus[i]![k]! -= h;
              expected.push((loss(plus) - loss(minus)) / (2 * h));
            }
          }
          const x = tf.tensor2d(rows);
          const w = tf.tensor2d(weights);
          const gradient = tf.grad((f: tf.Tensor) =>
            tf.sum(tf.mul(similarityGraph(f, { kernel, normalize }), w)),
          )(x);
          const actual = Array.from(gradient.dataSync());
          const scale = Math.max(...expected.map(Math.abs));
          for (let i = 0; i < actual.length; i++) {
            expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-3 * scale + 1e-6);
          }
          tf.dispose([x, w, gradient]);
        });
      }
    }
  });

  it('leaks no tensor over 100 forward and gradient calls', () => {
    const x = tf.tensor2d(randomMatrix(6, 4, 8));
    const mask = tf.ones([6, 6]) as tf.Tensor2D;
    const step = () => {
      similarityGraph(x, { kernel: 'gaussian', mask }).dispose();
      similarityGraph(x).dispose();
      tf.grad((f: tf.Tensor) =>
        tf.sum(similarityGraph(f, { kernel: 'dot', normalize: 'random-walk' })),
      )(x).dispose();
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, mask]);
  });

  describe('validation', () => {
    const expectError = (run: () => unknown, message: string) => {
      const before = tf.memory().numTensors;
      expect(run).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
    };

    it('rejects features of rank < 2', () => {
      const x = tf.tensor1d([1, 2, 3]);
      expectError(
        () => similarityGraph(x),
        'similarityGraph: features must be a tensor of rank >= 2 ([B, ...]), received rank 1 (shape [3])',
      );
      x.dispose();
    });

    it('rejects an empty batch and non-tensors', () => {
      const x = tf.zeros([0, 3]);
      expectError(
        () => similarityGraph(x),
        'similarityGraph: features must be a non-empty batch (B >= 1), received shape [0, 3]',
      );
      expectError(
        () => similarityGraph([1, 2] as unknown as tf.Tensor),
        'similarityGraph: features must be a tf.Tensor, received an array',
      );
      x.dispose();
    });

    it('rejects int32 features', () => {
      const x = tf.tensor2d([[1, 2]], [1, 2], 'int32');
      expectError(
        () => similarityGraph(x),
        'similarityGraph: features must be a float32 tensor, received dtype int32',
      );
      x.dispose();
    });

    it('rejects NaN and Inf in the features', () => {
      for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
        const x = tf.tensor2d([
          [1, 2],
          [3, bad],
        ]);
        expectError(
          () => similarityGraph(x, { checkFinite: true }),
          'similarityGraph: features must be finite (no NaN or Inf values), received a tensor containing NaN or Inf',
        );
        const previous = setValueChecks(true);
        expectError(
          () => similarityGraph(x),
          'similarityGraph: features must be finite (no NaN or Inf values), received a tensor containing NaN or Inf',
        );
        setValueChecks(previous);
        x.dispose();
      }
    });

    it('skips the value check by default and with checkFinite: false, and rejects a disposed tensor', () => {
      const x = tf.tensor2d([
        [1, Number.NaN],
        [0, 1],
      ]);
      const graph = similarityGraph(x, { checkFinite: false });
      expect(graph.shape).toEqual([2, 2]);
      const unchecked = similarityGraph(x);
      expect(unchecked.shape).toEqual([2, 2]);
      // Never silently finite: a non-finite input gives a NaN graph on every backend.
      expect(Array.from(unchecked.dataSync()).every(Number.isNaN)).toBe(true);
      tf.dispose([x, graph, unchecked]);
      expectError(
        () => similarityGraph(x),
        'similarityGraph: features must be a live tf.Tensor, received a disposed tensor',
      );
    });

    it('rejects an unknown kernel or normalisation', () => {
      const x = tf.ones([2, 2]);
      expectError(
        () => similarityGraph(x, { kernel: 'cosin' as 'cosine' }),
        "similarityGraph: options.kernel must be one of 'cosine', 'dot', 'gaussian', received 'cosin'",
      );
      expectError(
        () => similarityGraph(x, { normalize: 'laplacian' as 'none' }),
        "similarityGraph: options.normalize must be one of 'symmetric', 'random-walk', 'none', received 'laplacian'",
      );
      x.dispose();
    });

    it('rejects a sigma that is not a finite number > 0', () => {
      const x = tf.ones([2, 2]);
      for (const sigma of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expectError(
          () => similarityGraph(x, { kernel: 'gaussian', sigma }),
          `similarityGraph: options.sigma must be a finite number > 0, received ${sigma}`,
        );
      }
      x.dispose();
    });

    it('rejects a mask that is not [B, B]', () => {
      const x = tf.ones([3, 2]);
      const mask = tf.ones([3, 2]) as tf.Tensor2D;
      expectError(
        () => similarityGraph(x, { mask }),
        'similarityGraph: options.mask must be shape [3, 3] (B = 3 from features), received shape [3, 2]',
      );
      tf.dispose([x, mask]);
    });
  });
});
