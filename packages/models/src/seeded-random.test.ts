import { describe, expect, it } from 'vitest';
import { deriveSeed, SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const a = new SeededRandom(42).normalArray(5, 1);
    const b = new SeededRandom(42).normalArray(5, 1);
    const c = new SeededRandom(43).normalArray(5, 1);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('draws normals with mean 0 ± 0.02 and std 2 ± 0.02 over 100,000 samples', () => {
    const values = new SeededRandom(1).normalArray(100_000, 2);
    let sum = 0;
    let sumSq = 0;
    for (const v of values) {
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(sumSq / values.length - mean * mean) - 2)).toBeLessThan(0.02);
  });

  it('draws uniforms inside [-limit, limit)', () => {
    const values = new SeededRandom(3).uniformArray(10_000, 0.5);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-0.5);
    expect(Math.max(...values)).toBeLessThan(0.5);
  });

  it('derives different seeds for different parameter names and model seeds', () => {
    expect(deriveSeed(0, 'a/kernel')).not.toBe(deriveSeed(0, 'b/kernel'));
    expect(deriveSeed(0, 'a/kernel')).not.toBe(deriveSeed(1, 'a/kernel'));
    expect(deriveSeed(5, 'a/kernel')).toBe(deriveSeed(5, 'a/kernel'));
  });
});
