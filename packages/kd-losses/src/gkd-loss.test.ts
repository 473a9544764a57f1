import { countDispatchingKernels } from '@geokd/backend';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { gkdLoss } from './gkd-loss';
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
  gkdReference,
  type Matrix,
  seededMatrix,
} from './test-utils/reference';

describe.each(BACKENDS)('gkdLoss on %s', (backend) => {
  useBackend(backend);
  const student = seededMatrix(6, 5, 1);
  const teacher = seededMatrix(6, 9, 2);
  const nonNegativeStudent = seededMatrix(6, 2 * 3 * 3, 3, 0, 1);
  const nonNegativeTeacher = seededMatrix(6, 4 * 3 * 3, 4, 0, 1);

  const run = (s: Matrix[], t: Matrix[], options = {}) =>
    read(
      gkdLoss(
        s.map((m) => tf.tensor2d(m)),
        t.map((m) => tf.tensor2d(m)),
        options,
      ),
    );

  it('matches the float64 reference on signed vectors of different widths', () => {
    expectClose([run([student], [teacher])], [gkdReference([student], [teacher])], 1e-4);
  });

  it('matches the reference on non-negative [B,C,H,W]-like maps', () => {
    const studentMap = tf.tensor4d(nonNegativeStudent.flat(), [6, 2, 3, 3]);
    const teacherMap = tf.tensor4d(nonNegativeTeacher.flat(), [6, 4, 3, 3]);
    const value = read(gkdLoss([studentMap], [teacherMap]));
    tf.dispose([studentMap, teacherMap]);
    expectClose([value], [gkdReference([nonNegativeStudent], [nonNegativeTeacher])], 1e-4);
  });

  it('averages the per-layer sums across layers (three layers give the seed /3)', () => {
    const layers: [Matrix[], Matrix[]] = [
      [student, nonNegativeStudent, seededMatrix(6, 3, 7)],
      [teacher, nonNegativeTeacher, seededMatrix(6, 4, 8)],
    ];
    const perLayer = layers[0].map((s, i) => gkdReference([s], [layers[1][i]!]));
    const expected = (perLayer[0]! + perLayer[1]! + perLayer[2]!) / 3;
    expectClose([run(...layers)], [expected], 1e-4);
  });

  it('applies the teacher kNN mask to both graphs', () => {
    expectClose(
      [run([student], [teacher], { k: 2 })],
      [gkdReference([student], [teacher], { k: 2 })],
      1e-4,
    );
  });

  it('compares graph powers', () => {
    expectClose(
      [run([student], [teacher], { power: 3 })],
      [gkdReference([student], [teacher], { power: 3 })],
      1e-4,
    );
  });

  it('applies intra- and inter-class masks', () => {
    const labels = [0, 1, 0, 2, 1, 0];
    for (const mode of ['intra', 'inter'] as const) {
      const labelTensor = tf.tensor1d(labels, 'int32');
      const value = run([student], [teacher], { classes: { labels: labelTensor, mode }, k: 3 });
      labelTensor.dispose();
      expectClose([value], [gkdReference([student], [teacher], { labels, mode, k: 3 })], 1e-4);
    }
  });

  it('is zero when the student equals the teacher, and when graphs differ only in scale', () => {
    expect(run([student], [student])).toBeCloseTo(0, 6);
    const scaled = student.map((row) => row.map((v) => v * 3.5));
    expect(run([scaled], [student])).toBeCloseTo(0, 5);
  });

  it('matches a hand-computed value: B = 2 graphs normalise to [[0,1],[1,0]]', () => {
    // Any two rows with positive cosine give A = [[0,c],[c,0]], degrees c, Â = [[0,1],[1,0]].
    expect(
      run(
        [
          [
            [1, 0],
            [1, 1],
          ],
        ],
        [
          [
            [1, 2, 3],
            [3, 2, 1],
          ],
        ],
      ),
    ).toBeCloseTo(0, 6);
    // Negative cosine: degrees ≤ 0 so the documented rule zeroes the student graph; 2 entries of 1.
    expect(
      run(
        [
          [
            [1, 0],
            [-1, 0.1],
          ],
        ],
        [
          [
            [1, 2, 3],
            [3, 2, 1],
          ],
        ],
      ),
    ).toBeCloseTo(2, 5);
  });

  it('stays finite for zero rows, k >= B and negative cosines', () => {
    const withZeroRow = student.map((row, i) => (i === 2 ? row.map(() => 0) : row));
    for (const value of [run([withZeroRow], [teacher]), run([student], [teacher], { k: 50 })]) {
      expect(Number.isFinite(value)).toBe(true);
    }
    expectClose([run([student], [teacher], { k: 6 })], [gkdReference([student], [teacher])], 1e-4);
    const gradient = gradientOf(
      (x) => gkdLoss([x], [tf.tensor2d(teacher)]),
      tf.tensor2d(withZeroRow),
    );
    expect(gradient.every(Number.isFinite)).toBe(true);
  });

  it('has the gradient of the float64 reference (finite differences)', () => {
    for (const options of [{}, { k: 3 }, { power: 2 }]) {
      const teacherTensor = tf.tensor2d(teacher);
      const studentTensor = tf.tensor2d(student);
      const gradient = gradientOf((x) => gkdLoss([x], [teacherTensor], options), studentTensor);
      tf.dispose([teacherTensor, studentTensor]);
      const expected = finiteDifferenceGradient(
        (x) => gkdReference([x], [teacher], options),
        student,
      ).flat();
      expectClose(gradient, expected, 2e-3);
    }
  });

  it('has the reference gradient with three layers, a class mask and k (finite differences)', () => {
    const labels = [0, 1, 0, 2, 1, 0];
    const others: [Matrix, Matrix][] = [
      [nonNegativeStudent, nonNegativeTeacher],
      [seededMatrix(6, 3, 7), seededMatrix(6, 4, 8)],
    ];
    for (const mode of ['intra', 'inter'] as const) {
      const labelTensor = tf.tensor1d(labels, 'int32');
      const fixed = others.map(([s, t]) => [tf.tensor2d(s), tf.tensor2d(t)] as const);
      const teacherTensor = tf.tensor2d(teacher);
      const studentTensor = tf.tensor2d(student);
      const options = { k: 4, classes: { labels: labelTensor, mode } };
      const gradient = gradientOf(
        (x) =>
          gkdLoss(
            [x, ...fixed.map(([s]) => s)],
            [teacherTensor, ...fixed.map(([, t]) => t)],
            options,
          ),
        studentTensor,
      );
      const expected = finiteDifferenceGradient(
        (x) =>
          gkdReference([x, ...others.map(([s]) => s)], [teacher, ...others.map(([, t]) => t)], {
            k: 4,
            labels,
            mode,
          }),
        student,
      ).flat();
      tf.dispose([labelTensor, teacherTensor, studentTensor, ...fixed.flat()]);
      expect(expected.some((v) => Math.abs(v) > 1e-3)).toBe(true);
      expectClose(gradient, expected, 2e-3);
    }
  });

  it('sends no gradient to the teacher', () => {
    const teacherTensor = tf.tensor2d(teacher);
    const gradient = gradientOf((x) => gkdLoss([tf.tensor2d(student)], [x]), teacherTensor);
    teacherTensor.dispose();
    expect(gradient.every((v) => v === 0)).toBe(true);
  });

  it('rejects bad input with a message naming the argument', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    const short = tf.tensor2d(seededMatrix(4, 9, 5));
    const vector = tf.tensor1d([1, 2, 3]);
    const nan = tf.tensor2d([
      [Number.NaN, 1],
      [1, 2],
      [0, 1],
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(() => gkdLoss([], [])).toThrow('gkdLoss: studentFeatures must be a non-empty array');
    expect(() => gkdLoss([s], [t, t])).toThrow(
      'gkdLoss: teacherFeatures must be an array of 1 tensors',
    );
    expect(() => gkdLoss([s, s], [t, short])).toThrow(
      'gkdLoss: studentFeatures[1] has batch 6 but teacherFeatures[1] has batch 4',
    );
    expect(() => gkdLoss([vector], [t])).toThrow(
      'gkdLoss: studentFeatures[0] must be a tensor of rank >= 2',
    );
    expect(() => gkdLoss([nan], [t], { checkFinite: true })).toThrow(
      'gkdLoss: studentFeatures[0] must be finite',
    );
    expect(() => gkdLoss([s], [t], { k: 0 })).toThrow(
      'gkdLoss: options.k must be an integer >= 1, received 0',
    );
    expect(() => gkdLoss([s], [t], { power: 0.5 })).toThrow(
      'gkdLoss: options.power must be an integer >= 1',
    );
    expect(() =>
      gkdLoss([s], [t], { classes: { labels: tf.tensor1d([0, 1]), mode: 'intra' } }),
    ).toThrow('gkdLoss: options.classes.labels must be a rank-1 tensor of 6 labels');
    tf.dispose([s, t, short, vector, nan]);
  });

  it('leaks no tensor over 100 calls', () => {
    const s = tf.tensor2d(student);
    const t = tf.tensor2d(teacher);
    expectNoLeak(() => gkdLoss([s], [t], { k: 3, power: 2 }).dispose());
    tf.dispose([s, t]);
  });
});

describe('gkdLoss kernel dispatches', () => {
  useBackend('cpu');

  // The bench's three taps (B = 8 here: the count does not depend on the sizes).
  const taps = (channels: number, seed: number) => [
    tf.randomNormal([8, 4, 4, 2 * channels], 0, 1, 'float32', seed),
    tf.randomNormal([8, 2, 2, 4 * channels], 0, 1, 'float32', seed + 1),
    tf.randomNormal([8, 8 * channels], 0, 1, 'float32', seed + 2),
  ];

  it('dispatches at most 140 kernels forward and 204 forward + backward for three taps', async () => {
    // Before the analytic cosine-graph gradient (B = 128, the same three taps):
    // default options: forward 200, forward + backward 381;
    // gkd-dense (k = B, power 1): forward 206, forward + backward 390.
    // After: 140 and 204 for both (analytic cosine-graph and squared-distance gradients;
    // k >= B builds no mask; no second NaN propagation).
    const students = taps(1, 1);
    const teachers = taps(2, 10);
    for (const options of [{}, { k: 8, power: 1 }]) {
      const forward = (await countDispatchingKernels(() => gkdLoss(students, teachers, options)))
        .total;
      const both = (
        await countDispatchingKernels(() => {
          const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) =>
            gkdLoss(xs, teachers, options),
          )(students);
          return [value, ...grads];
        })
      ).total;
      expect(forward).toBeLessThanOrEqual(140);
      expect(both).toBeLessThanOrEqual(204);
    }
    tf.dispose([...students, ...teachers]);
  });
});
