import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { countParameters } from './count-parameters';
import { mlp } from './mlp';

describe('mlp', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('counts (in + 1)·out per layer: 784·256+256 + 256·128+128 + 128·10+10 for the defaults', () => {
    const model = mlp();
    const expected = 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;
    expect(countParameters(model)).toEqual({ trainable: expected, total: expected });
    model.dispose();
  });

  it('computes relu(x·W + b) per layer, equal to a float64 reference within 1e-5', () => {
    const model = mlp({ hidden: [3], numClasses: 2, inputShape: [2, 1, 1], seed: 7 });
    const p = (name: string) =>
      Array.from(model.parameters.find((q) => q.name === name)?.variable.dataSync() ?? []);
    const [w1, b1, w2, b2] = [p('hidden1/kernel'), p('hidden1/bias'), p('fc/kernel'), p('fc/bias')];
    const input = [0.5, -2];
    const hidden = [0, 1, 2].map((j) =>
      Math.max(
        0,
        (input[0] as number) * (w1[j] as number) +
          (input[1] as number) * (w1[3 + j] as number) +
          (b1[j] as number),
      ),
    );
    const logits = [0, 1].map(
      (k) => hidden.reduce((s, h, j) => s + h * (w2[j * 2 + k] as number), 0) + (b2[k] as number),
    );
    const x = tf.tensor4d(input, [1, 2, 1, 1]);
    const out = model.apply(x);
    const gotHidden = Array.from(out.features.hidden1?.dataSync() ?? []);
    const gotLogits = Array.from(out.logits.dataSync());
    hidden.forEach((h, j) => {
      expect(Math.abs((gotHidden[j] as number) - h)).toBeLessThan(1e-5);
    });
    logits.forEach((l, k) => {
      expect(Math.abs((gotLogits[k] as number) - l)).toBeLessThan(1e-5);
    });
    tf.dispose([x, out.logits, ...Object.values(out.features)]);
    model.dispose();
  });

  it('rejects an input whose height or width differs from the input shape', () => {
    const model = mlp({ hidden: [4] });
    const x = tf.zeros([1, 14, 14, 1]) as tf.Tensor4D;
    expect(() => model.apply(x)).toThrow(
      'mlp-4.apply: x must be height 28 and width 28, received shape [1, 14, 14, 1]',
    );
    x.dispose();
    model.dispose();
  });

  it('rejects use after dispose', () => {
    const model = mlp({ hidden: [4] });
    model.dispose();
    const x = tf.zeros([1, 28, 28, 1]) as tf.Tensor4D;
    expect(() => model.apply(x)).toThrow(
      'mlp-4.apply: this must be a model that has not been disposed',
    );
    x.dispose();
  });
});
