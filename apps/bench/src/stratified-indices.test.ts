import { describe, expect, it } from 'vitest';
import { sortByLabel, stratifiedIndices } from './stratified-indices';

describe('stratifiedIndices', () => {
  it('takes the classes in turn, in the order examples appear', () => {
    const labels = [1, 1, 0, 2, 0, 1, 2];
    expect(stratifiedIndices(labels, 5)).toEqual([2, 0, 3, 4, 1]);
  });

  it('returns every index when asked for more than there are', () => {
    expect(stratifiedIndices([0, 1], 10).sort()).toEqual([0, 1]);
  });
});

describe('sortByLabel', () => {
  it('sorts by class and keeps ties in index order', () => {
    expect(sortByLabel([3, 0, 2, 1], [1, 0, 1, 0])).toEqual([1, 3, 0, 2]);
  });
});
