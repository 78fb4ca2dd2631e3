import { describe, expect, it } from 'vitest';
import { histogramQuantile, parseLe } from '../src/quantile';

const inf = Number.POSITIVE_INFINITY;

describe('histogramQuantile (as Prometheus computes it)', () => {
  // prometheus/prometheus promql/promqltest/testdata/histograms.test, "testhistogram" positive series:
  // buckets 0.1: 50, 0.2: 70, 1: 110, +Inf: 120.
  const positive = [
    { le: 0.1, count: 50 },
    { le: 0.2, count: 70 },
    { le: 1, count: 110 },
    { le: inf, count: 120 },
  ];
  it('interpolates inside the bucket holding the rank', () => {
    expect(histogramQuantile(0.5, positive)).toBeCloseTo(0.1 + 0.1 * ((60 - 50) / 20), 10); // 0.15
    expect(histogramQuantile(0.2, positive)).toBeCloseTo(0.1 * (24 / 50), 10); // lowest bucket starts at 0
    expect(histogramQuantile(0.8, positive)).toBeCloseTo(0.2 + 0.8 * ((96 - 70) / 40), 10);
  });
  it('answers a rank in the +Inf bucket with the highest finite bound', () => {
    expect(histogramQuantile(0.99, positive)).toBe(1);
  });
  it('is NaN without observations or without a +Inf bucket', () => {
    expect(
      histogramQuantile(
        0.5,
        positive.map((b) => ({ ...b, count: 0 })),
      ),
    ).toBeNaN();
    expect(histogramQuantile(0.5, positive.slice(0, 3))).toBeNaN();
    expect(histogramQuantile(0.5, [])).toBeNaN();
  });
  it('sorts, merges equal bounds and forces counts monotonic', () => {
    const shuffled = [positive[3], positive[1], { le: 0.1, count: 30 }, { le: 0.1, count: 20 }, positive[2]];
    expect(histogramQuantile(0.5, shuffled)).toBeCloseTo(0.15, 10);
    const dip = [
      { le: 0.1, count: 50 },
      { le: 0.2, count: 40 },
      { le: inf, count: 100 },
    ];
    // 0.2's count is raised to 50: rank 50 falls in the first bucket, rank 60 in +Inf.
    expect(histogramQuantile(0.5, dip)).toBeCloseTo(0.1, 10);
    expect(histogramQuantile(0.6, dip)).toBe(0.2);
  });
  it('is -Inf and +Inf outside 0..1', () => {
    expect(histogramQuantile(-0.1, positive)).toBe(Number.NEGATIVE_INFINITY);
    expect(histogramQuantile(1.1, positive)).toBe(inf);
  });
  it('reads le labels as Prometheus writes them', () => {
    expect(parseLe('+Inf')).toBe(inf);
    expect(parseLe('.2')).toBe(0.2);
    expect(parseLe('1e0')).toBe(1);
  });
});
