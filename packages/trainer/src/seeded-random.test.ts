import { describe, expect, it } from 'vitest';
import { SeededRandom } from './seeded-random';

describe('SeededRandom', () => {
  it('gives the same stream for the same seed and different streams for nearby seeds', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const streamA = Array.from({ length: 5 }, () => a.nextUint32());
    const streamB = Array.from({ length: 5 }, () => b.nextUint32());
    const streamC = Array.from({ length: 5 }, () => c.nextUint32());
    expect(streamA).toEqual(streamB);
    expect(streamA).not.toEqual(streamC);
  });

  it('continues exactly from a saved state', () => {
    const random = new SeededRandom(123);
    random.nextUint32();
    const restored = SeededRandom.fromState(random.state);
    expect(restored.nextUint32()).toBe(random.nextUint32());
    expect(restored.state).toBe(random.state);
  });

  it('produces values in [0, 1) with a mean near 1/2 (tolerance 0.02 over 10 000 draws)', () => {
    const random = new SeededRandom(1);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const value = random.next();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
      sum += value;
    }
    expect(Math.abs(sum / 10_000 - 0.5)).toBeLessThan(0.02);
  });

  it('rejects a seed that is not a safe integer', () => {
    expect(() => new SeededRandom(1.5)).toThrow('SeededRandom: seed must be a safe integer, received 1.5');
    expect(() => SeededRandom.fromState(-1)).toThrow(
      'SeededRandom.fromState: state must be an unsigned 32-bit integer, received -1',
    );
  });
});
