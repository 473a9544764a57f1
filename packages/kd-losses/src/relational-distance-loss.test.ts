import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { rkdDistanceLoss } from './relational-distance-loss';
import { BACKENDS, read, useBackend } from './test-utils/backends';
import { pairLossChecks } from './test-utils/pair-loss-suite';
import { rkdDistanceReference } from './test-utils/reference';

describe.each(BACKENDS)('rkdDistanceLoss on %s', (backend) => {
  useBackend(backend);
  pairLossChecks('rkdDistanceLoss', rkdDistanceLoss, rkdDistanceReference);

  it('matches a hand-computed value on points of a line', () => {
    // Teacher 0, 1, 3: distances 1, 3, 2 (mean 2) → 0.5, 1.5, 1. Student 0, 1, 2: 1, 2, 1
    // (mean 4/3) → 0.75, 1.5, 0.75. Huber of ±0.25 is 0.03125, on 4 of the 6 ordered pairs.
    const value = read(rkdDistanceLoss(tf.tensor2d([[0], [1], [2]]), tf.tensor2d([[0], [1], [3]])));
    expect(value).toBeCloseTo((4 * 0.03125) / 6, 6);
  });

  it('is invariant to the scale of either side', () => {
    const value = read(
      rkdDistanceLoss(tf.tensor2d([[0], [10], [20]]), tf.tensor2d([[0], [1], [2]])),
    );
    expect(value).toBeCloseTo(0, 5);
  });
});
