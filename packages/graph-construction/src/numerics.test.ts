// Numerics across float32's range (issue 15, items 6 and 7): every graph function gives the same
// graph for features scaled by 1e-30 … 1e30 wherever the graph is scale-invariant, never NaN for
// finite input, and handles zero-width features [B, 0] without a matrix product over an empty
// inner dimension (the wasm matmul then reads uninitialised memory).
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gramMatrix } from './gram-matrix';
import { graphPower } from './graph-power';
import { labelSmoothness } from './label-smoothness';
import { normalizeAdjacency } from './normalize-adjacency';
import { pairwiseSquaredDistances } from './pairwise-distances';
import { similarityGraph } from './similarity-graph';
import { randomMatrix } from './test-utils/float64-reference';

const SCALES = [1e-30, 1e-20, 1e20, 1e30];

/** Values of `compute()`, computed and disposed without leaking. */
function values(compute: () => tf.Tensor): number[] {
  const result = compute();
  const out = Array.from(result.dataSync());
  result.dispose();
  return out;
}

function expectAllClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((value, i) => {
    const bound = tolerance * Math.max(1, Math.abs(expected[i]!));
    if (!(Math.abs(value - expected[i]!) <= bound)) {
      throw new Error(`entry ${i}: ${value} differs from ${expected[i]} by more than ${bound}`);
    }
  });
}

/** The gradient of Σ W ⊙ f(x) with respect to x. */
function gradientOf(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor, w: tf.Tensor): number[] {
  return values(() => tf.grad((input: tf.Tensor) => tf.sum(tf.mul(f(input), w)))(x));
}

