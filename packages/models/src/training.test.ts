import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FeatureModel } from './feature-model';
import { mlp } from './mlp';
import { resNetCifar } from './resnet-cifar';
import { smallCnn } from './small-cnn';
import { wideResNet } from './wide-resnet';

interface Case {
  label: string;
  make: () => FeatureModel;
  inputShape: [number, number, number];
  learningRate: number;
}

const cases: Case[] = [
  {
    label: 'WRN-10-0.25',
    make: () =>
      wideResNet({ depth: 10, width: 0.25, numClasses: 3, inputShape: [8, 8, 3], seed: 1 }),
    inputShape: [8, 8, 3],
    learningRate: 0.1,
  },
  {
    label: 'ResNet-8',
    make: () => resNetCifar({ depth: 8, numClasses: 3, inputShape: [4, 4, 3], seed: 2 }),
    inputShape: [4, 4, 3],
    learningRate: 0.1,
  },
  {
    label: 'small CNN',
    make: () => smallCnn({ channels: [4, 8], numClasses: 3, inputShape: [12, 12, 1], seed: 3 }),
    inputShape: [12, 12, 1],
    learningRate: 0.5,
  },
  {
    label: 'MLP',
    make: () => mlp({ hidden: [16, 8], numClasses: 3, inputShape: [6, 6, 1], seed: 4 }),
    inputShape: [6, 6, 1],
    learningRate: 0.5,
  },
];

const BATCH = 6;

function batch(shape: [number, number, number]): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => ({
    x: tf.randomNormal([BATCH, ...shape], 0, 1, 'float32', 11) as tf.Tensor4D,
    y: tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3) as tf.Tensor2D,
  }));
}

function crossEntropy(model: FeatureModel, x: tf.Tensor4D, y: tf.Tensor2D): tf.Scalar {
  const { logits } = model.apply(x, { training: true });
  return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
}

