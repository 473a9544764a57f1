import { describe, expect, it } from 'vitest';
import { logGamma, studentTCdf, studentTQuantile, studentTTwoSidedP } from './student-t';
import { welchTTest } from './welch-t-test';

describe('Student-t distribution', () => {
  it('matches the closed-form CDFs for 1, 2, 3 and 4 degrees of freedom (tolerance 1e-10)', () => {
    const closedForms: Record<number, (t: number) => number> = {
      // Cauchy.
      1: (t) => 0.5 + Math.atan(t) / Math.PI,
      2: (t) => 0.5 + t / (2 * Math.sqrt(2 + t * t)),
      3: (t) =>
        0.5 + (t / (Math.sqrt(3) * (1 + (t * t) / 3)) + Math.atan(t / Math.sqrt(3))) / Math.PI,
      4: (t) => {
        const x = t / Math.sqrt(1 + (t * t) / 4);
        return 0.5 + (3 / 8) * x * (1 - (t * t) / (12 * (1 + (t * t) / 4)));
      },
    };
    for (const [df, cdf] of Object.entries(closedForms)) {
      for (const t of [-7.5, -2, -0.3, 0, 0.1, 1, 2.5, 12]) {
        expect(Math.abs(studentTCdf(t, Number(df)) - cdf(t))).toBeLessThan(1e-10);
      }
    }
  });

  it('gives the 97.5 % quantiles of the standard t tables (R qt(0.975, df), tolerance 1e-5)', () => {
    const table: [number, number][] = [
      [1, 12.706205],
      [2, 4.302653],
      [3, 3.182446],
      [4, 2.776445],
      [5, 2.570582],
      [9, 2.262157],
      [10, 2.228139],
      [18, 2.100922],
      [30, 2.042272],
    ];
    for (const [df, quantile] of table) {
      expect(Math.abs(studentTQuantile(0.975, df) - quantile)).toBeLessThan(1e-5);
      expect(Math.abs(studentTQuantile(0.025, df) + quantile)).toBeLessThan(1e-5);
    }
  });

  it('gives two-sided p-values that invert the quantiles, for fractional degrees of freedom too', () => {
    for (const df of [1.5, 3.7, 7.2, 17.9]) {
      for (const p of [0.5, 0.05, 0.01]) {
        expect(Math.abs(studentTTwoSidedP(studentTQuantile(1 - p / 2, df), df) - p)).toBeLessThan(
          1e-9,
        );
      }
    }
    expect(studentTTwoSidedP(0, 5)).toBe(1);
    expect(studentTCdf(0, 3)).toBe(0.5);
  });

  it('has ln Γ right at known points (tolerance 1e-12)', () => {
    expect(Math.abs(logGamma(0.5) - Math.log(Math.sqrt(Math.PI)))).toBeLessThan(1e-12);
    expect(Math.abs(logGamma(5) - Math.log(24))).toBeLessThan(1e-12);
    expect(Math.abs(logGamma(10.5) - Math.log(1133278.3889487854))).toBeLessThan(1e-10);
  });
});

describe('welchTTest', () => {
  it('reduces to the pooled test for equal sizes and variances (df = 2n − 2), p by the closed form', () => {
    const result = welchTTest([1, 2, 3], [4, 5, 6]);
    // Difference −3, se = √(1/3 + 1/3), t = −3.674235, df = 4.
    expect(result.difference).toBe(-3);
    expect(Math.abs(result.t + 3 / Math.sqrt(2 / 3))).toBeLessThan(1e-12);
    expect(Math.abs(result.degreesOfFreedom - 4)).toBeLessThan(1e-12);
    const t = Math.abs(result.t);
    const x = t / Math.sqrt(1 + (t * t) / 4);
    const cdf4 = 0.5 + (3 / 8) * x * (1 - (t * t) / (12 * (1 + (t * t) / 4)));
    expect(Math.abs(result.pValue - 2 * (1 - cdf4))).toBeLessThan(1e-10);
    // 95 % CI: −3 ± 2.776445 · 0.816497.
    expect(Math.abs(result.ciLow - (-3 - 2.776445 * Math.sqrt(2 / 3)))).toBeLessThan(1e-5);
    expect(Math.abs(result.ciHigh - (-3 + 2.776445 * Math.sqrt(2 / 3)))).toBeLessThan(1e-5);
  });

  it('uses the Welch–Satterthwaite degrees of freedom for unequal variances (t = −2.2514, df = 5.5208)', () => {
    // a: mean 2.5, var 5/3, n 4; b: mean 6, var 10, n 5. se² = 5/12 + 2 = 29/12.
    const result = welchTTest([1, 2, 3, 4], [2, 4, 6, 8, 10]);
    const se2 = 5 / 12 + 2;
    expect(Math.abs(result.t - -3.5 / Math.sqrt(se2))).toBeLessThan(1e-12);
    const df = se2 ** 2 / ((5 / 12) ** 2 / 3 + 2 ** 2 / 4);
    expect(Math.abs(result.degreesOfFreedom - df)).toBeLessThan(1e-12);
    expect(result.pValue).toBeGreaterThan(0.05);
    expect(result.pValue).toBeLessThan(0.1);
  });

  it('returns NaN statistics with fewer than two seeds, and p = 1 or 0 without spread', () => {
    expect(Number.isNaN(welchTTest([1], [2, 3]).pValue)).toBe(true);
    expect(welchTTest([2, 2], [2, 2]).pValue).toBe(1);
    expect(welchTTest([3, 3], [2, 2]).pValue).toBe(0);
  });
});
