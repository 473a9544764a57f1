import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BATCH_NORM_EPSILON, BATCH_NORM_MOMENTUM, BatchNormLayer } from './batch-norm-layer';
import { ParameterBuilder } from './parameter-builder';
import { SeededRandom } from './seeded-random';

const SHAPE = [4, 3, 3, 5] as const;
const CHANNELS = SHAPE[3];
const SIZE = SHAPE.reduce((a, b) => a * b, 1);

/** Float32-representable test data, so the float64 reference sees exactly what tfjs sees. */
function draws(seed: number, count: number, mean: number, std: number): Float32Array {
  const random = new SeededRandom(seed);
  return Float32Array.from({ length: count }, () => mean + std * random.nextNormal());
}

// Channels get different means and spreads so that centring and scaling both matter.
const X = draws(1, SIZE, 0, 1).map((v, i) => 0.5 * (i % CHANNELS) - 1 + v * (1 + (i % 3)));
const GAMMA = draws(2, CHANNELS, 1, 0.5);
const BETA = draws(3, CHANNELS, 0, 0.5);
const R = draws(4, SIZE, 0, 1);

/** Biased mean and variance per channel (last axis), in float64. */
function referenceMoments(x: ArrayLike<number>, channels: number) {
  const n = x.length / channels;
  const mean = new Float64Array(channels);
  const variance = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) mean[i % channels] += (x[i] as number) / n;
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] as number) - (mean[i % channels] as number);
    variance[i % channels] += (d * d) / n;
  }
  return { mean, variance, n };
}

/** The training-mode forward pass by hand, in float64. */
function referenceForward(
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
): Float64Array {
  const channels = gamma.length;
  const { mean, variance } = referenceMoments(x, channels);
  return Float64Array.from({ length: x.length }, (_, i) => {
    const c = i % channels;
    const xHat =
      ((x[i] as number) - (mean[c] as number)) /
      Math.sqrt((variance[c] as number) + BATCH_NORM_EPSILON);
    return (gamma[c] as number) * xHat + (beta[c] as number);
  });
}

/** The scalar loss Σ y·R in float64. */
function referenceLoss(x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>) {
  const y = referenceForward(x, gamma, beta);
  return y.reduce((sum, v, i) => sum + v * (R[i] as number), 0);
}

/** Central finite differences of the float64 loss with respect to one argument. */
function finiteDifferences(which: 0 | 1 | 2): Float64Array {
  const args = [Float64Array.from(X), Float64Array.from(GAMMA), Float64Array.from(BETA)] as const;
  const target = args[which];
  const h = 1e-5;
  return Float64Array.from({ length: target.length }, (_, i) => {
    const saved = target[i] as number;
    target[i] = saved + h;
    const up = referenceLoss(...args);
    target[i] = saved - h;
    const down = referenceLoss(...args);
    target[i] = saved;
    return (up - down) / (2 * h);
  });
}

/** The previous plain-op formulation (moments, rsqrt, mul, sub, add), differentiated by tfjs. */
function plainOpBatchNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON)));
  const shift = tf.sub(beta, tf.mul(mean, scale));
  return tf.add(tf.mul(x, scale), shift);
}

function makeLayer(channels: number = CHANNELS): BatchNormLayer {
  const layer = new BatchNormLayer(new ParameterBuilder(7, 'bn-test'), 'bn', channels);
  if (channels === CHANNELS) {
    tf.tidy(() => {
      layer.gamma.assign(tf.tensor1d(GAMMA));
      layer.beta.assign(tf.tensor1d(BETA));
    });
  }
  return layer;
}

function disposeLayer(layer: BatchNormLayer): void {
  tf.dispose([layer.gamma, layer.beta, layer.movingMean, layer.movingVariance]);
}

