import { isGkdMethod } from './registry';
import type { MethodSummary, RunResult } from './results-schema';
import { summaryStatistics } from './summary-statistics';

/** One summary row per method (in `methods` order), with Δ against `baseline` when it ran. */
export function summarizeRuns(
  runs: readonly RunResult[],
  methods: readonly string[],
): MethodSummary[] {
  const rows = methods.map((method) => {
    const mine = runs.filter((run) => run.method === method);
    const { mean, std, n } = summaryStatistics(mine.map((run) => run.accuracy));
    const meanDurationMs = summaryStatistics(mine.map((run) => run.durationMs)).mean;
    return { method, mean, std, n, meanDurationMs } as MethodSummary;
  });
  const baseline = rows.find((row) => row.method === 'baseline');
  if (baseline !== undefined && baseline.n > 0) {
    for (const row of rows) row.deltaVsBaseline = row.mean - baseline.mean;
  }
  return rows;
}

const percent = (value: number) => `${(value * 100).toFixed(2)} %`;
const points = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(2)} pts`;

/**
 * One sentence comparing the best GKD variant with the baseline, as measured: whether its mean
 * is higher, and whether the gap exceeds the seeds' spread (the larger of the two standard
 * deviations). Says so plainly when GKD does not beat the baseline.
 */
export function verdict(summary: readonly MethodSummary[]): string {
  const baseline = summary.find((row) => row.method === 'baseline');
  const gkd = summary.filter((row) => isGkdMethod(row.method) && row.n > 0);
  if (baseline === undefined || baseline.n === 0 || gkd.length === 0) {
    return 'No verdict: the baseline and a GKD variant must both run to compare them.';
  }
  const best = gkd.reduce((a, b) => (b.mean > a.mean ? b : a));
  const delta = best.mean - baseline.mean;
  const spread = Math.max(best.std, baseline.std);
  const head = `Best GKD variant: ${best.method}, ${percent(best.mean)} vs baseline ${percent(baseline.mean)} (${points(delta)}, n = ${best.n}/${baseline.n}).`;
  if (delta <= 0) return `${head} GKD does NOT beat the baseline in this run.`;
  if (delta <= spread) {
    return `${head} GKD is ahead on the mean, but by less than the spread over seeds (std ${points(spread).replace('+', '')}): not a clear win.`;
  }
  return `${head} GKD beats the baseline by more than the spread over seeds.`;
}
