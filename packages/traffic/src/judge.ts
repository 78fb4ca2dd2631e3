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
  if (next.p95 !== undefined && base.p95 !== undefined && base.p95 > 0) {
    latencyRatio = next.p95 / base.p95;
    const text = `p95 ${Math.round(next.p95)} ms against ${Math.round(base.p95)} ms (x${latencyRatio.toFixed(2)})`;
    if (latencyRatio > t.maxLatencyRatio && next.p95 > t.latencyFloorMs)
      failures.push(`${text}, above x${t.maxLatencyRatio}`);
    else notes.push(`${text}: within bounds`);
  } else if (next.p95 === undefined && next.requests > 0) {
    notes.push('no latency histogram for the new release');
  }
  return { verdict: failures.length > 0 ? 'fail' : 'pass', reasons: [...failures, ...notes], test, latencyRatio };
}
