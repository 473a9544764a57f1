import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readResults } from '../results.data';

const roots: string[] = [];

function resultsRoot(files: Record<string, string>): string {
  const root = `${mkdtempSync(join(tmpdir(), 'geokd-docs-results-'))}/`;
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const results = {
  schemaVersion: 1,
  preset: 'quick',
  backend: 'wasm',
  backendDetails: { name: 'wasm', version: '4.22.0', threads: 1, simd: true },
  machine: {
    cpuModel: 'Test CPU',
    cores: 2,
    memoryGiB: 24,
    platform: 'linux-x64',
    node: 'v20.20.2',
  },
  date: '2026-11-28T06:00:00.000Z',
  taps: ['block1', 'pool'],
  student: { model: 'small-cnn-8-16', config: {}, params: 1234, macs: 5678 },
  teacher: { model: 'small-cnn-32-64', params: 20000, macs: 900000, accuracy: 0.975 },
  runs: [],
  summary: [
    { method: 'baseline', mean: 0.9, std: 0.01, n: 2, deltaVsBaseline: 0, meanDurationMs: 1500 },
    {
      method: 'gkd-knn',
      mean: 0.92,
      std: 0.005,
      n: 2,
      deltaVsBaseline: 0.02,
      meanDurationMs: 2500,
    },
  ],
  verdict: 'GKD beats the baseline by 2.00 points.',
  totalDurationMs: 9000,
};

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('readResults (the Results page data loader)', () => {
  it('says nothing is recorded when the bench has written no results.json', () => {
    const data = readResults(resultsRoot({}));
    expect(data.found).toBe(false);
    expect(data.rows).toEqual([]);
    expect(data.source).toBeNull();
  });

  it('reads the summary table, teacher, student and machine of the quick preset', () => {
    const data = readResults(resultsRoot({ 'quick/results.json': JSON.stringify(results) }));
    expect(data.found).toBe(true);
    expect(data.source).toBe('apps/bench/results/quick/results.json');
    expect(data.preset).toBe('quick');
    expect(data.backend).toBe('wasm 4.22.0, SIMD, 1 thread(s)');
    expect(data.machine).toBe('Test CPU, 2 cores, linux-x64, Node v20.20.2');
    expect(data.taps).toEqual(['block1', 'pool']);
    expect(data.teacher).toEqual({
      model: 'small-cnn-32-64',
      params: 20000,
      macs: 900000,
      accuracy: 0.975,
    });
    expect(data.student).toEqual({ model: 'small-cnn-8-16', params: 1234, macs: 5678 });
    expect(data.rows.map((row) => [row.method, row.mean, row.deltaVsBaseline])).toEqual([
      ['baseline', 0.9, 0],
      ['gkd-knn', 0.92, 0.02],
    ]);
    // A schema-1 verdict (best variant picked afterwards, no test) is not shown.
    expect(data.verdict).toBeNull();
  });

  it('reads the Welch statistics, the primary comparisons and the verdict of schema 2', () => {
    const comparison = {
      method: 'gkd-dense',
      reference: 'baseline',
      primary: true,
      difference: 0.004,
      ciLow: -0.002,
      ciHigh: 0.01,
      pValue: 0.17,
      degreesOfFreedom: 7.5,
      n: [5, 5],
    };
    const v2 = {
      ...results,
      schemaVersion: 2,
      summary: [
        {
          method: 'baseline',
          role: 'primary',
          mean: 0.9,
          std: 0.01,
          bestMean: 0.91,
          bestStd: 0.01,
          n: 5,
          deltaVsBaseline: 0,
          meanDurationMs: 1,
        },
        {
          method: 'gkd-dense',
          role: 'primary',
          mean: 0.904,
          std: 0.01,
          bestMean: 0.91,
          bestStd: 0.01,
          n: 5,
          deltaVsBaseline: 0.004,
          vsBaseline: comparison,
          meanDurationMs: 1,
        },
        {
          method: 'gkd-knn',
          role: 'ablation',
          mean: 0.9,
          std: 0,
          bestMean: 0.9,
          bestStd: 0,
          n: 1,
          deltaVsBaseline: 0,
          vsBaseline: { ...comparison, ciLow: null, ciHigh: null, pValue: null },
          meanDurationMs: 1,
        },
      ],
      comparisons: [comparison],
      verdict:
        'gkd-dense vs baseline: +0.40 pts (...): within noise (p ≥ 0.05), no difference shown.',
    };
    const data = readResults(resultsRoot({ 'default/results.json': JSON.stringify(v2) }));
    expect(data.rows.map((row) => [row.method, row.role, row.pValue, row.ciLow])).toEqual([
      ['baseline', 'primary', null, null],
      ['gkd-dense', 'primary', 0.17, -0.002],
      ['gkd-knn', 'ablation', null, null],
    ]);
    expect(data.comparisons).toEqual([
      {
        method: 'gkd-dense',
        reference: 'baseline',
        difference: 0.004,
        ciLow: -0.002,
        ciHigh: 0.01,
        pValue: 0.17,
        n: [5, 5],
      },
    ]);
    expect(data.verdict).toContain('within noise');
  });

  it('prefers the default preset over the quick one and serves its charts as files', () => {
    const root = resultsRoot({
      'quick/results.json': JSON.stringify(results),
      'default/results.json': JSON.stringify({ ...results, preset: 'default' }),
      'default/accuracy.svg': '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
    });
    const chartsDir = `${root}public-results`;
    const data = readResults(root, chartsDir);
    expect(data.preset).toBe('default');
    expect(data.source).toBe('apps/bench/results/default/results.json');
    expect(data.charts).toEqual({ 'accuracy.svg': '/results/accuracy.svg' });
    // Copied for the site to serve, not inlined into the page's script.
    expect(readFileSync(`${chartsDir}/accuracy.svg`, 'utf8')).toContain('<svg');
  });

  it('leaves delta empty when the baseline did not run', () => {
    const summary = [{ method: 'gkd-knn', mean: 0.92, std: 0, n: 1, meanDurationMs: 10 }];
    const data = readResults(
      resultsRoot({ 'quick/results.json': JSON.stringify({ ...results, summary }) }),
    );
    expect(data.rows[0]?.deltaVsBaseline).toBeNull();
  });
});
