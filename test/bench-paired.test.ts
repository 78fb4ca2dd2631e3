import { describe, expect, it } from 'vitest';
import { formatPaired, pairedRatio } from '../bench/paired';

describe("the benches' paired ratio", () => {
  it('is exactly 1 for runs that took the same time', () => {
    expect(pairedRatio([2, 3, 4], [2, 3, 4])).toEqual({ geomean: 1, low: 1, high: 1, pairs: 3 });
  });

  it('shows a steady 10% as a difference, whatever the load of each moment', () => {
    const theirs = [2.1, 3.9, 2.4, 4.6, 2.9, 3.3, 2.2, 3.8, 2.7, 4.1];
    const ours = theirs.map((t, i) => t * (1.1 + (i % 2 ? 0.02 : -0.02)));
    const r = pairedRatio(ours, theirs);
    expect(r.geomean).toBeCloseTo(1.1, 2);
    expect(r.low).toBeGreaterThan(1.05);
    expect(r.high).toBeLessThan(1.15);
  });

  it('keeps 1 inside the interval when the pairs only scatter', () => {
    const theirs = [3, 3, 3, 3, 3, 3, 3, 3];
    const ours = [2.7, 3.3, 2.8, 3.2, 2.9, 3.1, 3.4, 2.6];
    const r = pairedRatio(ours, theirs);
    expect(r.low).toBeLessThan(1);
    expect(r.high).toBeGreaterThan(1);
  });

  it('leaves out a pair with a failed run, and prints the same figures for the same runs', () => {
    const r = pairedRatio([2, Number.NaN, 3.3], [2, 2, 3]);
    expect(r.pairs).toBe(2);
    expect(formatPaired(r)).toBe(formatPaired(pairedRatio([2, Number.NaN, 3.3], [2, 2, 3])));
    expect(formatPaired(r)).toMatch(/^1\.05× \(95%: 1\.00–1\.10, 2 pairs\)$/);
  });
});
