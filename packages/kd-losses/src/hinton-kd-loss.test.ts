import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { hintonKdLoss } from './hinton-kd-loss';
import {
  BACKENDS,
  expectClose,
  expectNoLeak,
  gradientOf,
  read,
  useBackend,
} from './test-utils/backends';
import { finiteDifferenceGradient, hintonReference, seededMatrix } from './test-utils/reference';

describe.each(BACKENDS)('hintonKdLoss on %s', (backend) => {
  useBackend(backend);
  const student = seededMatrix(4, 10, 21, -3, 3);
  const teacher = seededMatrix(4, 10, 22, -5, 5);
  const run = (s: number[][], t: number[][], temperature?: number) =>
    read(
      hintonKdLoss(
        tf.tensor2d(s),
        tf.tensor2d(t),
        temperature === undefined ? {} : { temperature },
      ),
    );

  it('matches a hand-computed value at T = 1', () => {
    // p_T = (¾, ¼), p_S = (½, ½): KL = ¾ ln(3/2) + ¼ ln(½).
    expect(run([[0, 0]], [[Math.log(3), 0]], 1)).toBeCloseTo(
      0.75 * Math.log(1.5) + 0.25 * Math.log(0.5),
      6,
    );
  });

  it('matches the float64 reference, T² scaling included', () => {
    for (const temperature of [1, 4, 10]) {
      expectClose(
        [run(student, teacher, temperature)],
        [hintonReference(student, teacher, temperature)],
        1e-4,
      );
    }
    expectClose([run(student, teacher)], [hintonReference(student, teacher, 4)], 1e-4);
  });

  it('is zero when the logits agree up to a constant shift', () => {
    expect(
      run(
        student,
        student.map((row) => row.map((v) => v + 2)),
      ),
    ).toBeCloseTo(0, 5);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    const gradient = gradientOf((x) => hintonKdLoss(x, t, { temperature: 2 }), s);
    tf.dispose([s, t]);
    const expected = finiteDifferenceGradient(
      (x) => hintonReference(x, teacher, 2),
      student,
    ).flat();
    expectClose(gradient, expected, 1e-3);
  });

  it('rejects bad input with a message naming the argument', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    const fewerClasses = tf.tensor2d(seededMatrix(4, 3, 23));
    const features = tf.tensor3d(seededMatrix(4, 4, 24).flat(), [4, 2, 2]);
    expect(() => hintonKdLoss(s, t, { temperature: 0 })).toThrow(
      'hintonKdLoss: options.temperature must be a finite number > 0, received 0',
    );
    expect(() => hintonKdLoss(fewerClasses, t)).toThrow(
      'hintonKdLoss: studentLogits must be 10 classes (as teacherLogits)',
    );
    expect(() => hintonKdLoss(features, t)).toThrow(
      'hintonKdLoss: studentLogits must be a tensor of rank 2',
    );
    expect(() => hintonKdLoss(s, tf.tensor2d([[1, 2]]))).toThrow(
      'hintonKdLoss: studentLogits has batch 4 but teacherLogits has batch 1',
    );
    tf.dispose([s, t, fewerClasses, features]);
  });

  it('leaks no tensor over 100 calls', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    expectNoLeak(() => hintonKdLoss(s, t).dispose());
    tf.dispose([s, t]);
  });
});
