import { describe, expect, it } from 'vitest';
import { PRIMARY_COMPARISONS } from './presets';
import type { RunResult } from './results-schema';
import { bestEpochOf, primaryComparisons, summarizeRuns, verdict } from './summarize-runs';
import { summaryStatistics } from './summary-statistics';

const run = (
  method: string,
  seed: number,
  accuracy: number,
  bestAccuracy = accuracy,
): RunResult => ({
  method,
  seed,
  accuracy,
  bestAccuracy,
  bestEpoch: 1,
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

describe('summarizeRuns', () => {
  const runs = [
    run('baseline', 1, 0.9, 0.91),
    run('baseline', 2, 0.92, 0.93),
    run('gkd-dense', 1, 0.89),
    run('gkd-dense', 2, 0.9),
    run('gkd-knn', 1, 0.99),
    run('gkd-knn', 2, 0.995),
  ];

  it('summarises last and best epochs per method, with the Welch test against the baseline', () => {
    const summary = summarizeRuns(runs, ['baseline', 'gkd-dense', 'gkd-knn'], PRIMARY_COMPARISONS);
    expect(summary.map((row) => row.method)).toEqual(['baseline', 'gkd-dense', 'gkd-knn']);
    expect(summary.map((row) => row.role)).toEqual(['primary', 'primary', 'ablation']);
    expect(summary[0]!.bestMean).toBeCloseTo(0.92, 12);
    expect(summary[1]!.deltaVsBaseline).toBeCloseTo(-0.015, 12);
    expect(summary[1]!.vsBaseline!.difference).toBeCloseTo(-0.015, 12);
    expect(summary[0]!.vsBaseline).toBeUndefined();
    expect(summary[0]!.meanDurationMs).toBe(1500);
  });

  it('takes the best epoch from the history, the last one on ties, and the final value without one', () => {
    expect(
      bestEpochOf(
        [
          { epoch: 1, testAccuracy: 0.5 },
          { epoch: 2, testAccuracy: 0.7 },
          { epoch: 3, testAccuracy: 0.7 },
          { epoch: 4, testAccuracy: 0.6 },
        ],
        0.6,
      ),
    ).toEqual({ bestAccuracy: 0.7, bestEpoch: 3 });
    expect(bestEpochOf([], 0.4)).toEqual({ bestAccuracy: 0.4, bestEpoch: 0 });
  });
});

describe('verdict', () => {
  const base = [run('baseline', 1, 0.9), run('baseline', 2, 0.91), run('baseline', 3, 0.92)];

  it('speaks only of the primary comparisons, never of a better ablation', () => {
    const runs = [
      ...base,
      run('gkd-dense', 1, 0.9),
      run('gkd-dense', 2, 0.91),
      run('gkd-dense', 3, 0.925),
      run('gkd-knn', 1, 0.99),
      run('gkd-knn', 2, 0.99),
      run('gkd-knn', 3, 0.995),
    ];
    const text = verdict(primaryComparisons(runs, PRIMARY_COMPARISONS));
    expect(text).toContain('gkd-dense vs baseline: +0.17 pts');
    expect(text).toContain('within noise');
    expect(text).not.toContain('gkd-knn');
    expect(text).not.toContain('significant');
  });

  it('says "significant" only when p < 0.05', () => {
    const clear = [
      ...base,
      run('gkd-dense', 1, 0.95),
      run('gkd-dense', 2, 0.96),
      run('gkd-dense', 3, 0.97),
    ];
    const comparisons = primaryComparisons(clear, PRIMARY_COMPARISONS);
    expect(comparisons).toHaveLength(1);
    expect(comparisons[0]!.pValue).toBeLessThan(0.05);
    expect(verdict(comparisons)).toContain('significantly higher (p < 0.05)');
    // The same mean gain with a large spread is within noise.
    const noisy = [
      ...base,
      run('gkd-dense', 1, 0.87),
      run('gkd-dense', 2, 0.96),
      run('gkd-dense', 3, 1.05),
    ];
    const noisyText = verdict(primaryComparisons(noisy, PRIMARY_COMPARISONS));
    expect(noisyText).toContain('within noise');
    expect(noisyText).not.toContain('significant');
  });

  it('is not testable with one seed, and says when no primary comparison ran', () => {
    const one = [run('baseline', 1, 0.9), run('gkd-dense', 1, 0.95)];
    expect(verdict(primaryComparisons(one, PRIMARY_COMPARISONS))).toContain('not testable');
    expect(verdict(primaryComparisons(base, PRIMARY_COMPARISONS))).toContain('No verdict');
  });
});
