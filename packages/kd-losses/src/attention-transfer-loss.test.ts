import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { attentionTransferLoss } from './attention-transfer-loss';
import {
  BACKENDS,
  expectClose,
  expectNoLeak,
  gradientOf,
  read,
  useBackend,
} from './test-utils/backends';
import { attentionReference, seededValues } from './test-utils/reference';

/** A seeded NHWC map as nested arrays and its tensor. */
function featureMap(shape: [number, number, number, number], seed: number): number[][][][] {
  const values = seededValues(
    shape.reduce((a, b) => a * b),
    seed,
  );
  return tf.tidy(() => tf.tensor4d(values, shape).arraySync());
}

describe.each(BACKENDS)('attentionTransferLoss on %s', (backend) => {
  useBackend(backend);
  const student = featureMap([3, 4, 4, 2], 31);
  const teacher = featureMap([3, 4, 4, 5], 32);
  const run = (s: number[][][][], t: number[][][][]) =>
    read(attentionTransferLoss(tf.tensor4d(s), tf.tensor4d(t)));

  it('matches the float64 reference for different channel counts', () => {
    expectClose([run(student, teacher)], [attentionReference(student, teacher)], 1e-4);
  });

  it('matches a hand-computed value on 1×2 maps', () => {
    // Student energies (1, 0) → a = (1, 0); teacher energies (1, 1) → a = (1/√2, 1/√2).
    // L = ((1 − 1/√2)² + (1/√2)²) / 2.
    const value = run([[[[1], [0]]]], [[[[1], [-1]]]]);
    expect(value).toBeCloseTo(((1 - Math.SQRT1_2) ** 2 + 0.5) / 2, 6);
  });

  it('is zero when the student equals the teacher', () => {
    expect(run(student, student)).toBeCloseTo(0, 6);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const s = tf.tensor4d(student);
    const t = tf.tensor4d(teacher);
    const gradient = gradientOf((x) => attentionTransferLoss(x, t), s);
    tf.dispose([s, t]);
    const h = 1e-6;
    const flat = student.flat(3);
    const expected = flat.map((_, i) => {
      const at = (delta: number) => {
        const shifted = flat.map((v, j) => (j === i ? v + delta : v));
        return attentionReference(
          tf.tidy(() => tf.tensor4d(shifted, [3, 4, 4, 2]).arraySync()),
          teacher,
        );
      };
      return (at(h) - at(-h)) / (2 * h);
    });
    expectClose(gradient, expected, 2e-3);
  });

  it('stays finite when a map is all zeros', () => {
    const zeros = student.map((example, b) =>
      b === 0 ? example.map((row) => row.map((pixel) => pixel.map(() => 0))) : example,
    );
    expect(Number.isFinite(run(zeros, teacher))).toBe(true);
  });

  it('rejects bad input with a message naming the argument', () => {
    const s = tf.tensor4d(student);
    const t = tf.tensor4d(teacher);
    const smaller = tf.zeros([3, 2, 2, 5]);
    expect(() => attentionTransferLoss(tf.zeros([3, 8]), t)).toThrow(
      'attentionTransferLoss: student must be a tensor of rank 4',
    );
    expect(() => attentionTransferLoss(s, smaller)).toThrow(
      'attentionTransferLoss: student must be the spatial size of teacher (2×2), received 4×4',
    );
    expect(() => attentionTransferLoss(s, t, { p: -1 })).toThrow(
      'attentionTransferLoss: options.p must be a finite number > 0',
    );
    tf.dispose([s, t, smaller]);
  });

  it('leaks no tensor over 100 calls', () => {
    const s = tf.tensor4d(student);
    const t = tf.tensor4d(teacher);
    expectNoLeak(() => attentionTransferLoss(s, t).dispose());
    tf.dispose([s, t]);
  });
});
