import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, markdownTable } from './markdown-table';
import { getPreset, PRIMARY_COMPARISONS } from './presets';
import type { BenchResults, RunResult } from './results-schema';
import { writeOutputs } from './run-benchmark';
import type { SimilarityPanel } from './similarity-heatmap-chart';
import { primaryComparisons, summarizeRuns, verdict } from './summarize-runs';

function fixture(): BenchResults {
  const spec = getPreset('quick');
  spec.methods = ['baseline', 'gkd-dense'];
  const runs: RunResult[] = [];
  for (const method of spec.methods) {
    for (const seed of spec.seeds) {
      const accuracy = method === 'baseline' ? 0.8 + seed / 100 : 0.82 + seed / 100;
      runs.push({
        method,
        seed,
        accuracy,
        bestAccuracy: accuracy,
        bestEpoch: 2,
        loss: 0.5,
        durationMs: 1234,
        losses: [],
        history: [
          { epoch: 1, testAccuracy: accuracy - 0.1, trainLoss: 1 },
          { epoch: 2, testAccuracy: accuracy, trainLoss: 0.5 },
        ],
      });
    }
  }
  const summary = summarizeRuns(runs, spec.methods, PRIMARY_COMPARISONS);
  const comparisons = primaryComparisons(runs, PRIMARY_COMPARISONS);
  return {
    schemaVersion: 2,
    preset: 'quick',
    backend: 'wasm',
    backendDetails: { name: 'wasm', version: '4.22.0', threads: 1, simd: true },
    machine: {
      cpuModel: 'Test CPU',
      cores: 2,
      memoryGiB: 24,
      platform: 'linux-x64',
      node: 'v20.20.0',
    },
    date: '2026-11-28T06:00:00.000Z',
    spec,
    taps: ['conv1', 'pool'],
    student: { model: 'small-cnn', config: {}, params: 12345, macs: 678901 },
    teacher: {
      model: 'small-cnn',
      config: {},
      params: 54321,
      macs: 1987654,
      accuracy: 0.95,
      loss: 0.2,
      durationMs: 65_000,
      cached: true,
      cacheKey: 'abc',
      history: [{ epoch: 1, testAccuracy: 0.95 }],
    },
    runs,
    summary,
    comparisons,
    verdict: verdict(comparisons),
    totalDurationMs: 10_000,
  };
}

describe('markdownTable', () => {
  it('puts the backend and machine in the header, the teacher on top and a row per method', () => {
    const table = markdownTable(fixture());
    expect(table).toContain('- Backend: wasm 4.22.0 (1 thread, SIMD)');
    expect(table).toContain('- Machine: Test CPU, 2 cores');
    const rows = table.split('\n').filter((line) => line.startsWith('| '));
    expect(rows[0]).toMatch(
      /^\| Method \| Role \| Student params \| Student MACs \| Test acc., last epoch/,
    );
    expect(rows[1]).toBe(
      '| teacher (small-cnn, cached) | – | 54,321 | 1,987,654 | 95.00 % (n = 1) | – | – | – | 1 min 05 s |',
    );
    expect(rows[2]).toBe(
      '| baseline | primary | 12,345 | 678,901 | 81.50 ± 0.71 % (n = 2) | 81.50 ± 0.71 % | 0.00 | – | 1.2 s |',
    );
    // Δ 2 pts, se 0.7071 pt, t = 2.828 at df = 2: p = 1 − 2.828/√10 = 0.1056; CI 2 ± 4.3027·0.7071.
    expect(rows[3]).toBe(
      '| gkd-dense | primary | 12,345 | 678,901 | 83.50 ± 0.71 % (n = 2) | 83.50 ± 0.71 % | +2.00 [-1.04, +5.04] | 0.106 | 1.2 s |',
    );
    expect(table).toContain(
      '- gkd-dense vs baseline: +2.00 pts (95 % CI -1.04 to +5.04, Welch p = 0.106, n = 2/2)',
    );
    expect(table).toContain('within noise');
    expect(table).not.toContain('significantly');
  });

  it('formats counts and durations', () => {
    expect(formatCount(94154)).toBe('94,154');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
  });
});

describe('writeOutputs', () => {
  it('writes results.json, table.md, the graphs and SVG + PNG charts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'geokd-outputs-'));
    const labels = [0, 0, 1, 1];
    const panels: SimilarityPanel[] = ['teacher', 'baseline, after'].map((label) => ({
      tap: 'pool',
      label,
      size: 4,
      adjacency: [0, 0.5, 0.1, 0.1, 0.5, 0, 0.1, 0.1, 0.1, 0.1, 0, 0.5, 0.1, 0.1, 0.5, 0],
      smoothness: 0.2,
    }));
    const lines: string[] = [];
    const outputs = await writeOutputs(fixture(), panels, labels, dir, (line) => lines.push(line));
    const json = JSON.parse(
      fs.readFileSync(path.join(dir, 'results.json'), 'utf8'),
    ) as BenchResults;
    expect(json.summary.map((row) => row.method)).toEqual(['baseline', 'gkd-dense']);
    expect(fs.readFileSync(path.join(dir, 'table.md'), 'utf8')).toBe(outputs.table);
    for (const name of ['accuracy', 'learning-curves', 'similarity-graphs']) {
      expect(fs.readFileSync(path.join(dir, `${name}.svg`), 'utf8')).toMatch(
        /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
      );
      const png = fs.readFileSync(path.join(dir, `${name}.png`));
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    }
    expect(lines[0]).toBe(outputs.table);
    fs.rmSync(dir, { recursive: true });
  });
});
