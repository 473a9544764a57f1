import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rkdAngleLoss } from './relational-angle-loss';
import { BACKENDS, read, useBackend } from './test-utils/backends';
import { pairLossChecks } from './test-utils/pair-loss-suite';
import { rkdAngleReference } from './test-utils/reference';

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
});
