import { setValueChecks } from '@geokd/graph-construction';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { expectClose, expectNoLeak, gradientOf, read } from './backends';
import { finiteDifferenceGradient, type Matrix, seededMatrix } from './reference';

/**
 * The checks every loss of a student/teacher tensor pair shares: agreement with its float64
 * reference on vectors of different widths, zero when student equals teacher, finite-difference
 * gradient, no gradient to the teacher, validation messages, stability on zero rows and B = 2,
 * and no leak. Call inside a `describe` that has selected a backend.
 */
export function pairLossChecks(
  name: string,
  loss: (student: tf.Tensor, teacher: tf.Tensor) => tf.Scalar,
  reference: (student: Matrix, teacher: Matrix) => number,
  options: { zeroWhenEqual?: boolean; gradientTolerance?: number } = {},
): void {
  const student = seededMatrix(5, 4, 11);
  const teacher = seededMatrix(5, 7, 12);
  const run = (s: Matrix, t: Matrix) => read(loss(tf.tensor2d(s), tf.tensor2d(t)));

  it('matches the float64 reference on signed vectors of different widths', () => {
    expectClose([run(student, teacher)], [reference(student, teacher)], 1e-4);
  });

  it('matches the reference on non-negative features', () => {
    const s = seededMatrix(6, 8, 13, 0, 1);
    const t = seededMatrix(6, 3, 14, 0, 1);
    expectClose([run(s, t)], [reference(s, t)], 1e-4);
  });

  if (options.zeroWhenEqual ?? true) {
    it('is zero when the student equals the teacher', () => {
      expect(run(student, student)).toBeCloseTo(0, 5);
    });
  }

  it('has the gradient of the float64 reference (finite differences)', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    const gradient = gradientOf((x) => loss(x, t), s);
    tf.dispose([s, t]);
    const expected = finiteDifferenceGradient((x) => reference(x, teacher), student).flat();
    expectClose(gradient, expected, options.gradientTolerance ?? 2e-3);
  });

  it('sends no gradient to the teacher', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    const gradient = gradientOf((x) => loss(s, x), t);
    tf.dispose([s, t]);
    expect(gradient.every((v) => v === 0)).toBe(true);
  });

  it('stays finite for a zero row, identical rows and B = 2', () => {
    const zeroRow = student.map((row, i) => (i === 1 ? row.map(() => 0) : row));
    const duplicated = student.map((row, i) => (i === 2 ? student[0]! : row));
    const cases: Array<[Matrix, Matrix]> = [
      [zeroRow, teacher],
      [duplicated, duplicated],
      [student.slice(0, 2), teacher.slice(0, 2)],
    ];
    for (const [s, t] of cases) {
      expect(Number.isFinite(run(s, t))).toBe(true);
      const sTensor = tf.tensor2d(s);
      const tTensor = tf.tensor2d(t);
      const gradient = gradientOf((x) => loss(x, tTensor), sTensor);
      tf.dispose([sTensor, tTensor]);
      expect(gradient.every(Number.isFinite)).toBe(true);
    }
  });

  it('rejects bad input with a message naming the argument', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    const short = tf.tensor2d(seededMatrix(3, 7, 15));
    const vector = tf.tensor1d([1, 2, 3, 4, 5]);
    const infinite = tf.tensor2d(
      student.map((row, i) => (i === 0 ? [Number.POSITIVE_INFINITY, ...row.slice(1)] : row)),
    );
    expect(() => loss(s, short)).toThrow(`${name}: student has batch 5 but teacher has batch 3`);
    expect(() => loss(vector, t)).toThrow(`${name}: student must be a tensor of rank`);
    // Values are scanned only when asked (a read per call otherwise): by default a non-finite
    // input gives a non-finite loss, which the trainer detects from the value it reads.
    expect(Number.isFinite(read(loss(s, infinite)))).toBe(false);
    const previous = setValueChecks(true);
    try {
      expect(() => loss(s, infinite)).toThrow(`${name}: teacher must be finite`);
    } finally {
      setValueChecks(previous);
    }
    tf.dispose([s, t, short, vector, infinite]);
  });

  it('leaks no tensor over 100 calls', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    expectNoLeak(() => loss(s, t).dispose());
    tf.dispose([s, t]);
  });
}
