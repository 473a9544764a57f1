import { describe, expect, it } from 'vitest';
import { loadMnistEmbedded } from './load-mnist-embedded';
import { stratifiedSplit } from './stratified-split';

function classShares(labels: Int32Array): number[] {
  const counts = new Array(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts.map((c) => c / labels.length);
}

describe('loadMnistEmbedded', () => {
  it('splits the 10,000 embedded digits 8,000 / 2,000 with every class within ±1 % of its share', () => {
    const { train, test } = loadMnistEmbedded({ seed: 3 });
    expect(train.count).toBe(8000);
    expect(test.count).toBe(2000);
    expect(train.shape).toEqual([28, 28, 1]);
    expect(train.normalization).toEqual({ mean: [0.1307], std: [0.3081] });
    const all = new Int32Array([...train.labels, ...test.labels]);
    const overall = classShares(all);
    const trainShares = classShares(train.labels);
    const testShares = classShares(test.labels);
    for (let k = 0; k < 10; k++) {
      expect(Math.abs((trainShares[k] as number) - (overall[k] as number))).toBeLessThan(0.01);
      expect(Math.abs((testShares[k] as number) - (overall[k] as number))).toBeLessThan(0.01);
    }
    const max = (train.images as Float32Array).reduce((m, v) => Math.max(m, v), 0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
  });

  it('gives the same split for the same seed and another for another seed', () => {
    const a = loadMnistEmbedded({ seed: 1 });
    const b = loadMnistEmbedded({ seed: 1 });
    const c = loadMnistEmbedded({ seed: 2 });
    expect(a.test.labels).toEqual(b.test.labels);
    expect(Buffer.from(a.test.images.buffer).equals(Buffer.from(b.test.images.buffer))).toBe(true);
    expect(Buffer.from(a.test.images.buffer).equals(Buffer.from(c.test.images.buffer))).toBe(false);
  });

  it('keeps train and test disjoint (no test image appears in train)', () => {
    const { train, test } = loadMnistEmbedded({ seed: 4 });
    const key = (images: Float32Array, i: number) =>
      Buffer.from(images.buffer, i * 784 * 4, 784 * 4).toString('base64');
    const trainKeys = new Set(
      Array.from({ length: train.count }, (_, i) => key(train.images as Float32Array, i)),
    );
    const all = new Set(trainKeys);
    let shared = 0;
    for (let i = 0; i < test.count; i++) {
      const k = key(test.images as Float32Array, i);
      if (trainKeys.has(k)) shared++;
      all.add(k);
    }
    // The 10,000 digits hold a few exact duplicates (e.g. blank-ish strokes) at most; count them
    // across the whole set so a shared key means a duplicate digit, not a leaked index.
    expect(shared).toBeLessThanOrEqual(10_000 - all.size);
  });

  it('honours testFraction', () => {
    const { train, test } = loadMnistEmbedded({ testFraction: 0.1 });
    expect(test.count).toBe(1000);
    expect(train.count).toBe(9000);
  });

  it('rejects a testFraction outside (0, 1)', () => {
    expect(() => loadMnistEmbedded({ testFraction: 1 })).toThrow(
      'loadMnistEmbedded: options.testFraction must be a number in (0, 1), received 1',
    );
  });
});

describe('stratifiedSplit', () => {
  it('returns disjoint parts that together cover every index, each class keeping its share', () => {
    const labels = Int32Array.from({ length: 1000 }, (_, i) =>
      (i * 7) % 10 < 3 ? 0 : (i % 9) + 1,
    );
    const { train, test } = stratifiedSplit(labels, { testFraction: 0.25, seed: 9 });
    const all = [...train, ...test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(new Set([...train]).size + new Set([...test]).size).toBe(1000);
    for (let k = 0; k < 10; k++) {
      const total = [...labels].filter((l) => l === k).length;
      const inTest = [...test].filter((i) => labels[i] === k).length;
      expect(Math.abs(inTest - total * 0.25)).toBeLessThanOrEqual(0.5);
    }
  });

  it('rejects a bad testFraction', () => {
    expect(() => stratifiedSplit([0, 1], { testFraction: 0 })).toThrow(
      'stratifiedSplit: options.testFraction must be a number in (0, 1), received 0',
    );
  });
});
