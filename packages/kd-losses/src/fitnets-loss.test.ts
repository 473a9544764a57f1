import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { getDistillationLoss } from './registry';
import { createFitnetsRegressor, fitnetsDistillationLoss, fitnetsLoss } from './fitnets-loss';
import { BACKENDS, expectClose, expectNoLeak, read, useBackend } from './test-utils/backends';

/** The inputs of test-utils/fitnets-reference.py: sin(0.7 i + seed), scaled. */
function values(count: number, seed: number, scale = 1): number[] {
  return Array.from({ length: count }, (_, i) => Math.sin(0.7 * i + seed) * scale);
}

// Output of `/usr/bin/python3 src/test-utils/fitnets-reference.py` (PyTorch 1.13.0a0, float64):
// loss and gradients of a 1x1 Conv2d regressor (NHWC case) and of nn.functional.linear
// (dense case) under nn.functional.mse_loss.
const GOLDEN = {
  nhwc: {
    loss: 0.544107126126,
    dStudent: [
      -0.010537142589, 0.027024479278, -0.040388993652, 0.008231057392, -0.021058034392,
      0.031451643517, 0.008605315738, 0.010537172986, -0.028462035328, -0.017614381087,
      -0.00124475669, 0.01996005621, 0.052591077503, -0.027668727845, -0.000450890476,
      -0.068116635236, 0.051428964622, -0.028798403613, 0.082745659618, -0.071862202124,
      0.052674684964, -0.059747893541, 0.064520545983, -0.061837506174,
    ],
    dKernel: [
      0.029232824042, -0.039537092113, -0.089712096063, -0.097694099444, 0.044816416807,
      -0.011751024166, -0.062791774859, -0.084300572688, 0.039322148472, 0.021561734061,
      -0.006339500791, -0.031259169363,
    ],
    dBias: [-0.089549172647, -0.06726137506, -0.013339501795, 0.0468561476],
  },
  dense: {
    loss: 1.07002883787,
    dStudent: [
      -0.368441622197, -0.237780173598, 0.287611988707, 0.335549349567, -0.173547260211,
      0.696307501043, 0.619931000469, -0.485571699153, -0.784993469226, 0.218725504833,
      -0.393268392318, -0.353466699875, 0.273112942141, 0.446307152804, -0.121397838905,
    ],
    dKernel: [
      0.857518652678, 0.563607560025, 0.191937246525, 0.181749663748, -0.563915245771,
      -0.285587939306, -1.054549586561, -0.61860907207, -1.049212779001, -0.660688692206,
    ],
    dBias: [0.077522299562, -0.117726538253],
  },
};

const CASES = {
  nhwc: () => ({
    student: tf.tensor4d(values(2 * 2 * 2 * 3, 1), [2, 2, 2, 3]),
    teacher: tf.tensor4d(values(2 * 2 * 2 * 4, 2), [2, 2, 2, 4]),
    kernel: tf.tensor2d(values(3 * 4, 3, 0.5), [3, 4]),
    bias: tf.tensor1d(values(4, 4, 0.1)),
  }),
  dense: () => ({
    student: tf.tensor2d(values(3 * 5, 5), [3, 5]),
    teacher: tf.tensor2d(values(3 * 2, 6), [3, 2]),
    kernel: tf.tensor2d(values(5 * 2, 7), [5, 2]),
    bias: tf.tensor1d(values(2, 8)),
  }),
};

