import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphPower } from './graph-power';
import {
  type Matrix,
  maxAbsDifference,
  randomMatrix,
  referencePower,
} from './test-utils/float64-reference';

describe.each(['cpu', 'wasm'])('graphPower on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it('matches p − 1 float64 products for p = 1…7 within 1e-5', () => {
    const a = randomMatrix(6, 6, 31, 0, 0.4);
    const adjacency = tf.tensor2d(a);
    for (let p = 1; p <= 7; p++) {
      const power = graphPower(adjacency, p);
      expect(maxAbsDifference(power.dataSync(), referencePower(a, p))).toBeLessThan(1e-5);
      power.dispose();
    }
    adjacency.dispose();
  });

  it('returns a copy for p = 1 that survives disposing the input', () => {
    const adjacency = tf.tensor2d([
      [0, 1],
      [1, 0],
    ]);
    const power = graphPower(adjacency, 1);
    adjacency.dispose();
    expect(power.arraySync()).toEqual([
      [0, 1],
      [1, 0],
    ]);
    power.dispose();
  });

  it('has the gradient of float64 central differences (h = 1e-6) within 1e-3 relative, p = 3', () => {
    const a = randomMatrix(4, 4, 32, 0, 0.5);
    const weights = randomMatrix(4, 4, 33, -1, 1);
    const loss = (m: Matrix) =>
      referencePower(m, 3)
        .flat()
        .reduce((s, v, i) => s + v * weights.flat()[i]!, 0);
    const expected: number[] = [];
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const plus = a.map((r) => [...r]);
        const minus = a.map((r) => [...r]);
        plus[i]![j]! += 1e-6;
        minus[i]![j]! -= 1e-6;
        expected.push((loss(plus) - loss(minus)) / 2e-6);
      }
    }
    const adjacency = tf.tensor2d(a);
    const w = tf.tensor2d(weights);
    const gradient = tf.grad((m: tf.Tensor) => tf.sum(tf.mul(graphPower(m as tf.Tensor2D, 3), w)))(
      adjacency,
    );
    const scale = Math.max(...expected.map(Math.abs));
    const actual = gradient.dataSync();
    for (let i = 0; i < 16; i++)
      expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-3 * scale);
    tf.dispose([adjacency, w, gradient]);
  });

  it('leaks no tensor over 100 calls', () => {
    const adjacency = tf.tensor2d(randomMatrix(5, 5, 34));
    graphPower(adjacency, 5).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) graphPower(adjacency, 5).dispose();
    expect(tf.memory().numTensors).toBe(before);
    adjacency.dispose();
  });

  it('rejects p < 1, a non-integer p and a non-square adjacency', () => {
    const adjacency = tf.ones([2, 2]) as tf.Tensor2D;
    expect(() => graphPower(adjacency, 0)).toThrow(
      'graphPower: p must be an integer >= 1, received 0',
    );
    expect(() => graphPower(adjacency, 2.5)).toThrow(
      'graphPower: p must be an integer >= 1, received 2.5',
    );
    const cube = tf.ones([2, 2, 2]);
    expect(() => graphPower(cube as unknown as tf.Tensor2D, 2)).toThrow(
      'graphPower: adjacency must be a square rank-2 tensor [B, B], received shape [2, 2, 2]',
    );
    tf.dispose([adjacency, cube]);
  });
});
