import { describe, expect, it } from 'vitest';
import type { RunResult } from './results-schema';
import { summarizeRuns, verdict } from './summarize-runs';
import { summaryStatistics } from './summary-statistics';

const run = (method: string, seed: number, accuracy: number): RunResult => ({
  method,
  seed,
  accuracy,
  loss: 0,
  durationMs: 1000 * seed,
  losses: [],
  history: [],
});

describe('summaryStatistics', () => {
  it('computes the mean and the sample standard deviation (tolerance 1e-12)', () => {
    const { mean, std, n } = summaryStatistics([0.9, 0.92, 0.94]);
    expect(mean).toBeCloseTo(0.92, 12);
    expect(std).toBeCloseTo(0.02, 12); // sqrt((0.0004 + 0 + 0.0004) / 2)
    expect(n).toBe(3);
  });

  it('gives std 0 for one value and NaN for none', () => {
    expect(summaryStatistics([0.5])).toEqual({ mean: 0.5, std: 0, n: 1 });
    expect(summaryStatistics([]).mean).toBeNaN();
  });
});

describe('summarizeRuns and verdict', () => {
  const runs = [
    run('baseline', 1, 0.9),
    run('baseline', 2, 0.92),
    run('gkd-dense', 1, 0.89),
    run('gkd-dense', 2, 0.9),
  ];

  it('summarises per method in the given order with the delta to the baseline', () => {
    const summary = summarizeRuns(runs, ['baseline', 'gkd-dense']);
    expect(summary.map((row) => row.method)).toEqual(['baseline', 'gkd-dense']);
    expect(summary[1]!.deltaVsBaseline).toBeCloseTo(-0.015, 12);
    expect(summary[0]!.meanDurationMs).toBe(1500);
  });

  it('says plainly when GKD does not beat the baseline', () => {
    expect(verdict(summarizeRuns(runs, ['baseline', 'gkd-dense']))).toContain(
      'GKD does NOT beat the baseline',
    );
  });

  it('separates a win within the seed spread from a clear win', () => {
    const close = [...runs.slice(0, 2), run('gkd-knn', 1, 0.91), run('gkd-knn', 2, 0.93)];
    expect(verdict(summarizeRuns(close, ['baseline', 'gkd-knn']))).toContain('not a clear win');
    const clear = [...runs.slice(0, 2), run('gkd-knn', 1, 0.96), run('gkd-knn', 2, 0.97)];
    expect(verdict(summarizeRuns(clear, ['baseline', 'gkd-knn']))).toContain(
      'beats the baseline by more than the spread',
    );
  });
});
