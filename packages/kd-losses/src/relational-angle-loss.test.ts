import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rkdAngleLoss } from './relational-angle-loss';
import { BACKENDS, gradientOf, read, useBackend } from './test-utils/backends';
import { pairLossChecks } from './test-utils/pair-loss-suite';
import {
  finiteDifferenceGradient,
  type Matrix,
  rkdAngleReference,
  seededMatrix,
} from './test-utils/reference';
import { tapLossDispatches } from './test-utils/tap-loss-dispatches';

/** cos ∠(x_j − x_i, x_k − x_i) in float64. */
function cosine(x: Matrix, i: number, j: number, k: number): number {
  const a = x[j]!.map((v, d) => v - x[i]![d]!);
  const b = x[k]!.map((v, d) => v - x[i]![d]!);
  const dot = (p: number[], q: number[]) => p.reduce((sum, v, d) => sum + v * q[d]!, 0);
  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
}

describe.each(BACKENDS)('rkdAngleLoss on %s', (backend) => {
  useBackend(backend);
  pairLossChecks('rkdAngleLoss', rkdAngleLoss, rkdAngleReference);

  it('matches a hand-computed value: a right angle against a straight line', () => {
    // Student: a right isosceles triangle (angles 90°, 45°, 45°); teacher: collinear 0, 1, 2
    // (angles 0°, 0°, 180° between the same pairs). Each of the 6 valid ordered triplets with
    // j ≠ k contributes huber(cos_S − cos_T); triplets with j = k have cos 1 on both sides.
    const student = [
      [0, 0],
      [1, 0],
      [0, 1],
    ];
    const teacher = [[0], [1], [2]];
    const value = read(rkdAngleLoss(tf.tensor2d(student), tf.tensor2d(teacher)));
    const huber = (d: number) => (Math.abs(d) < 1 ? 0.5 * d * d : Math.abs(d) - 0.5);
    // At vertex 0: student cos 0, teacher cos 1. At vertices 1 and 2: student cos √½, teacher
    // cos −1 (vertex 1 lies between 0 and 2) and 1 (vertex 2 sees both on one side).
    const expected =
      (2 * huber(0 - 1) + 2 * huber(Math.SQRT1_2 + 1) + 2 * huber(Math.SQRT1_2 - 1)) / 12;
    expect(value).toBeCloseTo(expected, 5);
  });

  it('is invariant to translation and scale', () => {
    const value = read(
      rkdAngleLoss(
        tf.tensor2d([
          [5, 5],
          [7, 5],
          [5, 9],
        ]),
        tf.tensor2d([
          [0, 0],
          [1, 0],
          [0, 2],
        ]),
      ),
    );
    expect(value).toBeCloseTo(0, 5);
  });

  it('has the float64 finite-difference gradient with both Huber branches', () => {
    // The teacher is the student (scale 3) with row 1 mirrored through row 0: at vertex 0 the
    // cosines with row 1 change sign, some by more than 1 (the linear branch).
    const student: Matrix = seededMatrix(6, 4, 25).map((row) => row.map((v) => 3 * v));
    const teacher: Matrix = student.map((row, i) =>
      i === 1 ? row.map((v, d) => 2 * student[0]![d]! - v) : [...row],
    );
    const gaps = [2, 3, 4, 5].map((k) => cosine(student, 0, 1, k) - cosine(teacher, 0, 1, k));
    expect(Math.max(...gaps.map(Math.abs))).toBeGreaterThan(1);
    expect(cosine(student, 2, 3, 4) - cosine(teacher, 2, 3, 4)).toBe(0);
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    expect(read(rkdAngleLoss(s, t))).toBeCloseTo(rkdAngleReference(student, teacher), 6);
    const gradient = gradientOf((x) => rkdAngleLoss(x, t), s);
    tf.dispose([s, t]);
    const expected = finiteDifferenceGradient((x) => rkdAngleReference(x, teacher), student).flat();
    const scale = Math.max(...expected.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    const worst = Math.max(...gradient.map((v, i) => Math.abs(v - expected[i]!)));
    expect(worst).toBeLessThanOrEqual(1e-4 * scale);
  });

  it('gives a NaN loss for a NaN or infinite student or teacher value', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const good = tf.tensor2d(seededMatrix(4, 3, 26));
      const poisoned = tf.tensor2d(
        seededMatrix(4, 3, 27).map((row, i) => (i === 2 ? [bad, ...row.slice(1)] : row)),
      );
      expect(Number.isNaN(read(rkdAngleLoss(poisoned, good)))).toBe(true);
      expect(Number.isNaN(read(rkdAngleLoss(good, poisoned)))).toBe(true);
      tf.dispose([good, poisoned]);
    }
  });

  it('gives a finite loss and a zero gradient for an all-zero student', () => {
    const s = tf.zeros([4, 3]);
    const t = tf.tensor2d(seededMatrix(4, 5, 28));
    expect(Number.isFinite(read(rkdAngleLoss(s, t)))).toBe(true);
    expect(gradientOf((x) => rkdAngleLoss(x, t), s)).toEqual(new Array(12).fill(0));
    tf.dispose([s, t]);
  });

  it('is 0 with a zero gradient for a batch of one', () => {
    const s = tf.tensor2d([[1, 2]]);
    const t = tf.tensor2d([[3, 4, 5]]);
    expect(read(rkdAngleLoss(s, t))).toBe(0);
    expect(gradientOf((x) => rkdAngleLoss(x, t), s)).toEqual([0, 0]);
    tf.dispose([s, t]);
  });
});

describe('rkdAngleLoss kernel dispatches', () => {
  useBackend('cpu');

  it('stays within its dispatching-kernel count on the bench taps, forward and backward', async () => {
    // The registry's mean over the bench's three taps. Before the analytic gradient (2026-11-30):
    // forward 242, forward + backward 480; after: 143 and 231 (bench/rkd-kernels.mjs --angle).
    const counts = await tapLossDispatches(rkdAngleLoss);
    expect(counts.forward).toBeLessThanOrEqual(143);
    expect(counts.forwardBackward).toBeLessThanOrEqual(231);
  });
});