describe.each(cases)('$label training behaviour (cpu)', ({ make, inputShape, learningRate }) => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('reduces the cross-entropy of a tiny batch in 8 SGD steps by at least 30%', () => {
    const model = make();
    const { x, y } = batch(inputShape);
    const optimizer = tf.train.sgd(learningRate);
    const first = tf.tidy(() => crossEntropy(model, x, y).dataSync()[0] as number);
    for (let i = 0; i < 8; i++) {
      tf.dispose(
        optimizer.minimize(() => crossEntropy(model, x, y), false, model.trainableVariables()) ??
          [],
      );
    }
    const last = tf.tidy(() => crossEntropy(model, x, y).dataSync()[0] as number);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(0.7 * first);
    optimizer.dispose();
    tf.dispose([x, y]);
    model.dispose();
  });

  it('sends a nonzero gradient to every trainable weight when losses sit on the taps and the logits', () => {
    const model = make();
    const { x, y } = batch(inputShape);
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(x, { training: true });
      const tapLoss = model.featureNames
        .map((name) => tf.mean(tf.square(out.features[name] as tf.Tensor)))
        .reduce((a, b) => tf.add(a, b));
      return tf.add(tapLoss, tf.losses.softmaxCrossEntropy(y, out.logits)) as tf.Scalar;
    }, model.trainableVariables());
    for (const p of model.parameters.filter((q) => q.trainable)) {
      const g = grads[p.variable.name];
      expect(g, p.name).toBeDefined();
      const norm = tf.tidy(() => tf.norm(g as tf.Tensor).dataSync()[0] as number);
      expect(norm, p.name).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads), x, y]);
    model.dispose();
  });

  it('sends gradients from a loss on the first tap only to the layers before it', () => {
    const model = make();
    const { x } = batch(inputShape);
    const tap = model.featureNames[0] as string;
    const { value, grads } = tf.variableGrads(
      () =>
        tf.mean(
          tf.square(model.apply(x, { training: true }).features[tap] as tf.Tensor),
        ) as tf.Scalar,
      model.trainableVariables(),
    );
    const reached = model.parameters
      .filter((p) => grads[p.variable.name] !== undefined)
      .map((p) => p.name);
    expect(reached.length).toBeGreaterThan(0);
    expect(reached.some((n) => n.startsWith('fc/'))).toBe(false);
    tf.dispose([value, ...Object.values(grads), x]);
    model.dispose();
  });

  it('keeps tf.memory().numTensors flat over 10 forward/backward passes', () => {
    const model = make();
    const { x, y } = batch(inputShape);
    const step = () => {
      const { value, grads } = tf.variableGrads(
        () => crossEntropy(model, x, y),
        model.trainableVariables(),
      );
      tf.dispose([value, ...Object.values(grads)]);
      const out = model.apply(x);
      tf.dispose([out.logits, ...Object.values(out.features)]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('does not change any variable in inference mode', () => {
    const model = make();
    const { x, y } = batch(inputShape);
    const before = model.parameters.map((p) => Array.from(p.variable.dataSync()));
    tf.tidy(() => {
      model.apply(x, { training: false });
      model.apply(x);
    });
    model.parameters.forEach((p, i) => {
      expect(Array.from(p.variable.dataSync()), p.name).toEqual(before[i]);
    });
    tf.dispose([x, y]);
    model.dispose();
  });
});

describe('batch norm moving statistics (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  /** float64 per-channel mean and unbiased variance of an NHWC array. */
  function channelStats(
    values: Float32Array,
    channels: number,
  ): { mean: number[]; variance: number[] } {
    const n = values.length / channels;
    const mean = new Array<number>(channels).fill(0);
    const sq = new Array<number>(channels).fill(0);
    values.forEach((v, i) => {
      mean[i % channels] = (mean[i % channels] as number) + v;
    });
    for (let c = 0; c < channels; c++) mean[c] = (mean[c] as number) / n;
    values.forEach((v, i) => {
      const d = v - (mean[i % channels] as number);
      sq[i % channels] = (sq[i % channels] as number) + d * d;
    });
    return { mean, variance: sq.map((s) => s / (n - 1)) };
  }

  it('moves the moving mean and variance by momentum 0.9 toward the batch statistics in training (tolerance 1e-5)', () => {
    const model = smallCnn({ channels: [4], numClasses: 2, inputShape: [6, 6, 2], seed: 9 });
    const x = tf.randomNormal([5, 6, 6, 2], 1, 2, 'float32', 4) as tf.Tensor4D;
    const kernel = model.parameters.find((p) => p.name === 'block1/conv/kernel')
      ?.variable as tf.Tensor4D;
    // Batch norm sees the stride-1 conv output (the block pools after it).
    const conv = tf.conv2d(x, kernel, 1, 1);
    const stats = channelStats(conv.dataSync() as Float32Array, 4);
    const { value, grads } = tf.variableGrads(() => {
      const out = model.apply(x, { training: true });
      return tf.sum(out.logits) as tf.Scalar;
    }, model.trainableVariables());
    const mm = model.parameters
      .find((p) => p.name === 'block1/bn/moving_mean')
      ?.variable.dataSync();
    const mv = model.parameters
      .find((p) => p.name === 'block1/bn/moving_variance')
      ?.variable.dataSync();
    for (let c = 0; c < 4; c++) {
      expect(Math.abs((mm?.[c] as number) - 0.1 * (stats.mean[c] as number))).toBeLessThan(1e-5);
      expect(
        Math.abs((mv?.[c] as number) - (0.9 + 0.1 * (stats.variance[c] as number))),
      ).toBeLessThan(1e-5);
    }
    tf.dispose([value, ...Object.values(grads), x, conv]);
    model.dispose();
  });

  it('normalises with the moving statistics in inference mode (tolerance 1e-4)', () => {
    const model = smallCnn({ channels: [3], numClasses: 2, inputShape: [4, 4, 1], seed: 8 });
    const param = (name: string) =>
      model.parameters.find((p) => p.name === name)?.variable as tf.Variable;
    param('block1/bn/moving_mean').assign(tf.tensor1d([0.5, -1, 2]));
    param('block1/bn/moving_variance').assign(tf.tensor1d([4, 0.25, 1]));
    param('block1/bn/gamma').assign(tf.tensor1d([2, 1, -1]));
    param('block1/bn/beta').assign(tf.tensor1d([0, 1, 0.5]));
    const x = tf.randomNormal([2, 4, 4, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
    const conv = tf.conv2d(x, param('block1/conv/kernel') as tf.Tensor4D, 1, 1).dataSync();
    const out = model.apply(x, { training: false });
    const got = out.features.block1?.dataSync() as Float32Array;
    const mean = [0.5, -1, 2];
    const variance = [4, 0.25, 1];
    const gamma = [2, 1, -1];
    const beta = [0, 1, 0.5];
    // relu(bn(conv)) on the [2, 4, 4, 3] conv output; block1 is its 2×2 max pool, [2, 2, 2, 3].
    const activated = Array.from(conv, (v, i) => {
      const c = i % 3;
      const bn =
        ((v - (mean[c] as number)) / Math.sqrt((variance[c] as number) + 1e-5)) *
          (gamma[c] as number) +
        (beta[c] as number);
      return Math.max(0, bn);
    });
    expect(got.length).toBe(2 * 2 * 2 * 3);
    got.forEach((v, i) => {
      const c = i % 3;
      const ox = Math.floor(i / 3) % 2;
      const oy = Math.floor(i / 6) % 2;
      const n = Math.floor(i / 12);
      let pooled = Number.NEGATIVE_INFINITY;
      for (const dy of [0, 1])
        for (const dx of [0, 1])
          pooled = Math.max(
            pooled,
            activated[((n * 4 + 2 * oy + dy) * 4 + 2 * ox + dx) * 3 + c] as number,
          );
      expect(Math.abs(v - pooled)).toBeLessThan(1e-4);
    });
    tf.dispose([x, out.logits, ...Object.values(out.features)]);
    model.dispose();
  });
});

describe('gradients against finite differences (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('matches central differences for every trainable variable of a tiny small CNN in training mode (relative 2e-2)', () => {
    const model = smallCnn({ channels: [2, 3], numClasses: 2, inputShape: [4, 4, 1], seed: 8 });
    const x = tf.randomNormal([3, 4, 4, 1], 0, 1, 'float32', 9) as tf.Tensor4D;
    const w = tf.tensor2d([
      [1, -2],
      [0.5, 3],
      [-1, 1],
    ]);
    const loss = () => tf.sum(tf.mul(model.apply(x, { training: true }).logits, w)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(loss, model.trainableVariables());
    // A small step: ReLU and max-pool make the loss piecewise smooth, and a step of 1e-2 can
    // cross a kink (it did for block1/bn/gamma once the initial weights came from core's generator).
    const h = 1e-3;
    for (const p of model.parameters.filter((q) => q.trainable)) {
      const analytic = (grads[p.variable.name] as tf.Tensor).dataSync();
      const original = p.variable.dataSync().slice();
      // the first and the largest-gradient entry of each variable
      let index = 0;
      analytic.forEach((g, i) => {
        if (Math.abs(g) > Math.abs(analytic[index] as number)) index = i;
      });
      for (const i of new Set([0, index])) {
        const at = (delta: number) => {
          const values = original.slice();
          values[i] = (values[i] as number) + delta;
          tf.tidy(() => p.variable.assign(tf.tensor(values, p.variable.shape)));
          return tf.tidy(() => loss().dataSync()[0] as number);
        };
        const numeric = (at(h) - at(-h)) / (2 * h);
        tf.tidy(() => p.variable.assign(tf.tensor(original, p.variable.shape)));
        const g = analytic[i] as number;
        expect(Math.abs(numeric - g), `${p.name}[${i}]`).toBeLessThan(
          2e-2 * Math.max(1, Math.abs(g)),
        );
      }
    }
    tf.dispose([value, ...Object.values(grads), x, w]);
    model.dispose();
  });
});
