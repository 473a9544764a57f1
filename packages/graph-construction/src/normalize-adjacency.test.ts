import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeAdjacency } from './normalize-adjacency';

describe.each(['cpu', 'wasm'])('normalizeAdjacency on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  const a = [
    [0, 1, 3],
    [1, 0, 0],
    [3, 0, 0],
  ];

  it('divides A_ij by sqrt(d_i d_j) (symmetric), by d_i (random-walk), or keeps A (none)', () => {
    // Degrees 4, 1, 3.
    const adjacency = tf.tensor2d(a);
    const symmetric = normalizeAdjacency(adjacency, 'symmetric');
    const expectedSymmetric = [
      [0, 1 / 2, 3 / Math.sqrt(12)],
      [1 / 2, 0, 0],
      [3 / Math.sqrt(12), 0, 0],
    ];
    symmetric
      .arraySync()
      .flat()
      .forEach((v, i) => {
        expect(v).toBeCloseTo(expectedSymmetric.flat()[i]!, 6);
      });
    const walk = normalizeAdjacency(adjacency, 'random-walk');
    const expectedWalk = [
      [0, 1 / 4, 3 / 4],
      [1, 0, 0],
      [1, 0, 0],
    ];
    walk
      .arraySync()
      .flat()
      .forEach((v, i) => {
        expect(v).toBeCloseTo(expectedWalk.flat()[i]!, 6);
      });
    const none = normalizeAdjacency(adjacency, 'none');
    expect(none.arraySync()).toEqual(a);
    tf.dispose([adjacency, symmetric, walk, none]);
  });

  it('rejects an unknown normalisation', () => {
    const adjacency = tf.tensor2d(a);
    expect(() => normalizeAdjacency(adjacency, 'sym' as 'symmetric')).toThrow(
      "normalizeAdjacency: normalization must be one of 'symmetric', 'random-walk', 'none', received 'sym'",
    );
    adjacency.dispose();
  });
});
