import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { pktLoss } from './probabilistic-knowledge-transfer-loss';
import { BACKENDS, read, useBackend } from './test-utils/backends';
import { pairLossChecks } from './test-utils/pair-loss-suite';
import { pktReference } from './test-utils/reference';

describe.each(BACKENDS)('pktLoss on %s', (backend) => {
  useBackend(backend);
  pairLossChecks('pktLoss', pktLoss, pktReference);

  it('matches a hand-computed value on orthogonal against parallel rows', () => {
    // Student e1, e2: K = [[1, ½], [½, 1]] → P = [[⅔, ⅓], [⅓, ⅔]]. Teacher parallel: K = 1 → P = ½.
    // L = (1/4) Σ ½ log(½ / P_S) = (1/4)(2·½ log(¾) + 2·½ log(3/2)).
    const value = read(
      pktLoss(
        tf.tensor2d([
          [1, 0],
          [0, 1],
        ]),
        tf.tensor2d([[1], [2]]),
      ),
    );
    expect(value).toBeCloseTo((Math.log(0.75) + Math.log(1.5)) / 4, 5);
  });
});
