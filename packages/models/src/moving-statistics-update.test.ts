import { countDispatchingKernels } from '@geokd/backend';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH_NORM_MOMENTUM,
  type BatchStatistics,
  batchMovingStatistics,
  queueMovingStatistics,
  updateMovingStatistics,
} from './moving-statistics-update';
import { createModel } from './registry';
import { SeededRandom } from './seeded-random';

function draws(seed: number, count: number, scale: number): Float32Array {
  const random = new SeededRandom(seed);
  return Float32Array.from({ length: count }, () => scale * random.nextNormal());
}

/** The update as it was written before batching: per layer and per statistic. */
function perLayerReference(entry: BatchStatistics): void {
  const keep = BATCH_NORM_MOMENTUM;
  const correction = entry.count > 1 ? entry.count / (entry.count - 1) : 1;
  const keepFinite = (updated: tf.Tensor, previous: tf.Tensor) =>
    tf.where(tf.equal(tf.sub(updated, updated), 0), updated, previous);
  tf.tidy(() => {
    entry.movingMean.assign(
      keepFinite(
        tf.add(tf.mul(entry.movingMean, keep), tf.mul(entry.mean, 1 - keep)),
        entry.movingMean,
      ),
    );
    entry.movingVariance.assign(
      keepFinite(
        tf.add(tf.mul(entry.movingVariance, keep), tf.mul(entry.variance, (1 - keep) * correction)),
        entry.movingVariance,
      ),
    );
  });
}

/** Three layers of 3, 5 and 2 channels with random moving and batch statistics. */
function makeLayers(seed: number): BatchStatistics[] {
  return [3, 5, 2].map((channels, i) => ({
    movingMean: tf.variable(tf.tensor1d(draws(seed + 10 * i, channels, 1)), false),
    movingVariance: tf.variable(
      tf.abs(tf.tensor1d(draws(seed + 10 * i + 1, channels, 2))) as tf.Tensor1D,
      false,
    ),
    mean: tf.tensor1d(draws(seed + 10 * i + 2, channels, 3)),
    variance: tf.abs(tf.tensor1d(draws(seed + 10 * i + 3, channels, 4))),
    count: [2, 50, 7][i] as number,
  }));
}

function bits(tensor: tf.Tensor): number[] {
  return Array.from(new Uint32Array((tensor.dataSync() as Float32Array).slice().buffer));
}

function disposeLayers(layers: BatchStatistics[]): void {
  for (const l of layers) tf.dispose([l.movingMean, l.movingVariance, l.mean, l.variance]);
}

