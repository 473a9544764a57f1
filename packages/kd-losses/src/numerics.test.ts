// Numerics across float32's range (issue 15, items 6 and 7): no loss returns NaN or a wrong value
// for finite input at any scale, gradients included, and zero-width features [B, 0] are the zero
// vectors on every backend (no matrix product over an empty inner dimension: on wasm it read
// uninitialised memory and RKD-A gave 8.8e10; PKT's gradient threw and leaked 52 tensors).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { attentionTransferLoss } from './attention-transfer-loss';
import { gkdLoss } from './gkd-loss';
import { hintonKdLoss } from './hinton-kd-loss';
import { pktLoss } from './probabilistic-knowledge-transfer-loss';
import { rkdAngleLoss } from './relational-angle-loss';
import { rkdDistanceLoss } from './relational-distance-loss';
import { similarityPreservingLoss } from './similarity-preserving-loss';
import { BACKENDS, expectClose, gradientOf, read, useBackend } from './test-utils/backends';
import { hintonReference, seededMatrix, seededValues } from './test-utils/reference';

type PairLoss = (student: tf.Tensor, teacher: tf.Tensor) => tf.Scalar;

/** Every scale-invariant loss, on `[B, D]` features (AT on `[B, H, W, C]` maps). */
const INVARIANT_LOSSES: Array<{ name: string; loss: PairLoss; maps?: boolean }> = [
  { name: 'gkdLoss', loss: (s, t) => gkdLoss([s], [t]) },
  { name: 'gkdLoss (k = 2, power 2)', loss: (s, t) => gkdLoss([s], [t], { k: 2, power: 2 }) },
  {
    name: 'gkdLoss (gaussian, random-walk)',
    loss: (s, t) => gkdLoss([s], [t], { graph: { kernel: 'gaussian', normalize: 'random-walk' } }),
  },
  { name: 'rkdDistanceLoss', loss: (s, t) => rkdDistanceLoss(s, t) },
  { name: 'rkdAngleLoss', loss: (s, t) => rkdAngleLoss(s, t) },
  { name: 'similarityPreservingLoss', loss: (s, t) => similarityPreservingLoss(s, t) },
  { name: 'pktLoss', loss: (s, t) => pktLoss(s, t) },
  { name: 'attentionTransferLoss', loss: (s, t) => attentionTransferLoss(s, t), maps: true },
  {
    name: 'attentionTransferLoss (p = 0.5)',
    loss: (s, t) => attentionTransferLoss(s, t, { p: 0.5 }),
    maps: true,
  },
];

const SCALES = [1e-30, 1e-20, 1e18, 1e20, 1e30];

function scaled(values: number[], shape: number[], scale: number): tf.Tensor {
  return tf.tensor(
    values.map((v) => v * scale),
    shape,
  );
}

