import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { similarityGraph } from './similarity-graph';
import {
  type Matrix,
  randomMatrix,
  referenceSimilarityGraph,
} from './test-utils/float64-reference';

const NORMALIZATIONS = ['symmetric', 'random-walk', 'none'] as const;

/** Central differences (h = 1e-6) of a float64 function of the rows. */
function finiteDifferences(loss: (rows: Matrix) => number, rows: Matrix): number[] {
  const h = 1e-6;
  const result: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    for (let k = 0; k < rows[0]!.length; k++) {
      const plus = rows.map((r) => [...r]);
      const minus = rows.map((r) => [...r]);
      plus[i]![k]! += h;
      minus[i]![k]! -= h;
      result.push((loss(plus) - loss(minus)) / (2 * h));
    }
  }
  return result;
}

/**
 * The cosine graph written step by step with tfjs ops, differentiated by tfjs autodiff: the
 * previous implementation's formulas (rows rescaled by max|x|, gram, norms clamped at 1e-12,
 * diagonal zeroed, degrees ≤ 1e-12 zeroed, then the mask).
 */
function stepwiseCosineGraph(
  features: tf.Tensor2D,
  selfLoops: boolean,
  normalize: (typeof NORMALIZATIONS)[number],
  mask?: tf.Tensor2D,
): tf.Tensor2D {
  const batch = features.shape[0];
  /** `compute(x)` as a constant to tf.grad. */
  const constant = (x: tf.Tensor, compute: (v: tf.Tensor) => tf.Tensor) =>
    tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
      value: compute(args[0] as tf.Tensor),
      gradFunc: () => [tf.zerosLike(args[0] as tf.Tensor)],
    }))(x);
  const rowScale = constant(features, (x) => {
    const maximum = tf.max(tf.abs(x), 1, true);
    return tf.where(tf.greater(maximum, 0), maximum, tf.onesLike(maximum));
  });
  const scaled = tf.div(features, rowScale) as tf.Tensor2D;
  const gram = tf.matMul(scaled, scaled, false, true);
  const norms = tf.sum(tf.mul(gram, tf.eye(batch)), 1);
  const inverse = tf.rsqrt(tf.maximum(norms, 1e-24));
  let a = tf.mul(tf.mul(gram, tf.reshape(inverse, [-1, 1])), tf.reshape(inverse, [1, -1]));
  if (!selfLoops) a = tf.mul(a, tf.sub(1, tf.eye(batch)));
  if (normalize !== 'none') {
    const degree = tf.sum(a, 1);
    const positive = constant(degree, (d) => tf.cast(tf.greater(d, 1e-12), 'float32'));
    const safe = tf.add(tf.mul(degree, positive), tf.sub(1, positive));
    const p = tf.mul(normalize === 'symmetric' ? tf.rsqrt(safe) : tf.reciprocal(safe), positive);
    a = tf.mul(a, tf.reshape(p, [-1, 1]));
    if (normalize === 'symmetric') a = tf.mul(a, tf.reshape(p, [1, -1]));
  }
  return (mask === undefined ? a : tf.mul(a, mask)) as tf.Tensor2D;
}

