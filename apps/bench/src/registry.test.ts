import { describe, expect, it } from 'vitest';
import { TABLE_METHODS } from './presets';
import { DISTILLATION_LOSSES } from '@geokd/kd-losses';
import { DEFAULT_LOSS_WEIGHTS, getMethod, knnNeighbours, listMethods } from './registry';

const context = { taps: ['stage1', 'pool'], batchSize: 64 };

describe('method registry', () => {
  it('registers every method of the comparison table', () => {
    for (const name of TABLE_METHODS) expect(listMethods()).toContain(name);
  });

  it('maps the baseline to no distillation term', () => {
    expect(getMethod('baseline').terms(context)).toEqual([]);
  });

  it('maps GKD variants to gkd terms on every tap with their options', () => {
    expect(getMethod('gkd-dense').terms(context)).toEqual([
      { loss: 'gkd', weight: 25, taps: ['stage1', 'pool'], options: { k: 64, power: 1 } },
    ]);
    expect(getMethod('gkd-knn').terms(context)[0]!.options).toEqual({ k: 16 });
    expect(getMethod('gkd-intra').terms(context)[0]!.options).toEqual({
      classes: { mode: 'intra' },
    });
    expect(
      getMethod('gkd-hinton')
        .terms(context)
        .map((term) => term.loss),
    ).toEqual(['gkd', 'hinton']);
  });

  it('gives Hinton KD no taps and its temperature', () => {
    expect(getMethod('hinton').terms(context)).toEqual([
      { loss: 'hinton', weight: 1, options: { temperature: 4 } },
    ]);
  });

  it('derives one method and one default weight per loss of @geokd/kd-losses', () => {
    for (const loss of DISTILLATION_LOSSES) {
      expect(DEFAULT_LOSS_WEIGHTS[loss.name]).toBe(loss.defaultWeight);
      if (loss.name !== 'gkd') expect(listMethods()).toContain(loss.name);
    }
    expect(DEFAULT_LOSS_WEIGHTS.pkt).toBe(30000);
    expect(getMethod('fitnets').terms(context)).toEqual([
      { loss: 'fitnets', weight: 100, taps: ['stage1', 'pool'], options: {} },
    ]);
  });

  it('applies weight overrides by loss name', () => {
    const terms = getMethod('rkd-distance').terms({
      ...context,
      lossWeights: { 'rkd-distance': 7 },
    });
    expect(terms[0]!.weight).toBe(7);
  });

  it('picks k as a quarter of the batch, at least 1', () => {
    expect(knnNeighbours(128)).toBe(32);
    expect(knnNeighbours(3)).toBe(1);
  });

  it('rejects an unknown name and suggests the closest one', () => {
    expect(() => getMethod('hintn')).toThrow(
      /Unknown method 'hintn'\. Valid method names: baseline, .*\. Did you mean 'hinton'\?/,
    );
  });
});
