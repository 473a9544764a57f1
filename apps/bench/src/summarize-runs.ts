import type { Comparison, MethodSummary, RunResult } from './results-schema';
import { summaryStatistics } from './summary-statistics';
import { welchTTest } from './welch-t-test';

/** A comparison fixed before the run: `method` against `reference`. */
export interface PrimaryComparison {
  /** The method compared, e.g. `'gkd-dense'`. */
  method: string;
  /** What it is compared with, e.g. `'baseline'`. */
  reference: string;
}

/** Significance level of the verdicts. */
export const SIGNIFICANCE_LEVEL = 0.05;

function compare(
  runs: readonly RunResult[],
  method: string,
  reference: string,
  primary: boolean,
): Comparison {
  const of = (name: string) => runs.filter((run) => run.method === name).map((run) => run.accuracy);
  const test = welchTTest(of(method), of(reference), 0.95);
  return {
    method,
    reference,
    primary,
    difference: test.difference,
    ciLow: test.ciLow,
    ciHigh: test.ciHigh,
    pValue: test.pValue,
    degreesOfFreedom: test.degreesOfFreedom,
    n: test.n,
  };
}

/**
 * One summary row per method (in `methods` order): last- and best-epoch accuracy mean ± std,
 * and, when the baseline ran, the difference to it with a 95 % CI and a Welch p-value.
 * Methods outside `primary` (as method or reference) are marked `'ablation'`.
 */
export function summarizeRuns(
  runs: readonly RunResult[],
  methods: readonly string[],
  primary: readonly PrimaryComparison[] = [],
): MethodSummary[] {
  const primaryMethods = new Set(primary.flatMap((pair) => [pair.method, pair.reference]));
  const rows = methods.map((method): MethodSummary => {
    const mine = runs.filter((run) => run.method === method);
    const last = summaryStatistics(mine.map((run) => run.accuracy));
    const best = summaryStatistics(mine.map((run) => run.bestAccuracy));
    const meanDurationMs = summaryStatistics(mine.map((run) => run.durationMs)).mean;
    return {
      method,
      role: primaryMethods.has(method) ? 'primary' : 'ablation',
      mean: last.mean,
      std: last.std,
      bestMean: best.mean,
      bestStd: best.std,
      n: last.n,
      meanDurationMs,
    };
  });
  const baseline = rows.find((row) => row.method === 'baseline');
  if (baseline !== undefined && baseline.n > 0) {
    for (const row of rows) {
      row.deltaVsBaseline = row.mean - baseline.mean;
      if (row.method !== 'baseline') {
        row.vsBaseline = compare(runs, row.method, 'baseline', false);
      }
    }
  }
  return rows;
}

/**
 * The primary comparisons whose two methods both ran, in the given order (fixed in the spec
 * before the run; the results never pick one afterwards).
 */
export function primaryComparisons(
  runs: readonly RunResult[],
  primary: readonly PrimaryComparison[],
): Comparison[] {
  const ran = new Set(runs.map((run) => run.method));
  return primary
    .filter((pair) => ran.has(pair.method) && ran.has(pair.reference))
    .map((pair) => compare(runs, pair.method, pair.reference, true));
}

const points = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(2)}`;

/** A p-value as printed: three significant digits, "< 0.001" below. */
export function formatPValue(p: number): string {
  if (Number.isNaN(p)) return 'n/a';
  if (p < 0.001) return '< 0.001';
  return p.toFixed(3);
}

/** "+0.31 pts (95 % CI −0.20 to +0.82, Welch p = 0.210, n = 5/5)" */
export function describeComparison(comparison: Comparison): string {
  const ci = Number.isNaN(comparison.ciLow)
    ? 'no CI'
    : `95 % CI ${points(comparison.ciLow)} to ${points(comparison.ciHigh)}`;
  const p = formatPValue(comparison.pValue);
  return `${points(comparison.difference)} pts (${ci}, Welch p ${p.startsWith('<') ? p : `= ${p}`}, n = ${comparison.n[0]}/${comparison.n[1]})`;
}

/**
 * The verdict: one clause per primary comparison, as measured. A difference is called
 * "significant" only when its Welch p-value is below 0.05 (uncorrected for the number of
 * comparisons), and otherwise "within noise"; with fewer than two seeds on a side, "not
 * testable". Ablations never enter it.
 */
export function verdict(comparisons: readonly Comparison[]): string {
  if (comparisons.length === 0) {
    return 'No verdict: none of the primary comparisons had both of its methods in this run.';
  }
  const clauses = comparisons.map((comparison) => {
    const head = `${comparison.method} vs ${comparison.reference}: ${describeComparison(comparison)}`;
    if (Number.isNaN(comparison.pValue)) {
      return `${head}: not testable (a significance test needs at least two seeds per method)`;
    }
    if (comparison.pValue < SIGNIFICANCE_LEVEL) {
      const direction = comparison.difference > 0 ? 'higher' : 'lower';
      return `${head}: significantly ${direction} (p < ${SIGNIFICANCE_LEVEL})`;
    }
    return `${head}: within noise (p ≥ ${SIGNIFICANCE_LEVEL}), no difference shown`;
  });
  return `${clauses.join('. ')}.`;
}

/** Best-epoch accuracy and its epoch from a per-epoch history (last epoch on ties). */
export function bestEpochOf(
  history: readonly { epoch: number; testAccuracy?: number }[],
  lastAccuracy: number,
): { bestAccuracy: number; bestEpoch: number } {
  let bestAccuracy = Number.NEGATIVE_INFINITY;
  let bestEpoch = 0;
  for (const record of history) {
    if (record.testAccuracy !== undefined && record.testAccuracy >= bestAccuracy) {
      bestAccuracy = record.testAccuracy;
      bestEpoch = record.epoch;
    }
  }
  if (bestEpoch === 0) return { bestAccuracy: lastAccuracy, bestEpoch: history.length };
  return { bestAccuracy, bestEpoch };
}
