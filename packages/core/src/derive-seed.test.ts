import { describe, expect, it } from 'vitest';
import { deriveSeed } from './derive-seed';

describe('deriveSeed', () => {
  it('is a pure 32-bit function of the seed and the name', () => {
    expect(deriveSeed(1, 'stage1/conv/kernel')).toBe(deriveSeed(1, 'stage1/conv/kernel'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(1, 'b'));
    expect(deriveSeed(1, 'a')).not.toBe(deriveSeed(2, 'a'));
    expect(deriveSeed(2 ** 40, 'a')).not.toBe(deriveSeed(0, 'a'));
    const value = deriveSeed(7, 'x');
    expect(Number.isInteger(value) && value >= 0 && value < 2 ** 32).toBe(true);
  });
});
