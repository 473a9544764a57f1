import { describe, expect, it } from 'vitest';
import { closestName, closestNames } from './closest-name';
import { UnknownNameError } from './unknown-name-error';

const METHODS = [
  'baseline',
  'hinton',
  'fitnet',
  'rkd-distance',
  'rkd-angle',
  'pkt',
  'gkd-dense',
  'gkd-knn',
];

describe('closestNames', () => {
  it('prefers names that start with the query over nearer edit distances', () => {
    // 'pkt' is 2 edits from 'gkd' but unrelated; the gkd variants are what was meant.
    expect(closestNames('gkd', METHODS)).toEqual(['gkd-dense', 'gkd-knn']);
    expect(closestNames('rkd', METHODS)).toEqual(['rkd-distance', 'rkd-angle']);
    expect(closestName('gkd', METHODS)).toBe('gkd-dense');
  });

  it('suggests a name the query starts with, or one containing the query', () => {
    expect(closestNames('gkd-knn-16', METHODS)).toEqual(['gkd-knn']);
    expect(closestNames('knn', METHODS)).toEqual(['gkd-knn']);
    expect(closestNames('angle', METHODS)).toEqual(['rkd-angle']);
  });

  it('suggests the nearest name for a small typo, ignoring case', () => {
    expect(closestNames('gkd-knm', METHODS)).toEqual(['gkd-knn']);
    expect(closestNames('hintn', METHODS)).toEqual(['hinton']);
    expect(closestNames('HINTON', METHODS)).toEqual(['hinton']);
    expect(closestNames('fitnte', METHODS)).toEqual(['fitnet']);
  });

  it('suggests nothing when nothing is close', () => {
    expect(closestNames('xyz', METHODS)).toEqual([]);
    expect(closestNames('completely-different', METHODS)).toEqual([]);
    expect(closestNames('', METHODS)).toEqual([]);
    expect(closestNames('gkd', [])).toEqual([]);
    expect(closestName('pk', ['gkd'])).toBeUndefined();
  });

  it('suggests at most three names', () => {
    expect(closestNames('wrn', ['wrn-16-1', 'wrn-16-2', 'wrn-40-1', 'wrn-40-2'])).toEqual([
      'wrn-16-1',
      'wrn-16-2',
      'wrn-40-1',
    ]);
  });
});

describe('UnknownNameError suggestions', () => {
  it("lists every close name: --methods gkd suggests the gkd variants, not 'pkt'", () => {
    const error = new UnknownNameError({ kind: 'method', name: 'gkd', validNames: METHODS });
    expect(error.message).toBe(
      `Unknown method 'gkd'. Valid method names: ${METHODS.join(', ')}. Did you mean 'gkd-dense' or 'gkd-knn'?`,
    );
    expect(error.suggestion).toBe('gkd-dense');
    expect(
      new UnknownNameError({ kind: 'method', name: 'zzz', validNames: METHODS }).message,
    ).not.toContain('Did you mean');
  });
});