describe.each(['cpu', 'wasm'])('graph numerics on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  const rows = randomMatrix(6, 5, 31, -1, 1);
  const weights = randomMatrix(6, 6, 32, -1, 1);
  const invariant = [
    { kernel: 'cosine', normalize: 'symmetric' },
    { kernel: 'cosine', normalize: 'random-walk' },
    { kernel: 'cosine', normalize: 'none' },
    { kernel: 'dot', normalize: 'symmetric' },
    { kernel: 'dot', normalize: 'random-walk' },
    { kernel: 'gaussian', normalize: 'symmetric' },
    { kernel: 'gaussian', normalize: 'random-walk' },
    { kernel: 'gaussian', normalize: 'none' },
  ] as const;

  for (const options of invariant) {
    it(`similarityGraph(${options.kernel}, ${options.normalize}) is the same graph at every scale, gradient included`, () => {
      const x = tf.tensor2d(rows);
      const w = tf.tensor2d(weights);
      const expected = values(() => similarityGraph(x, options));
      const expectedGradient = gradientOf((f) => similarityGraph(f, options), x, w);
      for (const scale of SCALES) {
        const scaled = tf.tensor2d(rows.map((row) => row.map((v) => v * scale)));
        expectAllClose(
          values(() => similarityGraph(scaled, options)),
          expected,
          1e-5,
        );
        // d graph(s x)/d(s x) = graph'(x) / s.
        const gradient = gradientOf((f) => similarityGraph(f, options), scaled, w);
        expect(gradient.every(Number.isFinite)).toBe(true);
        expectAllClose(
          gradient.map((g) => g * scale),
          expectedGradient,
          1e-3 * Math.max(...expectedGradient.map(Math.abs)),
        );
        scaled.dispose();
      }
      tf.dispose([x, w]);
    });
  }

  it('keeps a row far smaller than the others in the cosine graph', () => {
    const mixed = rows.map((row, i) => row.map((v) => (i === 0 ? v * 1e-30 : v)));
    const x = tf.tensor2d(rows);
    const m = tf.tensor2d(mixed);
    expectAllClose(
      values(() => similarityGraph(m)),
      values(() => similarityGraph(x)),
      1e-5,
    );
    tf.dispose([x, m]);
  });

  it('gives the dot graph without normalisation as XXᵀ, ±Inf only where XXᵀ overflows, never NaN', () => {
    const x = tf.tensor2d(rows);
    const expected = values(() => similarityGraph(x, { kernel: 'dot', normalize: 'none' }));
    const small = tf.tensor2d(rows.map((row) => row.map((v) => v * 1e-10)));
    expectAllClose(
      values(() => similarityGraph(small, { kernel: 'dot', normalize: 'none' })).map(
        (v) => v * 1e20,
      ),
      expected,
      1e-5,
    );
    const huge = tf.tensor2d(rows.map((row) => row.map((v) => v * 1e20)));
    const graph = values(() => similarityGraph(huge, { kernel: 'dot', normalize: 'none' }));
    graph.forEach((v, i) => {
      expect(Number.isNaN(v)).toBe(false);
      if (expected[i] === 0) expect(v).toBe(0);
      else expect(Math.sign(v)).toBe(Math.sign(expected[i]!));
    });
    tf.dispose([x, small, huge]);
  });

  it('gives a gaussian with a fixed sigma its limits (0 off the diagonal, never NaN) at huge scales', () => {
    const huge = tf.tensor2d(rows.map((row) => row.map((v) => v * 1e20)));
    const graph = values(() =>
      similarityGraph(huge, { kernel: 'gaussian', sigma: 1, normalize: 'none', selfLoops: true }),
    );
    graph.forEach((v, i) => {
      expect(v).toBe(i % 7 === 0 ? 1 : 0);
    });
    huge.dispose();
  });

  it('gramMatrix and pairwiseSquaredDistances overflow to +-Inf, never NaN', () => {
    const x = tf.tensor2d([
      [1e20, -1e20],
      [1e20, 1e20],
      [0, 0],
    ]);
    const gram = values(() => gramMatrix(x));
    expect(gram).toEqual([Number.POSITIVE_INFINITY, 0, 0, 0, Number.POSITIVE_INFINITY, 0, 0, 0, 0]);
    const distances = values(() => pairwiseSquaredDistances(x));
    expect(distances.some(Number.isNaN)).toBe(false);
    expect(distances[1]).toBe(Number.POSITIVE_INFINITY);
    expect(distances[0]).toBe(0);
    const moderate = tf.tensor2d([
      [0, 0],
      [3e15, 4e15],
    ]);
    expectAllClose(
      values(() => pairwiseSquaredDistances(moderate)),
      [0, 25e30, 25e30, 0],
      1e-6,
    );
    tf.dispose([x, moderate]);
  });

  it('normalizeAdjacency and graphPower are finite for tiny and huge weights', () => {
    const base = [
      [0, 1, 2],
      [1, 0, -0.5],
      [2, -0.5, 0],
    ];
    const a = tf.tensor2d(base);
    for (const normalization of ['symmetric', 'random-walk'] as const) {
      const expected = values(() => normalizeAdjacency(a as tf.Tensor2D, normalization));
      for (const scale of [1e-30, 1e37]) {
        const scaled = tf.tensor2d(base.map((row) => row.map((v) => v * scale)));
        expectAllClose(
          values(() => normalizeAdjacency(scaled as tf.Tensor2D, normalization)),
          expected,
          1e-5,
        );
        scaled.dispose();
      }
    }
    const huge = tf.tensor2d(base.map((row) => row.map((v) => v * 1e30)));
    const squared = values(() => graphPower(huge as tf.Tensor2D, 2));
    expect(squared.some(Number.isNaN)).toBe(false);
    const tiny = tf.tensor2d(base.map((row) => row.map((v) => v * 1e-10)));
    const expected = values(() => graphPower(a as tf.Tensor2D, 3));
    expectAllClose(
      values(() => graphPower(tiny as tf.Tensor2D, 3)).map((v) => v * 1e30),
      expected,
      1e-5,
    );
    tf.dispose([a, huge, tiny]);
  });

  it('labelSmoothness (normalised) has a finite gradient at a tiny total weight', () => {
    const base = randomMatrix(4, 4, 33, 0, 1);
    const labels = tf.tensor1d([0, 1, 0, 1], 'int32');
    const a = tf.tensor2d(base);
    const expected = values(() =>
      tf.grad((f: tf.Tensor) => labelSmoothness(f as tf.Tensor2D, labels, { normalized: true }))(a),
    );
    const tiny = tf.tensor2d(base.map((row) => row.map((v) => v * 1e-30)));
    const value = values(() => labelSmoothness(tiny as tf.Tensor2D, labels, { normalized: true }));
    const full = values(() => labelSmoothness(a as tf.Tensor2D, labels, { normalized: true }));
    expectAllClose(value, full, 1e-5);
    const gradient = values(() =>
      tf.grad((f: tf.Tensor) => labelSmoothness(f as tf.Tensor2D, labels, { normalized: true }))(
        tiny,
      ),
    );
    expect(gradient.every(Number.isFinite)).toBe(true);
    expectAllClose(
      gradient.map((g) => g * 1e-30),
      expected,
      1e-4,
    );
    tf.dispose([labels, a, tiny]);
  });

  describe('zero-width features [B, 0] are the zero vectors', () => {
    it('similarityGraph: cosine and dot give the zero graph, the gaussian weight 1 per pair', () => {
      const x = tf.zeros([4, 0]);
      expect(values(() => similarityGraph(x))).toEqual(new Array(16).fill(0));
      expect(values(() => similarityGraph(x, { kernel: 'dot', normalize: 'none' }))).toEqual(
        new Array(16).fill(0),
      );
      const gaussian = values(() => similarityGraph(x, { kernel: 'gaussian', normalize: 'none' }));
      expect(gaussian).toEqual([0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
      const maps = tf.zeros([3, 2, 2, 0]);
      expect(values(() => similarityGraph(maps))).toEqual(new Array(9).fill(0));
      tf.dispose([x, maps]);
    });

    it('gramMatrix and pairwiseSquaredDistances give zeros; gradients are [B, 0]; nothing leaks', () => {
      const x = tf.zeros([3, 0]);
      const w = tf.ones([3, 3]);
      expect(values(() => gramMatrix(x))).toEqual(new Array(9).fill(0));
      expect(values(() => pairwiseSquaredDistances(x))).toEqual(new Array(9).fill(0));
      const body = () => {
        for (const f of [
          (t: tf.Tensor) => similarityGraph(t, { kernel: 'gaussian' }),
          (t: tf.Tensor) => similarityGraph(t),
          (t: tf.Tensor) => gramMatrix(t),
          (t: tf.Tensor) => pairwiseSquaredDistances(t),
        ]) {
          const gradient = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(f(input), w)))(x);
          expect(gradient.shape).toEqual([3, 0]);
          gradient.dispose();
        }
      };
      body();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 10; i++) body();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, w]);
    });
  });
});