describe.each(['cpu', 'wasm'])('the cosine graph analytic gradient on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  // Signed features, mostly positively similar (degrees well above the 1e-12 kink).
  const rows = randomMatrix(5, 4, 11, -0.4, 1);
  const weights = randomMatrix(5, 5, 12, -1, 1); // not symmetric: a general upstream gradient
  const binaryMask = randomMatrix(5, 5, 13).map((row) => row.map((v) => (v < 0.6 ? 1 : 0)));
  const realMask = randomMatrix(5, 5, 14, -2, 2);

  for (const selfLoops of [false, true]) {
    for (const normalize of NORMALIZATIONS) {
      for (const [maskName, mask] of [
        ['no mask', undefined],
        ['a 0/1 mask', binaryMask],
        ['a real-valued mask', realMask],
      ] as const) {
        it(`matches float64 central differences within 1e-3: selfLoops ${selfLoops}, ${normalize}, ${maskName}`, () => {
          const loss = (r: Matrix) =>
            referenceSimilarityGraph(r, { selfLoops, normalize, mask: mask as Matrix | undefined })
              .flat()
              .reduce((s, v, i) => s + v * weights.flat()[i]!, 0);
          const expected = finiteDifferences(loss, rows);
          const x = tf.tensor2d(rows);
          const w = tf.tensor2d(weights);
          const m = mask === undefined ? undefined : tf.tensor2d(mask as Matrix);
          const gradient = tf.grad((f: tf.Tensor) =>
            tf.sum(tf.mul(similarityGraph(f, { selfLoops, normalize, mask: m }), w)),
          )(x);
          const actual = Array.from(gradient.dataSync());
          const scale = Math.max(...expected.map(Math.abs));
          expect(scale).toBeGreaterThan(0);
          for (let i = 0; i < actual.length; i++) {
            expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-3 * scale + 1e-6);
          }
          tf.dispose([x, w, gradient, ...(m === undefined ? [] : [m])]);
        });
      }
    }
  }

  it('equals the step-by-step autodiff, values and gradients, with zero rows, at 1e-30, 1 and 1e30', () => {
    const base = randomMatrix(7, 6, 21, -1, 1);
    base[2] = base[2]!.map(() => 0); // an all-zero row: similarity 0, gradient 1e12-sized
    base[5] = base[5]!.map((v) => v * 1e-20); // a row far smaller than the others
    const weightTensor = tf.tensor2d(randomMatrix(7, 7, 22, -1, 1));
    const mask = tf.tensor2d(randomMatrix(7, 7, 23).map((r) => r.map((v) => (v < 0.7 ? 1 : 0))));
    for (const factor of [1e-30, 1, 1e30]) {
      const x = tf.tensor2d(base.map((r) => r.map((v) => v * factor)));
      for (const selfLoops of [false, true]) {
        for (const normalize of NORMALIZATIONS) {
          for (const m of [undefined, mask]) {
            const ours = tf.valueAndGrad((f: tf.Tensor) =>
              tf.sum(tf.mul(similarityGraph(f, { selfLoops, normalize, mask: m }), weightTensor)),
            )(x);
            const stepwise = tf.valueAndGrad((f: tf.Tensor) =>
              tf.sum(
                tf.mul(
                  stepwiseCosineGraph(f as tf.Tensor2D, selfLoops, normalize, m),
                  weightTensor,
                ),
              ),
            )(x);
            const actual = Array.from(ours.grad.dataSync());
            const expected = Array.from(stepwise.grad.dataSync());
            const scale = Math.max(...expected.map(Math.abs));
            expect(Number.isFinite(scale)).toBe(true);
            for (let i = 0; i < actual.length; i++) {
              expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(1e-5 * scale);
            }
            const value = ours.value.dataSync()[0]!;
            const expectedValue = stepwise.value.dataSync()[0]!;
            expect(Math.abs(value - expectedValue)).toBeLessThanOrEqual(
              1e-5 * Math.max(1, Math.abs(expectedValue)),
            );
            tf.dispose([ours.value, ours.grad, stepwise.value, stepwise.grad]);
          }
        }
      }
      x.dispose();
    }
    tf.dispose([weightTensor, mask]);
  });

  it('leaks no tensor over 50 forward and gradient calls of every variant', () => {
    const x = tf.tensor2d(randomMatrix(6, 4, 31, -1, 1));
    const mask = tf.ones([6, 6]) as tf.Tensor2D;
    const step = () => {
      for (const normalize of NORMALIZATIONS) {
        similarityGraph(x, { normalize, mask }).dispose();
        tf.grad((f: tf.Tensor) => tf.sum(similarityGraph(f, { normalize, selfLoops: true, mask })))(
          x,
        ).dispose();
      }
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, mask]);
  });
});