/** Gradients of Σ y·R with respect to x, γ and β through the layer in training mode. */
function layerGradients(layer: BatchNormLayer, x: tf.Variable, r: tf.Tensor): Float32Array[] {
  const { value, grads } = tf.variableGrads(
    () => tf.sum(tf.mul(layer.apply(x, true), r)) as tf.Scalar,
    [x, layer.gamma, layer.beta],
  );
  const out = [x, layer.gamma, layer.beta].map((v) => grads[v.name]?.dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/** Largest |a − b| over the largest |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs((a[i] as number) - (b[i] as number)));
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return diff / scale;
}

describe.each(['cpu', 'wasm'])('BatchNormLayer on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it('normalises like the float64 reference in training mode (within 1e-5 relative)', () => {
    const layer = makeLayer();
    const x = tf.tensor4d(X, [...SHAPE]);
    const got = tf.tidy(() => layer.apply(x, true).dataSync().slice());
    // float32 rounding of O(1) values through ~6 ops: measured ~1e-7; 1e-5 leaves a margin.
    expect(relativeError(got, referenceForward(X, GAMMA, BETA))).toBeLessThan(1e-5);
    tf.dispose(x);
    disposeLayer(layer);
  });

  it('updates the moving statistics with the unbiased batch variance after one training call', () => {
    const layer = makeLayer();
    const x = tf.tensor4d(X, [...SHAPE]);
    tf.tidy(() => {
      layer.apply(x, true);
    });
    const { mean, variance, n } = referenceMoments(X, CHANNELS);
    const fresh = 1 - BATCH_NORM_MOMENTUM;
    const expectedMean = Array.from(mean, (m) => fresh * m);
    const expectedVariance = Array.from(
      variance,
      (v) => BATCH_NORM_MOMENTUM + fresh * v * (n / (n - 1)),
    );
    expect(relativeError(layer.movingMean.dataSync(), expectedMean)).toBeLessThan(1e-5);
    expect(relativeError(layer.movingVariance.dataSync(), expectedVariance)).toBeLessThan(1e-5);
    tf.dispose(x);
    disposeLayer(layer);
  });

  it('keeps the previous moving statistics of a channel whose batch statistics overflow', () => {
    const layer = makeLayer();
    const first = tf.tensor4d(X, [...SHAPE]);
    tf.tidy(() => {
      layer.apply(first, true);
    });
    const meanBefore = Array.from(layer.movingMean.dataSync());
    const varianceBefore = Array.from(layer.movingVariance.dataSync());
    // Channel 1 holds Infinity (as activations do after a weight overflow), channel 2 huge
    // finite values whose variance overflows; the other channels stay ordinary.
    const values = Float32Array.from(X, (v, i) =>
      i % CHANNELS === 1
        ? Number.POSITIVE_INFINITY
        : i % CHANNELS === 2
          ? i % 2
            ? 3e38
            : -3e38
          : v,
    );
    const x = tf.tensor4d(values, [...SHAPE]);
    tf.tidy(() => {
      layer.apply(x, true);
    });
    const mean = Array.from(layer.movingMean.dataSync());
    const variance = Array.from(layer.movingVariance.dataSync());
    expect(mean.every(Number.isFinite) && variance.every(Number.isFinite)).toBe(true);
    expect(mean[1]).toBe(meanBefore[1]);
    expect(variance[1]).toBe(varianceBefore[1]);
    expect(variance[2]).toBe(varianceBefore[2]);
    // Ordinary channels are still updated.
    expect(mean[0]).not.toBe(meanBefore[0]);
    tf.dispose([first, x]);
    disposeLayer(layer);
  });

  it('has gradients for x, γ and β equal to float64 central differences (within 1e-5 relative)', () => {
    const layer = makeLayer();
    const x = tf.variable(tf.tensor4d(X, [...SHAPE]), true);
    const r = tf.tensor4d(R, [...SHAPE]);
    const [dx, dGamma, dBeta] = layerGradients(layer, x, r);
    // The differences of the float64 loss are exact to ~1e-9 (h = 1e-5: truncation O(h²),
    // rounding O(1e-16/h)); the rest is float32 rounding in tfjs, measured ≤ 2e-7 of the largest
    // entry on cpu and wasm, so 1e-5 leaves a 50× margin.
    expect(relativeError(dx as Float32Array, finiteDifferences(0))).toBeLessThan(1e-5);
    expect(relativeError(dGamma as Float32Array, finiteDifferences(1))).toBeLessThan(1e-5);
    expect(relativeError(dBeta as Float32Array, finiteDifferences(2))).toBeLessThan(1e-5);
    tf.dispose([x, r]);
    disposeLayer(layer);
  });

  it('has gradients equal to autodiff through the plain-op formulation (within 1e-5 relative)', () => {
    const layer = makeLayer();
    const x = tf.variable(tf.tensor4d(X, [...SHAPE]), true);
    const r = tf.tensor4d(R, [...SHAPE]);
    const got = layerGradients(layer, x, r);
    const gamma = tf.tensor1d(GAMMA);
    const beta = tf.tensor1d(BETA);
    const expected = tf.grads((a, g, b) =>
      tf.sum(tf.mul(plainOpBatchNorm(a as tf.Tensor, g as tf.Tensor, b as tf.Tensor), r)),
    )([x, gamma, beta]);
    expected.forEach((e, i) => {
      expect(relativeError(got[i] as Float32Array, e.dataSync())).toBeLessThan(1e-5);
    });
    tf.dispose([x, r, gamma, beta, ...expected]);
    disposeLayer(layer);
  });

  it('gives finite outputs and gradients for one element per channel (batch 1, 1×1)', () => {
    const layer = makeLayer(3);
    const x = tf.variable(tf.tensor4d([0.5, -2, 7], [1, 1, 1, 3]), true);
    const r = tf.tensor4d([1, -1, 2], [1, 1, 1, 3]);
    const y = tf.tidy(() => layer.apply(x, true).dataSync().slice());
    const grads = layerGradients(layer, x, r);
    // x − μ is 0, so y = β = 0, dγ = 0 and dx = s·(dy − dy) = 0; dβ = dy.
    expect(Array.from(y)).toEqual([0, 0, 0]);
    expect(Array.from(grads[0] as Float32Array)).toEqual([0, 0, 0]);
    expect(Array.from(grads[1] as Float32Array)).toEqual([0, 0, 0]);
    expect(Array.from(grads[2] as Float32Array)).toEqual([1, -1, 2]);
    expect(Array.from(layer.movingVariance.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, r]);
    disposeLayer(layer);
  });

  it('leaks no tensor across 50 forward and backward passes', () => {
    const layer = makeLayer();
    const x = tf.variable(tf.tensor4d(X, [...SHAPE]), true);
    const r = tf.tensor4d(R, [...SHAPE]);
    layerGradients(layer, x, r);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) layerGradients(layer, x, r);
    expect(tf.memory().numTensors).toBe(before);
    // Inference mode and a training call outside any gradient tape save nothing either.
    tf.tidy(() => {
      layer.apply(x, false);
      layer.apply(x, true);
    });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, r]);
    disposeLayer(layer);
  });
});