describe.each(BACKENDS)('loss numerics on %s', (backend) => {
  useBackend(backend);

  for (const { name, loss, maps } of INVARIANT_LOSSES) {
    it(`${name}: the same loss and gradient (× scale) at every scale, never NaN`, () => {
      const studentShape = maps ? [4, 2, 2, 3] : [5, 4];
      const teacherShape = maps ? [4, 2, 2, 5] : [5, 7];
      const student = seededValues(
        studentShape.reduce((a, b) => a * b),
        41,
        -1,
        1,
      );
      const teacher = seededValues(
        teacherShape.reduce((a, b) => a * b),
        42,
        -1,
        1,
      );
      const s1 = scaled(student, studentShape, 1);
      const t1 = scaled(teacher, teacherShape, 1);
      const expected = read(loss(s1, t1));
      const expectedGradient = gradientOf((x) => loss(x, t1), s1);
      const gradientScale = Math.max(...expectedGradient.map(Math.abs));
      for (const scale of SCALES) {
        for (const [studentScale, teacherScale] of [
          [scale, scale],
          [scale, 1],
          [1, scale],
        ] as const) {
          const s = scaled(student, studentShape, studentScale);
          const t = scaled(teacher, teacherShape, teacherScale);
          expectClose([read(loss(s, t))], [expected], 1e-4);
          const gradient = gradientOf((x) => loss(x, t), s);
          expect(gradient.every(Number.isFinite)).toBe(true);
          expectClose(
            gradient.map((g) => (g * studentScale) / gradientScale),
            expectedGradient.map((g) => g / gradientScale),
            2e-3,
          );
          tf.dispose([s, t]);
        }
      }
      tf.dispose([s1, t1]);
    });
  }

  it('attentionTransferLoss with p < 1 has a finite gradient where ReLU features are 0', () => {
    const relu = (seed: number, channels: number) =>
      tf.tensor4d(
        seededValues(4 * 2 * 2 * channels, seed, -1, 1).map((v) => Math.max(v, 0)),
        [4, 2, 2, channels],
      );
    const s = relu(43, 3);
    const t = relu(44, 5);
    for (const p of [0.25, 0.5, 0.9, 1]) {
      expect(Number.isFinite(read(attentionTransferLoss(s, t, { p })))).toBe(true);
      const gradient = gradientOf((x) => attentionTransferLoss(x, t, { p }), s);
      expect(gradient.every(Number.isFinite)).toBe(true);
      const values = s.dataSync();
      gradient.forEach((g, i) => {
        if (values[i] === 0) expect(g).toBe(0);
      });
      expect(gradient.some((g) => g !== 0)).toBe(true);
    }
    tf.dispose([s, t]);
  });

  describe('hintonKdLoss at any temperature and logit scale', () => {
    const student = seededMatrix(4, 10, 45, -3, 3);
    const teacher = seededMatrix(4, 10, 46, -5, 5);
    /** The T → ∞ limit of T²·KL: ½ · mean over the batch of the (uniform) variance of z_T − z_S. */
    const limit = () => {
      let total = 0;
      student.forEach((row, b) => {
        const delta = row.map((v, c) => teacher[b]![c]! - v);
        const mean = delta.reduce((a, v) => a + v, 0) / delta.length;
        total += delta.reduce((a, v) => a + (v - mean) ** 2, 0) / delta.length / 2;
      });
      return total / student.length;
    };

    it('matches the float64 reference at moderate and large temperatures', () => {
      const s = tf.tensor2d(student);
      const t = tf.tensor2d(teacher);
      for (const temperature of [0.5, 1, 4, 10, 20, 100, 1e3]) {
        expectClose(
          [read(hintonKdLoss(s, t, { temperature }))],
          [hintonReference(student, teacher, temperature)],
          1e-4,
        );
      }
      tf.dispose([s, t]);
    });

    it('tends to ½ Var(z_T − z_S) for huge temperatures (was 0, Inf or NaN), gradient included', () => {
      const s = tf.tensor2d(student);
      const t = tf.tensor2d(teacher);
      const expectedGradient = student.flatMap((row, b) => {
        const delta = row.map((v, c) => teacher[b]![c]! - v);
        const mean = delta.reduce((a, v) => a + v, 0) / delta.length;
        return delta.map((v) => -(v - mean) / delta.length / student.length);
      });
      for (const temperature of [1e6, 1e10, 1e20, 1e30, 1e40, 1e100]) {
        expectClose([read(hintonKdLoss(s, t, { temperature }))], [limit()], 1e-4);
        const gradient = gradientOf((x) => hintonKdLoss(x, t, { temperature }), s);
        expectClose(gradient, expectedGradient, 1e-4);
      }
      tf.dispose([s, t]);
    });

    it('is homogeneous of degree 2 in (logits, T) from 1e-20 to 1e15', () => {
      const s = tf.tensor2d(student);
      const t = tf.tensor2d(teacher);
      for (const temperature of [1, 4, 1e3]) {
        const expected = read(hintonKdLoss(s, t, { temperature }));
        for (const scale of [1e-20, 1e-10, 1e10, 1e15]) {
          const ss = tf.tensor2d(student.map((row) => row.map((v) => v * scale)));
          const ts = tf.tensor2d(teacher.map((row) => row.map((v) => v * scale)));
          const value = read(hintonKdLoss(ss, ts, { temperature: temperature * scale }));
          expectClose([value / scale / scale], [expected], 1e-4);
          tf.dispose([ss, ts]);
        }
      }
      tf.dispose([s, t]);
    });

    it('is finite with huge logits and a small temperature; +Inf, not NaN, where T²·KL overflows', () => {
      const ss = tf.tensor2d(student.map((row) => row.map((v) => v * 1e15)));
      const ts = tf.tensor2d(teacher.map((row) => row.map((v) => v * 1e15)));
      const value = read(hintonKdLoss(ss, ts, { temperature: 1e10 }));
      expectClose([value / 1e30], [hintonReference(student, teacher, 1e-5)], 1e-4);
      const gradient = gradientOf((x) => hintonKdLoss(x, ts, { temperature: 1e10 }), ss);
      expect(gradient.every(Number.isFinite)).toBe(true);
      const hs = tf.tensor2d(student.map((row) => row.map((v) => v * 1e30)));
      const ht = tf.tensor2d(teacher.map((row) => row.map((v) => v * 1e30)));
      expect(read(hintonKdLoss(hs, ht, { temperature: 1e25 }))).toBe(Number.POSITIVE_INFINITY);
      tf.dispose([ss, ts, hs, ht]);
    });

    it('rejects logits with zero classes', () => {
      const empty = tf.zeros([3, 0]);
      expect(() => hintonKdLoss(empty, empty)).toThrow(
        'hintonKdLoss: studentLogits must be at least one class',
      );
      empty.dispose();
    });
  });

  it('a NaN or Inf input gives a non-finite loss without value checks (never silently finite)', () => {
    const good = tf.tensor2d(seededMatrix(4, 6, 49));
    const maps = tf.tensor4d(seededValues(4 * 2 * 2 * 3, 50, -1, 1), [4, 2, 2, 3]);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const values = seededMatrix(4, 6, 49);
      values[1]![2] = bad;
      const poisoned = tf.tensor2d(values);
      const mapValues = seededValues(4 * 2 * 2 * 3, 50, -1, 1);
      mapValues[5] = bad;
      const poisonedMaps = tf.tensor4d(mapValues, [4, 2, 2, 3]);
      const losses: Array<() => tf.Scalar> = [
        () => gkdLoss([good], [poisoned]),
        () => gkdLoss([poisoned], [good], { graph: { kernel: 'gaussian' } }),
        () => rkdDistanceLoss(poisoned, good),
        () => rkdAngleLoss(good, poisoned),
        () => similarityPreservingLoss(poisoned, good),
        () => pktLoss(good, poisoned),
        () => hintonKdLoss(poisoned, good),
        () => attentionTransferLoss(poisonedMaps, maps, { p: 0.5 }),
      ];
      for (const loss of losses) expect(Number.isFinite(read(loss()))).toBe(false);
      tf.dispose([poisoned, poisonedMaps]);
    }
    tf.dispose([good, maps]);
  });

  describe('zero-width features [B, 0] are the zero vectors', () => {
    const losses: Array<[string, PairLoss]> = [
      ['gkdLoss', (s, t) => gkdLoss([s], [t])],
      ['gkdLoss (k = 2)', (s, t) => gkdLoss([s], [t], { k: 2 })],
      ['rkdDistanceLoss', (s, t) => rkdDistanceLoss(s, t)],
      ['rkdAngleLoss', (s, t) => rkdAngleLoss(s, t)],
      ['similarityPreservingLoss', (s, t) => similarityPreservingLoss(s, t)],
      ['pktLoss', (s, t) => pktLoss(s, t)],
    ];
    for (const [name, loss] of losses) {
      it(`${name}: 0 for two [B, 0] inputs, the zero-feature loss against a teacher, a [B, 0] gradient, no leak`, () => {
        const empty = tf.zeros([5, 0]);
        const zeros = tf.zeros([5, 3]);
        const teacher = tf.tensor2d(seededMatrix(5, 4, 47));
        expect(read(loss(empty, empty))).toBe(0);
        expectClose([read(loss(empty, teacher))], [read(loss(zeros, teacher))], 1e-6);
        expectClose([read(loss(teacher, empty))], [read(loss(teacher, zeros))], 1e-6);
        const body = () => {
          const gradient = tf.grad((x: tf.Tensor) => loss(x, teacher))(empty);
          expect(gradient.shape).toEqual([5, 0]);
          gradient.dispose();
        };
        body();
        const before = tf.memory().numTensors;
        for (let i = 0; i < 10; i++) body();
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose([empty, zeros, teacher]);
      });
    }

    it('attentionTransferLoss: zero channels give a zero map; an empty spatial size is an error', () => {
      const empty = tf.zeros([3, 2, 2, 0]);
      const zeros = tf.zeros([3, 2, 2, 4]);
      const teacher = tf.tensor4d(seededValues(3 * 2 * 2 * 4, 48, -1, 1), [3, 2, 2, 4]);
      expect(read(attentionTransferLoss(empty, empty))).toBe(0);
      expectClose(
        [read(attentionTransferLoss(empty, teacher))],
        [read(attentionTransferLoss(zeros, teacher))],
        1e-6,
      );
      const gradient = tf.grad((x: tf.Tensor) => attentionTransferLoss(x, teacher))(empty);
      expect(gradient.shape).toEqual([3, 2, 2, 0]);
      gradient.dispose();
      const flat = tf.zeros([3, 0, 2, 4]);
      expect(() => attentionTransferLoss(flat, flat)).toThrow(
        'attentionTransferLoss: student must be a non-empty spatial size',
      );
      tf.dispose([empty, zeros, teacher, flat]);
    });
  });
});
