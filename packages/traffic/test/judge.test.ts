import { describe, expect, it } from 'vitest';
import { parseCustomChecks } from '../src/custom';
import { compareSides, DEFAULT_THRESHOLDS, type SideStats } from '../src/judge';
import { histogramQuantile } from '../src/quantile';

const side = (label: string, requests: number, errors: number, p95?: number): SideStats => ({
  label,
  requests,
  errors,
  errorRate: requests > 0 ? (errors / requests) * 100 : 0,
  p95,
  queries: [],
});

describe('compareSides', () => {
  const t = DEFAULT_THRESHOLDS;
  it('fails 8% errors against 1% on enough traffic', () => {
    const c = compareSides(side('new', 600, 48, 40), side('old', 600, 6, 40), t);
    expect(c.verdict).toBe('fail');
    expect(c.test?.method).toBe('z-test');
    expect(c.reasons[0]).toMatch(/error rate 8% against 1% before/);
  });
  it('passes the same error rate on both sides', () => {
    expect(compareSides(side('new', 600, 12, 40), side('old', 600, 12, 40), t).verdict).toBe('pass');
  });
  it('is inconclusive below the minimum volume, naming the side short of it', () => {
    const c = compareSides(side('new', 50, 10), side('old', 900, 1), t);
    expect(c.verdict).toBe('inconclusive');
    expect(c.reasons).toEqual(['new: 50 requests, fewer than 200']);
  });
  it('is inconclusive on a zero-traffic window', () => {
    expect(compareSides(side('new', 0, 0), side('old', 0, 0), t).verdict).toBe('inconclusive');
  });
  it('never fails an error rate under the absolute floor, however significant', () => {
    expect(compareSides(side('new', 100_000, 900), side('old', 100_000, 100), t).verdict).toBe('pass');
  });
  it('uses Fisher on small error counts', () => {
    // scipy fisher_exact([[9, 191], [0, 200]], 'greater') p = 0.00178; [[10, 190], [0, 200]] p = 0.00087.
    const nine = compareSides(side('new', 200, 9), side('old', 200, 0), t);
    expect(nine.test?.method).toBe('fisher');
    expect(nine.test?.pValue).toBeCloseTo(0.0017815, 6);
    expect(nine.verdict).toBe('pass');
    expect(compareSides(side('new', 200, 10), side('old', 200, 0), t).verdict).toBe('fail');
  });
  it('fails a p95 grown past the ratio, above the floor', () => {
    const c = compareSides(side('new', 400, 0, 260), side('old', 400, 0, 120), t);
    expect(c.verdict).toBe('fail');
    expect(c.latencyRatio).toBeCloseTo(260 / 120, 6);
  });
  it('never fails a p95 under the latency floor', () => {
    expect(compareSides(side('new', 400, 0, 40), side('old', 400, 0, 10), t).verdict).toBe('pass');
  });
});

describe('parseCustomChecks', () => {
  it('reads a query and its bound per line', () => {
    expect(parseCustomChecks('sum(rate(x{instance=~"{instance}"}[1m])) <= 0.5\n# note\n\nmax(y) > 2')).toEqual([
      { query: 'sum(rate(x{instance=~"{instance}"}[1m]))', op: '<=', bound: 0.5 },
      { query: 'max(y)', op: '>', bound: 2 },
    ]);
  });
  it('names every line without a bound', () => {
    expect(() => parseCustomChecks('sum(x)\nmax(y) < 1\nz >')).toThrow(
      /Input 'traffic-queries': line 1, line 3 should be a MetricsQL query followed by a bound/,
    );
  });
});

describe('the latency test', () => {
  const inf = Number.POSITIVE_INFINITY;
  const withBuckets = (label: string, counts: [number, number][]): SideStats => {
    const buckets = counts.map(([le, count]) => ({ le, count }));
    const total = buckets.at(-1)!.count;
    const base = side(label, total, 0);
    return { ...base, buckets, p95: histogramQuantile(0.95, buckets) * 1000 };
  };
  it('passes a p95 that crossed a bucket bound by chance (the share above it is no larger)', () => {
    // Baseline: 4.6% above 100 ms -> p95 99 ms; new: 7% above -> p95 146 ms (x1.48), but 14 of 200
    // against 69 of 1500 is no evidence (z-test p = 0.07).
    const base = withBuckets('old', [
      [0.05, 1200],
      [0.1, 1431],
      [0.25, 1490],
      [inf, 1500],
    ]);
    const next = withBuckets('new', [
      [0.05, 158],
      [0.1, 186],
      [0.25, 199],
      [inf, 200],
    ]);
    const c = compareSides(next, base, DEFAULT_THRESHOLDS);
    expect(c.latencyRatio).toBeGreaterThan(1.3);
    expect(c.verdict).toBe('pass');
  });
  it('fails a release whose requests are slower across the board', () => {
    const base = withBuckets('old', [
      [0.05, 1200],
      [0.1, 1431],
      [0.25, 1490],
      [inf, 1500],
    ]);
    const next = withBuckets('new', [
      [0.05, 40],
      [0.1, 120],
      [0.25, 190],
      [inf, 200],
    ]);
    const c = compareSides(next, base, DEFAULT_THRESHOLDS);
    expect(c.verdict).toBe('fail');
    expect(c.reasons[0]).toMatch(/^p95 \d+ ms against \d+ ms \(x[\d.]+\), above x1\.3, slower share p[=<]/);
  });
});