describe.each(['cpu', 'wasm'])('updateMovingStatistics on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it('gives every layer the bits of the per-layer update, non-finite guard included', () => {
    const batched = makeLayers(1);
    const reference = makeLayers(1);
    // Non-finite batch statistics in some channels: an infinite mean, a NaN variance, and a
    // finite variance whose update overflows float32.
    for (const layers of [batched, reference]) {
      tf.dispose([layers[1]!.mean, layers[2]!.variance]);
      layers[1]!.mean = tf.tensor1d([1, Number.POSITIVE_INFINITY, -2, 0.5, 3]);
      layers[2]!.variance = tf.tensor1d([Number.NaN, 3.3e38 * 10]);
      layers[0]!.variance.dispose();
      layers[0]!.variance = tf.tensor1d([1, 3e38, 2]);
    }
    updateMovingStatistics(batched);
    for (const entry of reference) perLayerReference(entry);
    batched.forEach((entry, i) => {
      expect(bits(entry.movingMean)).toEqual(bits(reference[i]!.movingMean));
      expect(bits(entry.movingVariance)).toEqual(bits(reference[i]!.movingVariance));
      expect(Array.from(entry.movingVariance.dataSync()).every(Number.isFinite)).toBe(true);
    });
    // The guarded channels kept their previous values; the others moved.
    const previous = makeLayers(1);
    expect(batched[1]!.movingMean.dataSync()[1]).toBe(previous[1]!.movingMean.dataSync()[1]);
    expect(batched[1]!.movingMean.dataSync()[0]).not.toBe(previous[1]!.movingMean.dataSync()[0]);
    expect(batched[2]!.movingVariance.dataSync()[0]).toBe(
      previous[2]!.movingVariance.dataSync()[0],
    );
    // Variance 3e38 of layer 0 (count 2: weight 0.2) stays finite: 0.9·v + 6e37.
    expect(batched[0]!.movingVariance.dataSync()[1]).not.toBe(
      previous[0]!.movingVariance.dataSync()[1],
    );
    for (const layers of [batched, reference, previous]) disposeLayers(layers);
  });

  it('defers the updates to the end of batchMovingStatistics and leaks nothing', () => {
    const layers = makeLayers(2);
    const reference = makeLayers(2);
    const before = tf.memory().numTensors;
    tf.tidy(() =>
      batchMovingStatistics(() => {
        for (const entry of layers) queueMovingStatistics(entry);
        // Not yet updated inside the pass.
        expect(bits(layers[0]!.movingMean)).toEqual(bits(reference[0]!.movingMean));
      }),
    );
    expect(tf.memory().numTensors).toBe(before);
    for (const entry of reference) perLayerReference(entry);
    layers.forEach((entry, i) => {
      expect(bits(entry.movingMean)).toEqual(bits(reference[i]!.movingMean));
      expect(bits(entry.movingVariance)).toEqual(bits(reference[i]!.movingVariance));
    });
    // Outside any pass, an update is applied at once.
    queueMovingStatistics(layers[0]!);
    perLayerReference(reference[0]!);
    expect(bits(layers[0]!.movingMean)).toEqual(bits(reference[0]!.movingMean));
    disposeLayers(layers);
    disposeLayers(reference);
  });

  it('drops the deferred updates of a pass that throws, and defers nothing afterwards', () => {
    const layers = makeLayers(3);
    const reference = makeLayers(3);
    expect(() =>
      tf.tidy(() =>
        batchMovingStatistics(() => {
          queueMovingStatistics(layers[0]!);
          throw new Error('forward failed');
        }),
      ),
    ).toThrow('forward failed');
    expect(bits(layers[0]!.movingMean)).toEqual(bits(reference[0]!.movingMean));
    queueMovingStatistics(layers[0]!);
    perLayerReference(reference[0]!);
    expect(bits(layers[0]!.movingMean)).toEqual(bits(reference[0]!.movingMean));
    disposeLayers(layers);
    disposeLayers(reference);
  });
});

describe('dispatching kernels of a WRN-16-1 training pass (cpu, batch 2)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  // Counted with countDispatchingKernels (all kernels but Identity, Reshape and same-dtype
  // Cast). Before the batched moving statistics (each of the 15 batch-norm layers updating its
  // two statistics with 12 kernels of its own): forward 352, forward + backward 615. After: 210
  // and 473 (12 kernels per layer less, 8 for the batched update of all layers plus a slice
  // per statistic). A change that adds kernels to the training pass fails here. The count does
  // not depend on the image size: 8×8 images keep the cpu backward pass short.
  it('forward in training mode: at most 210 kernels (was 352)', async () => {
    const model = createModel('wrn-16-1');
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const { total } = await countDispatchingKernels(() => {
      tf.tidy(() => {
        model.apply(x, { training: true });
      });
    });
    expect(total).toBeLessThanOrEqual(210);
    x.dispose();
    model.dispose();
  });

  it('forward and backward: at most 473 kernels (was 615)', async () => {
    const model = createModel('wrn-16-1');
    const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const { total } = await countDispatchingKernels(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(model.apply(x, { training: true }).logits) as tf.Scalar,
        model.trainableVariables(),
      );
      tf.dispose([value, ...Object.values(grads)]);
    });
    expect(total).toBeLessThanOrEqual(473);
    x.dispose();
    model.dispose();
  });
});
