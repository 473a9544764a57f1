import { describe, expect, it } from 'vitest';
import { expandSweep, jobConfig } from './sweep-jobs';
import { validateSweepSpec } from './sweep-spec';

describe('expandSweep', () => {
  it('makes one job per method and seed, seeds outer, with stable ids', () => {
    const sweep = validateSweepSpec({
      preset: 'quick',
      methods: ['baseline', 'gkd-dense'],
      seeds: [1, 2],
    });
    const expanded = expandSweep(sweep);
    expect(expanded.variants).toHaveLength(1);
    expect(expanded.variants[0]!.label).toBe('default');
    expect(expanded.jobs.map((job) => [job.method, job.seed])).toEqual([
      ['baseline', 1],
      ['gkd-dense', 1],
      ['baseline', 2],
      ['gkd-dense', 2],
    ]);
    expect(expanded.variants[0]!.jobIds).toEqual(expanded.jobs.map((job) => job.id));
    expect(new Set(expanded.jobs.map((job) => job.id)).size).toBe(4);
    expect(expandSweep(sweep).jobs.map((job) => job.id)).toEqual(
      expanded.jobs.map((job) => job.id),
    );
  });

  it('gives the same ids whatever the key order of the spec', () => {
    const a = validateSweepSpec({
      preset: 'quick',
      seeds: [1],
      config: { studentTraining: { epochs: 1, batchSize: 16 } },
    });
    const b = validateSweepSpec({
      config: { studentTraining: { batchSize: 16, epochs: 1 } },
      seeds: [1],
      preset: 'quick',
    });
    expect(expandSweep(a).jobs.map((job) => job.id)).toEqual(
      expandSweep(b).jobs.map((job) => job.id),
    );
  });

  it('expands the grid; a job that does not use a swept loss runs once for every variant', () => {
    const sweep = validateSweepSpec({
      preset: 'quick',
      methods: ['baseline', 'gkd-dense', 'hinton'],
      seeds: [1, 2],
      grid: { lossWeights: { gkd: [10, 25] }, lossOptions: { gkd: { k: [4, 8] } } },
    });
    const expanded = expandSweep(sweep);
    expect(expanded.variants.map((variant) => variant.label)).toEqual([
      'gkd=10,gkd.k=4',
      'gkd=10,gkd.k=8',
      'gkd=25,gkd.k=4',
      'gkd=25,gkd.k=8',
    ]);
    // baseline and hinton: 2 seeds each, shared; gkd-dense: 2 seeds × 4 points.
    expect(expanded.jobs).toHaveLength(2 + 2 + 8);
    const gkd = expanded.jobs.find((job) => job.method === 'gkd-dense' && job.seed === 1)!;
    expect(gkd.lossWeights).toEqual({ gkd: 10 });
    expect(gkd.lossOptions).toEqual({ gkd: { k: 4 } });
    const config = jobConfig(sweep.base, gkd) as { losses: { weight: number; options: object }[] };
    expect(config.losses[0]!.weight).toBe(10);
    expect(config.losses[0]!.options).toEqual({ k: 4, power: 1 });
    for (const variant of expanded.variants) expect(variant.jobIds).toHaveLength(6);
  });

  it('changes a job id when anything of its training changes, not when only labels do', () => {
    const base = { preset: 'quick', methods: ['gkd-dense'], seeds: [1] };
    const id = expandSweep(validateSweepSpec(base)).jobs[0]!.id;
    const renamed = expandSweep(validateSweepSpec({ ...base, name: 'other' })).jobs[0]!.id;
    const moreSeeds = expandSweep(validateSweepSpec({ ...base, seeds: [1, 2] })).jobs[0]!.id;
    const otherLr = expandSweep(
      validateSweepSpec({
        ...base,
        config: { studentTraining: { optimizer: { type: 'adam', learningRate: 0.01 } } },
      }),
    ).jobs[0]!.id;
    expect(renamed).toBe(id);
    expect(moreSeeds).toBe(id);
    expect(otherLr).not.toBe(id);
  });
});
