import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { attentionTransferLoss } from './attention-transfer-loss';
import type { DistillationLoss } from './distillation-loss';
import { DISTILLATION_LOSSES } from './distillation-losses';
import { gkdLoss } from './gkd-loss';
import { hintonKdLoss } from './hinton-kd-loss';
import { getDistillationLoss, listDistillationLosses } from './registry';
import { rkdDistanceLoss } from './relational-distance-loss';
import { read } from './test-utils/backends';
import { seededValues } from './test-utils/reference';

describe('distillation loss registry', () => {
  const studentTaps = [
    tf.tensor4d(seededValues(4 * 2 * 2 * 3, 1), [4, 2, 2, 3]),
    tf.tensor2d(seededValues(8, 2), [4, 2]),
  ];
  const teacherTaps = [
    tf.tensor4d(seededValues(4 * 2 * 2 * 5, 3), [4, 2, 2, 5]),
    tf.tensor2d(seededValues(12, 4), [4, 3]),
  ];
  const labels = tf.tensor1d([0, 1, 0, 1], 'int32');

  it('lists every loss', () => {
    expect(listDistillationLosses()).toEqual([
      'gkd',
      'rkd-distance',
      'rkd-angle',
      'hinton',
      'similarity-preserving',
      'attention-transfer',
      'pkt',
      'fitnets',
    ]);
    expect(listDistillationLosses()).toEqual(DISTILLATION_LOSSES.map((loss) => loss.name));
  });

  it('takes gkd class masks as gkdLoss does (classes: { mode }), classMode kept as an alias', () => {
    const viaClasses = read(
      getDistillationLoss('gkd').compute(
        studentTaps,
        teacherTaps,
        { k: 2, classes: { mode: 'inter' } },
        { labels },
      ),
    );
    const viaClassMode = read(
      getDistillationLoss('gkd').compute(
        studentTaps,
        teacherTaps,
        { k: 2, classMode: 'inter' },
        { labels },
      ),
    );
    const direct = read(
      gkdLoss(studentTaps, teacherTaps, { k: 2, classes: { labels, mode: 'inter' } }),
    );
    expect(viaClasses).toBeCloseTo(direct, 6);
    expect(viaClassMode).toBeCloseTo(direct, 6);
  });

  it("reaches attention transfer's p", () => {
    const s = studentTaps.slice(0, 1);
    const t = teacherTaps.slice(0, 1);
    const viaRegistry = read(getDistillationLoss('attention-transfer').compute(s, t, { p: 4 }, {}));
    expect(viaRegistry).toBeCloseTo(read(attentionTransferLoss(s[0]!, t[0]!, { p: 4 })), 6);
    expect(viaRegistry).not.toBeCloseTo(read(attentionTransferLoss(s[0]!, t[0]!)), 6);
  });

  it("declares defaults that are the functions' own: computing with them changes nothing", () => {
    for (const loss of DISTILLATION_LOSSES as readonly DistillationLoss[]) {
      expect(typeof loss.defaultWeight).toBe('number');
      if (loss.createParameters !== undefined) continue;
      const [student, teacher] =
        loss.input === 'logits'
          ? [[studentTaps[1]!], [teacherTaps[1]!.slice([0, 0], [4, 2])]]
          : [studentTaps.slice(0, 1), teacherTaps.slice(0, 1)];
      const withDefaults = read(
        loss.compute(student, teacher, { ...(loss.defaultOptions ?? {}) }, { labels }),
      );
      expect(withDefaults).toBeCloseTo(read(loss.compute(student, teacher, {}, { labels })), 6);
    }
  });

  it('computes gkd with options and labels from the context', () => {
    const value = read(
      getDistillationLoss('gkd').compute(
        studentTaps,
        teacherTaps,
        { k: 2, classMode: 'intra' },
        { labels },
      ),
    );
    const direct = read(
      gkdLoss(studentTaps, teacherTaps, { k: 2, classes: { labels, mode: 'intra' } }),
    );
    expect(value).toBeCloseTo(direct, 6);
  });

  it('averages single-layer losses over the taps', () => {
    const value = read(
      getDistillationLoss('rkd-distance').compute(studentTaps, teacherTaps, {}, {}),
    );
    const expected =
      (read(rkdDistanceLoss(studentTaps[0]!, teacherTaps[0]!)) +
        read(rkdDistanceLoss(studentTaps[1]!, teacherTaps[1]!))) /
      2;
    expect(value).toBeCloseTo(expected, 6);
  });

  it('hands logits losses the logits', () => {
    const loss = getDistillationLoss('hinton');
    expect(loss.input).toBe('logits');
    const s = tf.tensor2d(seededValues(12, 5), [4, 3]);
    const t = tf.tensor2d(seededValues(12, 6), [4, 3]);
    expect(read(loss.compute([s], [t], { temperature: 2 }, {}))).toBeCloseTo(
      read(hintonKdLoss(s, t, { temperature: 2 })),
      6,
    );
  });

  it('computes every registered loss on NHWC taps', () => {
    for (const name of listDistillationLosses()) {
      const loss = getDistillationLoss(name);
      if (loss.createParameters !== undefined) continue; // fitnets: see fitnets-loss.test.ts
      const [student, teacher] =
        loss.input === 'logits'
          ? [[studentTaps[1]!], [studentTaps[1]!]]
          : [studentTaps.slice(0, 1), teacherTaps.slice(0, 1)];
      expect(Number.isFinite(read(loss.compute(student, teacher, {}, { labels })))).toBe(true);
    }
  });

  it('names the closest loss for an unknown name', () => {
    expect(() => getDistillationLoss('gkb')).toThrow(
      "Unknown distillation loss 'gkb'. Valid distillation loss names: gkd, rkd-distance, rkd-angle, hinton, similarity-preserving, attention-transfer, pkt, fitnets. Did you mean 'gkd'?",
    );
  });

  it('rejects unknown options, class masks without labels and mismatched tap counts', () => {
    expect(() =>
      getDistillationLoss('gkd').compute(studentTaps, teacherTaps, { kk: 2 }, {}),
    ).toThrow(
      'gkd: options.kk must be one of the options k, power, classes, graph, checkFinite, classMode',
    );
    expect(() =>
      getDistillationLoss('pkt').compute(studentTaps, teacherTaps, { k: 2 }, {}),
    ).toThrow('pkt: options.k must be one of the options checkFinite');
    expect(() =>
      getDistillationLoss('gkd').compute(studentTaps, teacherTaps, { classMode: 'intra' }, {}),
    ).toThrow('gkd: options.classMode must be labels in the loss context');
    expect(() =>
      getDistillationLoss('gkd').compute(
        studentTaps,
        teacherTaps,
        { classMode: 'both' },
        { labels },
      ),
    ).toThrow("gkd: options.classMode must be 'intra' or 'inter', received both");
    expect(() =>
      getDistillationLoss('rkd-angle').compute(studentTaps, teacherTaps.slice(0, 1), {}, {}),
    ).toThrow('rkd-angle: teacher must be as many tensors as student (2, at least 1), received 1');
  });
});
