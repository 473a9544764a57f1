import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDataset } from './dataset';

/** 5 images 3×3×2 with pixel value byte = 10*i + position (channel 0) and 200 + i (channel 1). */
function tinyDataset() {
  const images = new Uint8Array(5 * 18);
  for (let i = 0; i < 5; i++)
    for (let p = 0; p < 9; p++) {
      images[i * 18 + p * 2] = 10 * i + p;
      images[i * 18 + p * 2 + 1] = 200 + i;
    }
  return createDataset({
    images,
    labels: Int32Array.from([0, 1, 2, 0, 1]),
    shape: [3, 3, 2],
    numClasses: 3,
    normalization: { mean: [0.5, 0.25], std: [0.5, 0.125] },
    defaultAugmentation: { padding: 1, horizontalFlip: true },
  });
}

describe.each(['cpu', 'wasm'])('Dataset.batches on the %s backend', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });

  it('yields float32 NHWC images scaled to [0, 1] and int32 labels, in order (tolerance 1e-6)', () => {
    const data = tinyDataset();
    const batches = [...data.batches({ batchSize: 2 })];
    expect(batches.map((b) => b.x.shape)).toEqual([
      [2, 3, 3, 2],
      [2, 3, 3, 2],
      [1, 3, 3, 2],
    ]);
    expect(batches[0]?.x.dtype).toBe('float32');
    expect(batches[0]?.y.dtype).toBe('int32');
    const x = batches[2]?.x.dataSync() as Float32Array;
    expect(x[0]).toBeCloseTo(40 / 255, 6);
    expect(x[1]).toBeCloseTo(204 / 255, 6);
    expect(x[16]).toBeCloseTo(48 / 255, 6);
    expect([...(batches[1]?.y.dataSync() ?? [])]).toEqual([2, 0]);
    for (const b of batches) tf.dispose([b.x, b.y]);
  });

  it('drops the incomplete last batch when asked', () => {
    const batches = [...tinyDataset().batches({ batchSize: 2, dropLast: true })];
    expect(batches.length).toBe(2);
    for (const b of batches) tf.dispose([b.x, b.y]);
  });

  it('shuffles reproducibly with a seed and covers every example once', () => {
    const data = tinyDataset();
    const order = (seed: number) => {
      const out: number[] = [];
      for (const { x, y } of data.batches({ batchSize: 5, shuffle: true, seed })) {
        const values = x.dataSync();
        for (let i = 0; i < 5; i++) out.push(Math.round(((values[i * 18] as number) * 255) / 10));
        tf.dispose([x, y]);
      }
      return out;
    };
    expect(order(4)).toEqual(order(4));
    expect([...order(4)].sort()).toEqual([0, 1, 2, 3, 4]);
    expect([0, 1, 2, 3, 5, 6].map((s) => order(s).join())).not.toEqual(Array(6).fill('0,1,2,3,4'));
  });

  it('normalises each channel with the dataset statistics (tolerance 1e-5)', () => {
    const [batch] = [...tinyDataset().batches({ batchSize: 1, normalize: true })];
    const x = batch?.x.dataSync() as Float32Array;
    expect(x[0]).toBeCloseTo((0 - 0.5) / 0.5, 5);
    expect(x[1]).toBeCloseTo((200 / 255 - 0.25) / 0.125, 5);
    tf.dispose([batch?.x as tf.Tensor, batch?.y as tf.Tensor]);
  });

  it('augments by zero-padded random crops and flips that match a hand-written reference', () => {
    const data = tinyDataset();
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const [batch] = [...data.batches({ batchSize: 1, augment: true, seed })];
      const x = Array.from(batch?.x.dataSync() ?? [], (v) => Math.round(v * 255));
      tf.dispose([batch?.x as tf.Tensor, batch?.y as tf.Tensor]);
      // Find the (dy, dx, flip) that explains the output; it must exist.
      let match: string | undefined;
      for (const dy of [-1, 0, 1])
        for (const dx of [-1, 0, 1])
          for (const flip of [false, true]) {
            const expected: number[] = [];
            for (let y = 0; y < 3; y++)
              for (let xx = 0; xx < 3; xx++) {
                const sy = y + dy;
                const sx = (flip ? 2 - xx : xx) + dx;
                const inside = sy >= 0 && sy < 3 && sx >= 0 && sx < 3;
                expected.push(inside ? sy * 3 + sx : 0, inside ? 200 : 0);
              }
            if (expected.join() === x.join()) match = `${dy},${dx},${flip}`;
          }
      expect(match).toBeDefined();
      seen.add(match as string);
    }
    expect(seen.size).toBeGreaterThan(6);
  });

  it('keeps tf.memory().numTensors flat over 100 epochs of disposed batches', () => {
    const data = tinyDataset();
    const before = tf.memory().numTensors;
    for (let epoch = 0; epoch < 100; epoch++) {
      for (const { x, y } of data.batches({
        batchSize: 2,
        shuffle: true,
        seed: epoch,
        augment: true,
        normalize: true,
      })) {
        expect(tf.memory().numTensors).toBe(before + 2);
        x.dispose();
        y.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Dataset', () => {
  it('subsets examples in the given order and keeps its metadata', () => {
    const sub = tinyDataset().subset([4, 1]);
    expect(sub.count).toBe(2);
    expect([...sub.labels]).toEqual([1, 1]);
    expect(sub.images[0]).toBe(40);
    expect(sub.images[18]).toBe(10);
    expect(sub.normalization).toEqual({ mean: [0.5, 0.25], std: [0.5, 0.125] });
    expect(sub.imageAt(1)[1]).toBeCloseTo(201 / 255, 6);
  });

  it('rejects bad arguments with messages that name them', () => {
    const data = tinyDataset();
    expect(() => data.batches({ batchSize: 0 })).toThrow(
      'Dataset.batches: options.batchSize must be a positive integer, received 0',
    );
    expect(() => data.subset([5])).toThrow(
      'Dataset.subset: indices[0] must be an integer in [0, 5), received 5',
    );
    expect(() =>
      createDataset({
        images: new Uint8Array(4),
        labels: Int32Array.from([0]),
        shape: [2, 2, 1],
        numClasses: 2,
        normalization: { mean: [0], std: [0] },
      }),
    ).toThrow('createDataset: normalization.std must be positive values');
    expect(() =>
      createDataset({
        images: new Uint8Array(4),
        labels: Int32Array.from([3]),
        shape: [2, 2, 1],
        numClasses: 2,
      }),
    ).toThrow('createDataset: labels[0] must be an integer in [0, 2), received 3');
    expect(() =>
      createDataset({
        images: new Uint8Array(5),
        labels: Int32Array.from([0]),
        shape: [2, 2, 1],
        numClasses: 2,
      }),
    ).toThrow('createDataset: images must be 1 labels × 4 values = 4 values, received 5 values');
    const plain = createDataset({
      images: new Uint8Array(4),
      labels: Int32Array.from([0]),
      shape: [2, 2, 1],
      numClasses: 2,
    });
    expect(() => plain.batches({ batchSize: 1, normalize: true })).toThrow(
      'Dataset.batches: options.normalize must be false for a dataset without normalization statistics',
    );
  });
});