describe.each(BACKENDS)('fitnetsLoss on %s', (backend) => {
  useBackend(backend);

  for (const name of ['nhwc', 'dense'] as const) {
    it(`matches PyTorch's value and gradients (${name})`, () => {
      const { student, teacher, kernel, bias } = CASES[name]();
      const golden = GOLDEN[name];
      expect(read(fitnetsLoss(student, teacher, { kernel, bias }))).toBeCloseTo(golden.loss, 5);
      const grads = tf.grads((s: tf.Tensor, k: tf.Tensor, b: tf.Tensor) =>
        fitnetsLoss(s, teacher, { kernel: k as tf.Tensor2D, bias: b as tf.Tensor1D }),
      )([student, kernel, bias]);
      expectClose(Array.from(grads[0]!.dataSync()), golden.dStudent, 1e-5);
      expectClose(Array.from(grads[1]!.dataSync()), golden.dKernel, 1e-5);
      expectClose(Array.from(grads[2]!.dataSync()), golden.dBias, 1e-5);
      tf.dispose([...grads, student, teacher, kernel, bias]);
    });
  }

  it('is zero when the regressor maps the student exactly onto the teacher', () => {
    const student = tf.tensor2d(values(4 * 3, 9), [4, 3]);
    const kernel = tf.tensor2d(values(3 * 2, 10), [3, 2]);
    const bias = tf.tensor1d([0.5, -0.25]);
    const teacher = tf.tidy(() => tf.add(tf.matMul(student, kernel), bias));
    expect(read(fitnetsLoss(student, teacher, { kernel, bias }))).toBeCloseTo(0, 6);
    tf.dispose([student, kernel, bias, teacher]);
  });

  it('sends no gradient to the teacher', () => {
    const { student, teacher, kernel, bias } = CASES.dense();
    const gradient = tf.grad((t: tf.Tensor) => fitnetsLoss(student, t, { kernel, bias }))(teacher);
    expect(Array.from(gradient.dataSync()).every((value) => value === 0)).toBe(true);
    tf.dispose([gradient, student, teacher, kernel, bias]);
  });

  it('rejects mismatched shapes and regressors with messages naming the argument', () => {
    const { student, teacher, kernel, bias } = CASES.nhwc();
    const wide = tf.zeros([2, 3, 2, 4]);
    expect(() => fitnetsLoss(student, wide, { kernel, bias })).toThrow(
      'fitnetsLoss: student must be the shape of teacher but the last axis ([2, 3, 2, C]), received shape [2, 2, 2, 3]',
    );
    const wrongKernel = tf.zeros([4, 4]) as tf.Tensor2D;
    expect(() => fitnetsLoss(student, teacher, { kernel: wrongKernel, bias })).toThrow(
      'fitnetsLoss: regressor.kernel must be shape [3, 4] (student by teacher channels), received shape [4, 4]',
    );
    const wrongBias = tf.zeros([3]) as tf.Tensor1D;
    expect(() => fitnetsLoss(student, teacher, { kernel, bias: wrongBias })).toThrow(
      "fitnetsLoss: regressor.bias must be shape [4] (the teacher's channels), received shape [3]",
    );
    expect(() => fitnetsLoss(student, tf.zeros([3, 2, 2, 4]), { kernel, bias })).toThrow(
      'fitnetsLoss: student has batch 2 but teacher has batch 3',
    );
    expect(() => fitnetsDistillationLoss.compute([student], [teacher], {}, {})).toThrow(
      'fitnets: context.parameters must be the regressor from createParameters',
    );
    tf.dispose([student, teacher, kernel, bias, wide, wrongKernel, wrongBias]);
  });

  it('leaks no tensor', () => {
    const { student, teacher, kernel, bias } = CASES.nhwc();
    expectNoLeak(() => read(fitnetsLoss(student, teacher, { kernel, bias })), 20);
    tf.dispose([student, teacher, kernel, bias]);
  });
});

describe('fitnets in the registry', () => {
  it('owns one seeded regressor per tap pair and averages the pairs', () => {
    const loss = getDistillationLoss('fitnets');
    const shapes = { student: [[2, 2, 3], [5]], teacher: [[2, 2, 4], [2]] };
    const first = loss.createParameters!(shapes, {}, 7);
    const again = loss.createParameters!(shapes, {}, 7);
    expect(Object.keys(first).sort()).toEqual([
      'tap0/bias',
      'tap0/kernel',
      'tap1/bias',
      'tap1/kernel',
    ]);
    expect(first['tap0/kernel']!.shape).toEqual([3, 4]);
    expect(first['tap1/kernel']!.shape).toEqual([5, 2]);
    expect(Array.from(first['tap0/kernel']!.dataSync())).toEqual(
      Array.from(again['tap0/kernel']!.dataSync()),
    );
    expect(Array.from(first['tap1/bias']!.dataSync())).toEqual([0, 0]);
    const nhwc = CASES.nhwc();
    const dense = CASES.dense();
    const student = [nhwc.student, dense.student];
    const teacher = [nhwc.teacher, dense.teacher];
    const value = read(loss.compute(student, teacher, {}, { parameters: first }));
    const expected =
      (read(
        fitnetsLoss(nhwc.student, nhwc.teacher, {
          kernel: first['tap0/kernel'] as tf.Tensor2D,
          bias: first['tap0/bias'] as tf.Tensor1D,
        }),
      ) +
        read(
          fitnetsLoss(dense.student, dense.teacher, {
            kernel: first['tap1/kernel'] as tf.Tensor2D,
            bias: first['tap1/bias'] as tf.Tensor1D,
          }),
        )) /
      2;
    expect(value).toBeCloseTo(expected, 6);
    tf.dispose([...Object.values(first), ...Object.values(again), ...student, ...teacher]);
    tf.dispose([nhwc.kernel, nhwc.bias, dense.kernel, dense.bias]);
  });

  it('draws a Glorot-uniform kernel within its limit', () => {
    const { kernel, bias } = createFitnetsRegressor(6, 10, 1);
    const limit = Math.sqrt(6 / 16);
    expect(Array.from(kernel.dataSync()).every((value) => Math.abs(value) <= limit)).toBe(true);
    expect(kernel.trainable).toBe(true);
    tf.dispose([kernel, bias]);
  });
});
