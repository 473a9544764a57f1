import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphStats } from './graph-stats';

describe.each(['cpu', 'wasm'])('graphStats on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it('reports hand-computed degree, sparsity and weight statistics', () => {
    const adjacency = tf.tensor2d([
      [0, 0.5, 0],
      [0.5, 0, -0.25],
      [0.25, -0.25, 1],
    ]);
    const stats = graphStats(adjacency);
    expect(stats.nodes).toBe(3);
    // Row sums 0.5, 0.25, 1.
    expect(stats.degree.min).toBeCloseTo(0.25, 7);
    expect(stats.degree.max).toBeCloseTo(1, 7);
    expect(stats.degree.mean).toBeCloseTo(1.75 / 3, 7);
    expect(stats.sparsity).toBeCloseTo(3 / 9, 12);
    expect(stats.weight.min).toBeCloseTo(-0.25, 7);
    expect(stats.weight.max).toBeCloseTo(0.5, 7);
    expect(stats.weight.mean).toBeCloseTo(0.75 / 6, 7);
    expect(stats.negativeFraction).toBeCloseTo(2 / 9, 12);
    expect(stats.isolatedNodes).toBe(0);
    expect(stats.selfLoops).toBe(1);
    expect(stats.asymmetry).toBeCloseTo(0.25, 7);
    adjacency.dispose();
  });

  it('counts isolated nodes and handles B = 1 without NaN', () => {
    const adjacency = tf.tensor2d([
      [0, 0],
      [0, 0],
    ]);
    const stats = graphStats(adjacency);
    expect(stats.isolatedNodes).toBe(2);
    expect(stats.sparsity).toBe(1);
    const single = tf.tensor2d([[0]]);
    expect(graphStats(single).weight).toEqual({ min: 0, mean: 0, max: 0 });
    tf.dispose([adjacency, single]);
  });

  it('allocates no tensor', () => {
    const adjacency = tf.ones([4, 4]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) graphStats(adjacency);
    expect(tf.memory().numTensors).toBe(before);
    adjacency.dispose();
  });

  it('rejects a non-square adjacency', () => {
    const adjacency = tf.ones([2, 3]) as tf.Tensor2D;
    expect(() => graphStats(adjacency)).toThrow(
      'graphStats: adjacency must be a square rank-2 tensor [B, B], received shape [2, 3]',
    );
    adjacency.dispose();
  });
});
