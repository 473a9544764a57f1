/** Mean, sample standard deviation and count of a list of numbers. */
export interface SummaryStatistics {
  /** Arithmetic mean (NaN for an empty list). */
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator); 0 when n = 1. */
  std: number;
  /** Number of values. */
  n: number;
}

/** Mean, sample standard deviation (n − 1) and count of `values`. */
export function summaryStatistics(values: readonly number[]): SummaryStatistics {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n: 0 };
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(variance), n };
}
