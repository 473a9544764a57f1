import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { labelSmoothness } from './label-smoothness';
import { randomMatrix, referenceLabelSmoothness } from './test-utils/float64-reference';

describe.each(['cpu', 'wasm'])('labelSmoothness on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  const read = (t: tf.Scalar) => {
    const value = t.dataSync()[0]!;
    t.dispose();
    return value;
  };

  it('equals the crossing edge weight on a hand-computed graph', () => {
    // Edges 0–1 (0.5, same class), 1–2 (0.25, different), 0–2 (1, different), symmetric:
    // Σ_ij A_ij [y_i ≠ y_j] = 2 · (0.25 + 1) = 2.5.
    const adjacency = tf.tensor2d([
      [0, 0.5, 1],
      [0.5, 0, 0.25],
      [1, 0.25, 0],
    ]);
    const labels = tf.tensor1d([0, 0, 1], 'int32');
    expect(read(labelSmoothness(adjacency, labels))).toBeCloseTo(2.5, 6);
    // Normalised: 2.5 / (2 · 1.75).
    expect(read(labelSmoothness(adjacency, labels, { normalized: true }))).toBeCloseTo(
      2.5 / 3.5,
      6,
    );
    tf.dispose([adjacency, labels]);
  });

  it('matches tr(Yᵀ(D − A)Y) computed in float64 on an asymmetric graph within 1e-4', () => {
    const a = randomMatrix(8, 8, 41);
    const labelValues = [0, 2, 1, 2, 0, 1, 1, 3];
    const adjacency = tf.tensor2d(a);
    const labels = tf.tensor1d(labelValues, 'int32');
    const expected = referenceLabelSmoothness(a, labelValues, 4);
    expect(Math.abs(read(labelSmoothness(adjacency, labels, 4)) - expected)).toBeLessThan(1e-4);
    tf.dispose([adjacency, labels]);
  });

  it('is 0 when every edge joins samples of one class, and 0 normalised on an empty graph', () => {
    const adjacency = tf.tensor2d([
      [0, 1, 0, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 2],
      [0, 0, 2, 0],
    ]);
    const labels = tf.tensor1d([1, 1, 0, 0], 'int32');
    expect(read(labelSmoothness(adjacency, labels))).toBe(0);
    const empty = tf.zeros([4, 4]) as tf.Tensor2D;
    expect(read(labelSmoothness(empty, labels, { normalized: true }))).toBe(0);
    tf.dispose([adjacency, labels, empty]);
  });

  it('has the gradient [y_i ≠ y_j] with respect to the adjacency, finite when normalised', () => {
    const adjacency = tf.tensor2d(randomMatrix(3, 3, 42));
    const labels = tf.tensor1d([0, 1, 0], 'int32');
    const gradient = tf.grad((a: tf.Tensor) => labelSmoothness(a as tf.Tensor2D, labels))(
      adjacency,
    );
    expect(gradient.arraySync()).toEqual([
      [0, 1, 0],
      [1, 0, 1],
      [0, 1, 0],
    ]);
    const empty = tf.zeros([3, 3]);
    const normalizedGradient = tf.grad((a: tf.Tensor) =>
      labelSmoothness(a as tf.Tensor2D, labels, { normalized: true }),
    )(empty);
    expect(Array.from(normalizedGradient.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([adjacency, labels, gradient, empty, normalizedGradient]);
  });

  it('leaks no tensor over 100 calls', () => {
    const adjacency = tf.tensor2d(randomMatrix(5, 5, 43));
    const labels = tf.tensor1d([0, 1, 0, 1, 2], 'int32');
    labelSmoothness(adjacency, labels).dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++)
      labelSmoothness(adjacency, labels, { normalized: true }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([adjacency, labels]);
  });

  it('rejects labels of the wrong length, labels >= numClasses and a bad numClasses', () => {
    const adjacency = tf.ones([3, 3]) as tf.Tensor2D;
    const short = tf.tensor1d([0, 1], 'int32');
    expect(() => labelSmoothness(adjacency, short)).toThrow(
      'labelSmoothness: labels has length 2 but the adjacency has 3 nodes',
    );
    const labels = tf.tensor1d([0, 1, 2], 'int32');
    expect(() => labelSmoothness(adjacency, labels, { numClasses: 2, checkFinite: true })).toThrow(
      'labelSmoothness: labels must be class indices < numClasses (2), received 2 at index 2',
    );
    expect(() => labelSmoothness(adjacency, labels, 0)).toThrow(
      'labelSmoothness: numClasses must be an integer >= 1, received 0',
    );
    tf.dispose([adjacency, short, labels]);
  });
});
