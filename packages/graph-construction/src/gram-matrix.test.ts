import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gramMatrix } from './gram-matrix';
import { randomMatrix } from './test-utils/float64-reference';

describe.each(['cpu', 'wasm'])('gramMatrix on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it('matches the stock transposed matMul and its gradient within 1e-5', () => {
    const x = tf.tensor2d(randomMatrix(5, 7, 51, -1, 1));
    const w = tf.tensor2d(randomMatrix(5, 5, 52, -1, 1));
    const ours = gramMatrix(x);
    const stock = tf.matMul(x, x, false, true);
    const maxDifference = (a: tf.Tensor, b: tf.Tensor) => {
      const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
      const value = d.dataSync()[0]!;
      d.dispose();
      return value;
    };
    expect(maxDifference(ours, stock)).toBeLessThan(1e-5);
    const gradOurs = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(gramMatrix(f as tf.Tensor2D), w)))(x);
    const gradStock = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.matMul(f, f, false, true), w)))(x);
    expect(maxDifference(gradOurs, gradStock)).toBeLessThan(1e-5);
    tf.dispose([x, w, ours, stock, gradOurs, gradStock]);
  });
});
