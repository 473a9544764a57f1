import { describe, expect, it } from 'vitest';
import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const seqA = Array.from({ length: 20 }, () => a.nextUint32());
    const seqB = Array.from({ length: 20 }, () => b.nextUint32());
    const seqC = Array.from({ length: 20 }, () => c.nextUint32());
    expect(seqA).toEqual(seqB);
    expect(seqA).not.toEqual(seqC);
  });

  it('resumes exactly from a saved state, including a pending normal sample', () => {
    const rng = new SeededRandom(3);
    rng.nextNormal();
    const state = rng.getState();
    const expected = [rng.nextNormal(), rng.next(), rng.nextInt(10)];
    const restored = new SeededRandom(999);
    restored.setState(JSON.parse(JSON.stringify(state)));
    expect([restored.nextNormal(), restored.next(), restored.nextInt(10)]).toEqual(expected);
  });

  it('draws uniform numbers with mean 1/2 and normals with variance 1 (tolerance 0.02 / 0.05 over 20,000 draws)', () => {
    const rng = new SeededRandom(11);
    let sum = 0;
    let sumSq = 0;
    let normalSum = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = rng.next();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      sum += u;
      const z = rng.nextNormal();
      normalSum += z;
      sumSq += z * z;
    }
    expect(Math.abs(sum / 20_000 - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(normalSum / 20_000)).toBeLessThan(0.05);
    expect(Math.abs(sumSq / 20_000 - 1)).toBeLessThan(0.05);
  });

  it('returns a permutation that contains every index once', () => {
    const perm = new SeededRandom(1).permutation(100);
    expect([...perm].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...perm]).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('rejects a non-finite seed, a bad nextInt bound and a malformed state', () => {
    expect(() => new SeededRandom(Number.NaN)).toThrow(
      'SeededRandom: seed must be a finite number, received NaN',
    );
    expect(() => new SeededRandom(1).nextInt(0)).toThrow(
      'SeededRandom.nextInt: n must be a positive integer, received 0',
    );
    expect(() => new SeededRandom(1).setState([0, 0, 0, 0])).toThrow(
      'SeededRandom.setState: state must be an array of 4 uint32',
    );
  });
});

describe('SeededRandom.fromState and the array draws', () => {
  it('continues exactly from a saved state', () => {
    const random = new SeededRandom(123);
    random.nextUint32();
    const restored = SeededRandom.fromState(random.getState());
    expect(restored.nextUint32()).toBe(random.nextUint32());
    expect(restored.getState()).toEqual(random.getState());
  });

  it('draws uniform arrays within the limit and normal arrays scaled by std', () => {
    const uniform = new SeededRandom(1).uniformArray(1000, 0.5);
    expect(uniform.every((value) => value >= -0.5 && value < 0.5)).toBe(true);
    const normal = new SeededRandom(2).normalArray(4000, 2);
    const mean = normal.reduce((sum, value) => sum + value, 0) / normal.length;
    const variance = normal.reduce((sum, value) => sum + (value - mean) ** 2, 0) / normal.length;
    expect(Math.abs(mean)).toBeLessThan(0.15);
    expect(Math.abs(Math.sqrt(variance) - 2)).toBeLessThan(0.15);
  });
});
