import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rkdDistanceLoss } from './relational-distance-loss';
import { BACKENDS, gradientOf, read, useBackend } from './test-utils/backends';
import { pairLossChecks } from './test-utils/pair-loss-suite';
import {
  finiteDifferenceGradient,
  type Matrix,
  rkdDistanceReference,
  seededMatrix,
} from './test-utils/reference';
import { tapLossDispatches } from './test-utils/tap-loss-dispatches';

/** max |actual − expected| ≤ tolerance · max |expected| (gradients are small: no floor of 1). */
function expectRelativelyClose(actual: number[], expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  expect(scale).toBeGreaterThan(0);
  const worst = Math.max(...actual.map((value, i) => Math.abs(value - expected[i]!)));
  expect(worst).toBeLessThanOrEqual(tolerance * scale);
}

describe.each(BACKENDS)('rkdDistanceLoss on %s', (backend) => {
  useBackend(backend);
  pairLossChecks('rkdDistanceLoss', rkdDistanceLoss, rkdDistanceReference);

  it('matches a hand-computed value on points of a line', () => {
    // Teacher 0, 1, 3: distances 1, 3, 2 (mean 2) → 0.5, 1.5, 1. Student 0, 1, 2: 1, 2, 1
    // (mean 4/3) → 0.75, 1.5, 0.75. Huber of ±0.25 is 0.03125, on 4 of the 6 ordered pairs.
    const value = read(rkdDistanceLoss(tf.tensor2d([[0], [1], [2]]), tf.tensor2d([[0], [1], [3]])));
    expect(value).toBeCloseTo((4 * 0.03125) / 6, 6);
  });

  it('is invariant to the scale of either side', () => {
    const value = read(
      rkdDistanceLoss(tf.tensor2d([[0], [10], [20]]), tf.tensor2d([[0], [1], [2]])),
    );
    expect(value).toBeCloseTo(0, 5);
  });

  it('has the float64 finite-difference gradient with both Huber branches and coincident points', () => {
    // Row 5 is far from the others in the student only (pairs with |ψ_S − ψ_T| > 1: the linear
    // branch), rows 0 and 3 coincide (distance clamped to 1e-6: no gradient between them), and
    // the scale is 3 (the features are divided by max|x| inside).
    const student: Matrix = seededMatrix(7, 5, 21).map((row, i) =>
      row.map((v) => (i === 5 ? 3 * v + 6 : 3 * v)),
    );
    student[3] = [...student[0]!];
    const teacher = seededMatrix(7, 9, 22);
    const gaps = (() => {
      const d = (x: Matrix, i: number, j: number) =>
        Math.sqrt(x[i]!.reduce((sum, v, k) => sum + (v - x[j]![k]!) ** 2, 0));
      const mean = (x: Matrix) => {
        let sum = 0;
        for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) if (i !== j) sum += d(x, i, j);
        return sum / 42;
      };
      const [ms, mt] = [mean(student), mean(teacher)];
      return [
        d(student, 5, 1) / ms - d(teacher, 5, 1) / mt,
        d(student, 1, 2) / ms - d(teacher, 1, 2) / mt,
      ];
    })();
    expect(Math.abs(gaps[0]!)).toBeGreaterThan(1);
    expect(Math.abs(gaps[1]!)).toBeLessThan(1);
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    expect(read(rkdDistanceLoss(s, t))).toBeCloseTo(rkdDistanceReference(student, teacher), 6);
    const gradient = gradientOf((x) => rkdDistanceLoss(x, t), s);
    tf.dispose([s, t]);
    const expected = finiteDifferenceGradient((x) => rkdDistanceReference(x, teacher), student);
    expectRelativelyClose(gradient, expected.flat(), 1e-4);
  });

  it('gives a NaN loss for a NaN or infinite student or teacher value', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const good = tf.tensor2d(seededMatrix(4, 3, 23));
      const poisoned = tf.tensor2d(
        seededMatrix(4, 3, 24).map((row, i) => (i === 2 ? [bad, ...row.slice(1)] : row)),
      );
      expect(Number.isNaN(read(rkdDistanceLoss(poisoned, good)))).toBe(true);
      expect(Number.isNaN(read(rkdDistanceLoss(good, poisoned)))).toBe(true);
      tf.dispose([good, poisoned]);
    }
  });

  it('gives a finite loss and a zero gradient for an all-zero student', () => {
    const s = tf.zeros([4, 3]);
    const t = tf.tensor2d(seededMatrix(4, 5, 28));
    expect(Number.isFinite(read(rkdDistanceLoss(s, t)))).toBe(true);
    expect(gradientOf((x) => rkdDistanceLoss(x, t), s)).toEqual(new Array(12).fill(0));
    tf.dispose([s, t]);
  });

  it('is 0 with a zero gradient for a batch of one', () => {
    const s = tf.tensor2d([[1, 2]]);
    const t = tf.tensor2d([[3, 4, 5]]);
    expect(read(rkdDistanceLoss(s, t))).toBe(0);
    expect(gradientOf((x) => rkdDistanceLoss(x, t), s)).toEqual([0, 0]);
    tf.dispose([s, t]);
  });
});

describe('rkdDistanceLoss kernel dispatches', () => {
  useBackend('cpu');

  it('stays within its dispatching-kernel count on the bench taps, forward and backward', async () => {
    // The registry's mean over the bench's three taps. Before the analytic gradient (2026-11-30):
    // forward 245, forward + backward 462; after: 125 and 168 (bench/rkd-kernels.mjs).
    const counts = await tapLossDispatches(rkdDistanceLoss);
    expect(counts.forward).toBeLessThanOrEqual(125);
    expect(counts.forwardBackward).toBeLessThanOrEqual(168);
  });
});
