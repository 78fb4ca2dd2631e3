import type { Bucket } from './quantile';
import { type ErrorTest, errorRateTest } from './stats';

/** What the analysis measured on one side (the new release, or its baseline) over one window. */
export interface SideStats {
  /** `v12 (2 machines)`, `before the deploy` ... */
  label: string;
  requests: number;
  errors: number;
  /** Percent. */
  errorRate: number;
  /** Latency quantiles in ms; undefined without observations. */
  p50?: number;
  p95?: number;
  p99?: number;
  /** The latency histogram (cumulative, `le` in seconds) the quantiles came from. */
  buckets?: Bucket[];
  queries: string[];
}

export interface Thresholds {
  /** Requests each side needs before a verdict other than inconclusive. */
  minRequests: number;
  /** One-sided significance level of the error-rate test. */
  significance: number;
  /** Percent: a new error rate at or below this never fails. */
  errorFloor: number;
  /** The new error rate must also be at least this many times the baseline's to fail. */
  maxErrorRatio: number;
  /** Largest accepted new p95 / baseline p95. */
  maxLatencyRatio: number;
  /** A new p95 at or below this (ms) never fails. */
  latencyFloorMs: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  minRequests: 200,
  significance: 0.001,
  errorFloor: 1,
  maxErrorRatio: 1.5,
  maxLatencyRatio: 1.3,
  latencyFloorMs: 50,
};

export type TrafficVerdictKind = 'pass' | 'fail' | 'inconclusive';

export interface Comparison {
  verdict: TrafficVerdictKind;
  reasons: string[];
  test?: ErrorTest;
  /** New p95 / baseline p95. */
  latencyRatio?: number;
  /** The test on the share of requests slower than the baseline's p95 bucket. */
  latencyTest?: ErrorTest;
}

/** Cumulative count at bound `le` (the largest bound at or below it). */
function countAt(buckets: readonly Bucket[], le: number): number {
  let count = 0;
  for (const b of [...buckets].sort((x, y) => x.le - y.le)) if (b.le <= le) count = Math.max(count, b.count);
  return count;
}

/**
 * Whether the new release has significantly more slow requests: the share above the bucket bound
 * nearest below the baseline's p95, new against baseline. A p95 read from a histogram moves in
 * jumps when the rank crosses a bucket bound, so its ratio alone would fail good releases by
 * chance; counts above a fixed bound are proportions, tested like the error rate.
 */
export function slowShareTest(next: SideStats, base: SideStats): ErrorTest | undefined {
  if (!next.buckets?.length || !base.buckets?.length || base.p95 === undefined) return undefined;
  // The bound just below the baseline's p95 (more than 5% of its requests above it: the test has
  // volume), else the first one past it.
  const bounds = base.buckets
    .map((b) => b.le)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const p95s = base.p95 / 1000;
  const bound = bounds.filter((le) => le <= p95s).at(-1) ?? bounds.find((le) => le >= p95s);
  if (bound === undefined) return undefined;
  const total = (bs: readonly Bucket[]) => countAt(bs, Number.POSITIVE_INFINITY);
  const side = (bs: readonly Bucket[]) => ({
    errors: Math.round(total(bs) - countAt(bs, bound)),
    total: Math.round(total(bs)),
  });
  return errorRateTest(side(next.buckets), side(base.buckets));
}

const pct = (n: number) => `${Number(n.toFixed(2))}%`;

/** `p=0.0042`, `p=3.1e-7`, or `p<1e-12` where the arithmetic stops meaning anything. */
export function formatP(p: number): string {
  if (p < 1e-12) return 'p<1e-12';
  return p < 1e-4 ? `p=${p.toExponential(1)}` : `p=${Number(p.toPrecision(2))}`;
}

/**
 * Compares the new release with its baseline. Fails on a significantly higher error rate (above the
 * floor and the ratio) or a p95 grown past the ratio (above the floor); inconclusive below the
 * minimum volume on either side; passes otherwise. Every reason is one readable line.
 */
export function compareSides(next: SideStats, base: SideStats, t: Thresholds): Comparison {
  if (next.requests < t.minRequests || base.requests < t.minRequests) {
    const short = [next, base].filter((s) => s.requests < t.minRequests);
    return {
      verdict: 'inconclusive',
      reasons: short.map((s) => `${s.label}: ${Math.floor(s.requests)} requests, fewer than ${t.minRequests}`),
    };
  }
  // What failed comes first: the reason line is read from its start.
  const failures: string[] = [];
  const notes: string[] = [];
  const test = errorRateTest(
    { errors: Math.round(next.errors), total: Math.round(next.requests) },
    { errors: Math.round(base.errors), total: Math.round(base.requests) },
  );
  const significant = test.pValue < t.significance;
  const aboveFloor = next.errorRate > t.errorFloor;
  const aboveRatio = next.errorRate >= base.errorRate * t.maxErrorRatio;
  const pText = `${test.method} ${formatP(test.pValue)}`;
  if (significant && aboveFloor && aboveRatio) {
    failures.push(
      `error rate ${pct(next.errorRate)} against ${pct(base.errorRate)} before (${pText} < ${t.significance})`,
    );
  } else {
    notes.push(`error rate ${pct(next.errorRate)} against ${pct(base.errorRate)} (${pText}): within bounds`);
  }
  let latencyRatio: number | undefined;
  let latencyTest: ErrorTest | undefined;
  if (next.p95 !== undefined && base.p95 !== undefined && base.p95 > 0) {
    latencyRatio = next.p95 / base.p95;
    const text = `p95 ${Math.round(next.p95)} ms against ${Math.round(base.p95)} ms (x${latencyRatio.toFixed(2)})`;
    const slow =
      latencyRatio > t.maxLatencyRatio && next.p95 > t.latencyFloorMs ? slowShareTest(next, base) : undefined;
    latencyTest = slow;
    // Without histograms to test, the ratio decides alone.
    if (latencyRatio > t.maxLatencyRatio && next.p95 > t.latencyFloorMs && (!slow || slow.pValue < t.significance)) {
      const why = slow ? `, slower share ${formatP(slow.pValue)}` : '';
      failures.push(`${text}, above x${t.maxLatencyRatio}${why}`);
    } else notes.push(`${text}: within bounds`);
  } else if (next.p95 === undefined && next.requests > 0) {
    notes.push('no latency histogram for the new release');
  }
  return {
    verdict: failures.length > 0 ? 'fail' : 'pass',
    reasons: [...failures, ...notes],
    test,
    latencyRatio,
    latencyTest,
  };
}
