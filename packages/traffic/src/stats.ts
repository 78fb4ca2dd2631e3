/**
 * The error-rate test: is the new release's share of failed requests above the baseline's by more
 * than chance? A one-sided two-proportion z-test on large counts, Fisher's exact test when any
 * expected cell is below 5 (the usual rule for when the normal approximation stops holding).
 */

/** Failed and total requests of one side. */
export interface Proportion {
  errors: number;
  total: number;
}

export interface ErrorTest {
  method: 'z-test' | 'fisher';
  /** One-sided p-value for "the new rate is above the baseline's". */
  pValue: number;
  /** The z statistic (z-test only). */
  z?: number;
}

/** Standard normal CDF, by Abramowitz and Stegun 7.1.26 on erf (absolute error below 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(x) / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** ln(n!) by summing logs for small n (exact enough) and Stirling's series beyond. */
function logFactorial(n: number): number {
  if (n < 2) return 0;
  if (n < 256) {
    let sum = 0;
    for (let i = 2; i <= n; i++) sum += Math.log(i);
    return sum;
  }
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n ** 3);
}

/**
 * One-sided Fisher exact test on the 2x2 table [[a, b], [c, d]] (rows: new, baseline; columns:
 * errors, successes): the probability, with the margins fixed, of the new side having `a` errors
 * or more.
 */
export function fisherGreater(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const col1 = a + c;
  const n = a + b + c + d;
  const fixed =
    logFactorial(row1) + logFactorial(n - row1) + logFactorial(col1) + logFactorial(n - col1) - logFactorial(n);
  const max = Math.min(row1, col1);
  let p = 0;
  for (let x = a; x <= max; x++) {
    const y = row1 - x;
    const z = col1 - x;
    const w = n - row1 - z;
    if (y < 0 || z < 0 || w < 0) continue;
    p += Math.exp(fixed - logFactorial(x) - logFactorial(y) - logFactorial(z) - logFactorial(w));
  }
  return Math.min(1, p);
}

/** One-sided two-proportion z-test with the pooled variance; p is 1 when there is nothing to compare. */
export function twoProportionZ(next: Proportion, base: Proportion): { z: number; pValue: number } {
  const p1 = next.errors / next.total;
  const p2 = base.errors / base.total;
  const pooled = (next.errors + base.errors) / (next.total + base.total);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / next.total + 1 / base.total));
  if (se === 0) return { z: 0, pValue: p1 > p2 ? 0 : 1 };
  const z = (p1 - p2) / se;
  return { z, pValue: 1 - normalCdf(z) };
}

/** The test that fits the counts: Fisher's exact when an expected cell is under 5, else the z-test. */
export function errorRateTest(next: Proportion, base: Proportion): ErrorTest {
  if (next.total === 0 || base.total === 0) return { method: 'fisher', pValue: 1 };
  const n = next.total + base.total;
  const errors = next.errors + base.errors;
  const expected = [
    (next.total * errors) / n,
    (next.total * (n - errors)) / n,
    (base.total * errors) / n,
    (base.total * (n - errors)) / n,
  ];
  if (Math.min(...expected) < 5) {
    return {
      method: 'fisher',
      pValue: fisherGreater(next.errors, next.total - next.errors, base.errors, base.total - base.errors),
    };
  }
  const { z, pValue } = twoProportionZ(next, base);
  return { method: 'z-test', pValue, z };
}
