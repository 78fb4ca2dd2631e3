import { describe, expect, it } from 'vitest';
import { errorRateTest, fisherGreater, normalCdf, twoProportionZ } from '../src/stats';

describe('normalCdf', () => {
  it('matches the standard normal table', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 4);
    expect(normalCdf(-1.645)).toBeCloseTo(0.05, 3);
    expect(normalCdf(3.09)).toBeCloseTo(0.999, 4);
  });
});

describe('fisherGreater', () => {
  it("answers the lady tasting tea: 3 of 4 right, p = 17/70 (Fisher's own example)", () => {
    expect(fisherGreater(3, 1, 1, 3)).toBeCloseTo(17 / 70, 10);
  });
  it('is 1 when the new side has no errors', () => {
    expect(fisherGreater(0, 50, 3, 47)).toBeCloseTo(1, 10);
  });
  it('matches scipy.stats.fisher_exact(alternative="greater") on small counts', () => {
    // fisher_exact([[5, 15], [2, 18]], alternative='greater').pvalue = 0.20374220374220375
    expect(fisherGreater(5, 15, 2, 18)).toBeCloseTo(0.2037422037, 8);
    // fisher_exact([[8, 12], [0, 20]], alternative='greater').pvalue = 0.001638001638001638
    expect(fisherGreater(8, 12, 0, 20)).toBeCloseTo(0.001638001638, 10);
  });
});

describe('twoProportionZ', () => {
  it('gives the textbook z for 8% against 1% over 1000 requests each', () => {
    const { z, pValue } = twoProportionZ({ errors: 80, total: 1000 }, { errors: 10, total: 1000 });
    // pooled p = 0.045, se = sqrt(0.045 * 0.955 * 0.002) = 0.009271; z = 0.07 / 0.009271
    expect(z).toBeCloseTo(7.55, 2);
    expect(pValue).toBeLessThan(1e-6);
  });
  it('is not significant for equal rates', () => {
    expect(twoProportionZ({ errors: 20, total: 1000 }, { errors: 20, total: 1000 }).pValue).toBeCloseTo(0.5, 6);
  });
  it('has nothing to compare when neither side failed', () => {
    expect(twoProportionZ({ errors: 0, total: 500 }, { errors: 0, total: 500 }).pValue).toBe(1);
  });
});

describe('errorRateTest', () => {
  it('takes Fisher for small counts and the z-test for large ones', () => {
    expect(errorRateTest({ errors: 3, total: 40 }, { errors: 0, total: 40 }).method).toBe('fisher');
    expect(errorRateTest({ errors: 80, total: 1000 }, { errors: 10, total: 1000 }).method).toBe('z-test');
  });
  it('has no evidence from a zero-traffic window', () => {
    expect(errorRateTest({ errors: 0, total: 0 }, { errors: 5, total: 100 }).pValue).toBe(1);
    expect(errorRateTest({ errors: 0, total: 100 }, { errors: 0, total: 0 }).pValue).toBe(1);
  });
});
