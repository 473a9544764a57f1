import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { similarityPreservingLoss } from './similarity-preserving-loss';
import { BACKENDS, gradientOf, read, useBackend } from './test-utils/backends';
import { pairLossChecks } from './test-utils/pair-loss-suite';
import {
  finiteDifferenceGradient,
  type Matrix,
  seededMatrix,
  similarityPreservingReference,
} from './test-utils/reference';
import { tapLossDispatches } from './test-utils/tap-loss-dispatches';

describe.each(BACKENDS)('similarityPreservingLoss on %s', (backend) => {
  useBackend(backend);
  pairLossChecks(
    'similarityPreservingLoss',
    similarityPreservingLoss,
    similarityPreservingReference,
  );

  it('matches a hand-computed value on orthogonal against parallel rows', () => {
    // Student rows e1, e2: G = I, rows already unit. Teacher rows (1), (1): G = [[1,1],[1,1]],
    // rows normalised to 1/√2. ‖G_S − G_T‖² = 2(1 − 1/√2)² + 2(1/√2)², divided by B² = 4.
    const value = read(
      similarityPreservingLoss(
        tf.tensor2d([
          [1, 0],
          [0, 1],
        ]),
        tf.tensor2d([[1], [1]]),
      ),
    );
    expect(value).toBeCloseTo((2 * (1 - Math.SQRT1_2) ** 2 + 2 * 0.5) / 4, 6);
  });

  it('gives a finite loss and a zero gradient for an all-zero student', () => {
    const s = tf.zeros([4, 3]);
    const t = tf.tensor2d(seededMatrix(4, 5, 28));
    expect(Number.isFinite(read(similarityPreservingLoss(s, t)))).toBe(true);
    expect(gradientOf((x) => similarityPreservingLoss(x, t), s)).toEqual(new Array(12).fill(0));
    tf.dispose([s, t]);
  });

  it('has the float64 finite-difference gradient, with a zero row and mixed-sign gram rows', () => {
    const student: Matrix = seededMatrix(6, 4, 29).map((row, i) =>
      i === 4 ? row.map(() => 0) : row.map((v) => 3 * v),
    );
    const teacher = seededMatrix(6, 7, 30);
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    expect(read(similarityPreservingLoss(s, t))).toBeCloseTo(
      similarityPreservingReference(student, teacher),
      6,
    );
    const gradient = gradientOf((x) => similarityPreservingLoss(x, t), s);
    tf.dispose([s, t]);
    const expected = finiteDifferenceGradient(
      (x) => similarityPreservingReference(x, teacher),
      student,
    ).flat();
    const scale = Math.max(...expected.map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    // The zero row (4) is excluded: at 0 the float64 reference's row normalisation has a kink.
    const worst = Math.max(
      ...gradient.map((v, i) => (Math.floor(i / 4) === 4 ? 0 : Math.abs(v - expected[i]!))),
    );
    expect(worst).toBeLessThanOrEqual(1e-4 * scale);
  });

  it('gives a NaN loss for a NaN or infinite student or teacher value', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const good = tf.tensor2d(seededMatrix(4, 3, 26));
      const poisoned = tf.tensor2d(
        seededMatrix(4, 3, 27).map((row, i) => (i === 2 ? [bad, ...row.slice(1)] : row)),
      );
      expect(Number.isNaN(read(similarityPreservingLoss(poisoned, good)))).toBe(true);
      expect(Number.isNaN(read(similarityPreservingLoss(good, poisoned)))).toBe(true);
      tf.dispose([good, poisoned]);
    }
  });
});

describe('similarityPreservingLoss kernel dispatches', () => {
  useBackend('cpu');

  it('stays within its dispatching-kernel count on the bench taps, forward and backward', async () => {
    // The registry's mean over the bench's three taps. Before the analytic gradient (2026-11-30):
    // forward 197, forward + backward 381; after: 122 and 159 (bench/rkd-kernels.mjs --sp).
    const counts = await tapLossDispatches(similarityPreservingLoss);
    expect(counts.forward).toBeLessThanOrEqual(122);
    expect(counts.forwardBackward).toBeLessThanOrEqual(159);
  });
});
