import { countDispatchingKernels } from '@geokd/backend';
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
import {
  finiteDifferenceGradient,
  hintonGradientReference,
  hintonReference,
  type Matrix,
  seededMatrix,
} from './test-utils/reference';

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

  it('has an analytic gradient equal to finite differences of the float64 reference', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    for (const temperature of [0.3, 1, 4, 20]) {
      const gradient = gradientOf((x) => hintonKdLoss(x, t, { temperature }), s);
      const expected = finiteDifferenceGradient(
        (x) => hintonReference(x, teacher, temperature),
        student,
      ).flat();
      // The formula of the float64 gradient reference is itself checked here.
      expectClose(hintonGradientReference(student, teacher, temperature).flat(), expected, 1e-6);
      expectClose(gradient, expected, 1e-4);
    }
    tf.dispose([s, t]);
  });

  it('has the float64 gradient at small and large temperatures (direct and series rows)', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    // max |gradient| is ~0.2 at T = 1 and ~0.1 at T >= 20 here: the tolerance is relative.
    for (const temperature of [0.01, 0.1, 0.5, 2, 8, 50, 100, 1e3, 1e4, 1e6]) {
      const gradient = gradientOf((x) => hintonKdLoss(x, t, { temperature }), s);
      const expected = hintonGradientReference(student, teacher, temperature).flat();
      const largest = Math.max(...expected.map(Math.abs));
      expectClose(
        gradient.map((g) => g / largest),
        expected.map((g) => g / largest),
        1e-5,
      );
    }
    tf.dispose([s, t]);
  });

  it('has a gradient homogeneous of degree 1 in (logits, T) from 1e-30 to 1e30', () => {
    // L(λz, λT) = λ² L(z, T), so ∂L/∂z_S(λz, λT) = λ ∂L/∂z_S(z, T) — also where λ²L overflows.
    const scaledBy = (m: Matrix, k: number) => m.map((row) => row.map((v) => v * k));
    for (const temperature of [0.05, 1, 4, 1e3, 1e8]) {
      const expected = hintonGradientReference(student, teacher, temperature).flat();
      const largest = Math.max(...expected.map(Math.abs));
      for (const scale of [1e-30, 1e-20, 1e-5, 1e5, 1e20, 1e30]) {
        const s = tf.tensor2d(scaledBy(student, scale));
        const t = tf.tensor2d(scaledBy(teacher, scale));
        const gradient = gradientOf(
          (x) => hintonKdLoss(x, t, { temperature: temperature * scale }),
          s,
        );
        expectClose(
          gradient.map((g) => g / scale / largest),
          expected.map((g) => g / largest),
          1e-5,
        );
        tf.dispose([s, t]);
      }
    }
  });

  it('sends no gradient to the teacher, and a zero one where the logits agree', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    const toTeacher = gradientOf((x) => hintonKdLoss(s, x, { temperature: 3 }), t);
    expect(toTeacher.every((g) => g === 0)).toBe(true);
    const shifted = tf.add(s, 2);
    for (const temperature of [0.1, 4, 1e30]) {
      const gradient = gradientOf((x) => hintonKdLoss(x, shifted, { temperature }), s);
      expectClose(gradient, new Array<number>(gradient.length).fill(0), 1e-6);
    }
    tf.dispose([s, t, shifted]);
  });

  it('is non-finite for a NaN or Inf input at every temperature (not silently finite)', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const values = student.map((row) => [...row]);
      values[2]![3] = bad;
      const poisoned = tf.tensor2d(values);
      const good = tf.tensor2d(teacher);
      for (const temperature of [0.1, 4, 1e6]) {
        expect(Number.isFinite(run(values, teacher, temperature))).toBe(false);
        expect(Number.isFinite(read(hintonKdLoss(good, poisoned, { temperature })))).toBe(false);
        const gradient = gradientOf((x) => hintonKdLoss(x, good, { temperature }), poisoned);
        expect(gradient.every(Number.isFinite)).toBe(false);
      }
      tf.dispose([poisoned, good]);
    }
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
    expectNoLeak(() => {
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => hintonKdLoss(x, t))(s);
      tf.dispose([value, grad]);
    });
    tf.dispose([s, t]);
  });
});

describe('hintonKdLoss kernel dispatches', () => {
  useBackend('cpu');

  it('dispatches at most 62 kernels forward and 77 forward + backward for [8, 10] logits', async () => {
    // Before the analytic gradient (autodiff through the scaled direct formula and two Horner
    // series, blended): forward 131, forward + backward 360 (B = 8, C = 10).
    // After (customGrad, stacked student/teacher, powers by one pow and both series by one
    // product): forward 62, forward + backward 77.
    const student = tf.randomNormal([8, 10], 0, 3, 'float32', 1);
    const teacher = tf.randomNormal([8, 10], 0, 5, 'float32', 2);
    const forward = await countDispatchingKernels(() => hintonKdLoss(student, teacher));
    const both = await countDispatchingKernels(() => {
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => hintonKdLoss(x, teacher))(student);
      return [value, grad];
    });
    expect(forward.total).toBeLessThanOrEqual(62);
    expect(both.total).toBeLessThanOrEqual(77);
    tf.dispose([student, teacher]);
  });
});
