import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { similarityPreservingLoss } from './similarity-preserving-loss';
import { BACKENDS, read, useBackend } from './test-utils/backends';
import { pairLossChecks } from './test-utils/pair-loss-suite';
import { similarityPreservingReference } from './test-utils/reference';

describe.each(BACKENDS)('similarityPreservingLoss on %s', (backend) => {
  useBackend(backend);
  pairLossChecks(
    'similarityPreservingLoss',
    similarityPreservingLoss,
    similarityPreservingReference,
  );

  it('matches a hand-computed value on orthogonal against parallel rows', () => {
    // Student rows e1, e2: G = I, rows already unit. Teacher rows (1), (1): G = [[1,1],[1,1]],
    // rows normalised to 1/√2. ‖G_S − G_T‖² = 2(1 − 1/√2)² + 2(1/√2)², divided by B² = 4.
    const value = read(
      similarityPreservingLoss(
        tf.tensor2d([
          [1, 0],
          [0, 1],
        ]),
        tf.tensor2d([[1], [1]]),
      ),
    );
    expect(value).toBeCloseTo((2 * (1 - Math.SQRT1_2) ** 2 + 2 * 0.5) / 4, 6);
  });
});
