import { studentTQuantile, studentTTwoSidedP } from './student-t';
import { summaryStatistics } from './summary-statistics';

/** The difference of two means with Welch's t-test and its confidence interval. */
export interface WelchComparison {
  /** mean(a) − mean(b). */
  difference: number;
  /** Lower end of the confidence interval of the difference. */
  ciLow: number;
  /** Upper end of the confidence interval of the difference. */
  ciHigh: number;
  /** Confidence level of the interval, e.g. 0.95. */
  confidence: number;
  /** Welch's t statistic. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  degreesOfFreedom: number;
  /** Two-sided p-value of "the means are equal". */
  pValue: number;
  /** Sample sizes of a and b. */
  n: [number, number];
}

/**
 * Welch's two-sample t-test of mean(a) = mean(b) (unequal variances), with the confidence
 * interval `difference ± t_{(1+confidence)/2, ν} · se`, `se = √(s_a²/n_a + s_b²/n_b)` and ν
 * from Welch–Satterthwaite. With fewer than two values on a side every statistic is NaN (no
 * variance to test against); with no spread on either side the p-value is 1 for equal means and
 * 0 otherwise, the interval a point.
 *
 * @see B. L. Welch, "The generalization of Student's problem when several different population
 *   variances are involved", Biometrika 1947.
 */
export function welchTTest(
  a: readonly number[],
  b: readonly number[],
  confidence = 0.95,
): WelchComparison {
  const sa = summaryStatistics(a);
  const sb = summaryStatistics(b);
  const difference = sa.mean - sb.mean;
  const n: [number, number] = [sa.n, sb.n];
  if (sa.n < 2 || sb.n < 2) {
    return {
      difference,
      ciLow: Number.NaN,
      ciHigh: Number.NaN,
      confidence,
      t: Number.NaN,
      degreesOfFreedom: Number.NaN,
      pValue: Number.NaN,
      n,
    };
  }
  const va = sa.std ** 2 / sa.n;
  const vb = sb.std ** 2 / sb.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) {
    return {
      difference,
      ciLow: difference,
      ciHigh: difference,
      confidence,
      t: difference === 0 ? 0 : Math.sign(difference) * Number.POSITIVE_INFINITY,
      degreesOfFreedom: sa.n + sb.n - 2,
      pValue: difference === 0 ? 1 : 0,
      n,
    };
  }
  const degreesOfFreedom = (va + vb) ** 2 / (va ** 2 / (sa.n - 1) + vb ** 2 / (sb.n - 1));
  const t = difference / se;
  const half = studentTQuantile((1 + confidence) / 2, degreesOfFreedom) * se;
  return {
    difference,
    ciLow: difference - half,
    ciHigh: difference + half,
    confidence,
    t,
    degreesOfFreedom,
    pValue: studentTTwoSidedP(t, degreesOfFreedom),
    n,
  };
}
