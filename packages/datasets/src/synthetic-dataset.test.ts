import { describe, expect, it } from 'vitest';
import { syntheticDataset } from './synthetic-dataset';

describe('syntheticDataset', () => {
  it('is reproducible for a seed, balanced, and in [0, 1]', () => {
    const a = syntheticDataset({ count: 60, numClasses: 3, shape: [8, 8, 2], seed: 5 });
    const b = syntheticDataset({ count: 60, numClasses: 3, shape: [8, 8, 2], seed: 5 });
    const c = syntheticDataset({ count: 60, numClasses: 3, shape: [8, 8, 2], seed: 6 });
    expect(a.images).toEqual(b.images);
    expect(a.images).not.toEqual(c.images);
    expect(a.count).toBe(60);
    expect(a.shape).toEqual([8, 8, 2]);
    for (let k = 0; k < 3; k++) expect([...a.labels].filter((l) => l === k).length).toBe(20);
    expect(Math.min(...a.images)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a.images)).toBeLessThanOrEqual(1);
  });

  it('is learnable: a nearest-centroid classifier fit on half reaches > 90 % on the other half', () => {
    const data = syntheticDataset({ count: 400, numClasses: 10, shape: [12, 12, 1], seed: 2 });
    const size = 144;
    const centroids = Array.from({ length: 10 }, () => new Float64Array(size));
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 200; i++) {
      const label = data.labels[i] as number;
      counts[label]++;
      for (let p = 0; p < size; p++)
        (centroids[label] as Float64Array)[p] += data.images[i * size + p] as number;
    }
    for (let k = 0; k < 10; k++) {
      const c = centroids[k] as Float64Array;
      for (let p = 0; p < size; p++) c[p] = (c[p] as number) / counts[k];
    }
    let correct = 0;
    for (let i = 200; i < 400; i++) {
      let best = -1;
      let bestDistance = Number.POSITIVE_INFINITY;
      centroids.forEach((c, k) => {
        let d = 0;
        for (let p = 0; p < size; p++)
          d += ((data.images[i * size + p] as number) - (c[p] as number)) ** 2;
        if (d < bestDistance) {
          bestDistance = d;
          best = k;
        }
      });
      if (best === data.labels[i]) correct++;
    }
    expect(correct / 200).toBeGreaterThan(0.9);
  });

  it('rejects bad options with messages that name them', () => {
    expect(() => syntheticDataset({ count: 0, seed: 1 })).toThrow(
      'syntheticDataset: options.count must be a positive integer, received 0',
    );
    expect(() => syntheticDataset({ numClasses: 1, seed: 1 })).toThrow(
      'syntheticDataset: options.numClasses must be an integer >= 2, received 1',
    );
    expect(() => syntheticDataset({ seed: Number.NaN })).toThrow(
      'syntheticDataset: options.seed must be a finite number, received NaN',
    );
    expect(() => syntheticDataset({ noise: -1, seed: 1 })).toThrow(
      'syntheticDataset: options.noise must be a finite number >= 0, received -1',
    );
  });
});
