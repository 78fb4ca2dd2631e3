import { errorMessage, formatDuration } from '@deploy-actions/toolkit';
import { type CustomCheck, fillPlaceholders, holds } from './custom';
import { type Comparison, compareSides, type SideStats, type Thresholds, type TrafficVerdictKind } from './judge';
import type { PromClient } from './prom';
import { histogramQuantile, parseLe } from './quantile';
import { alternation, isServerError, quantileQuery, sideQueries } from './queries';

/** A machine as the analysis needs it: which release it runs since when. */
export interface TrafficMachine {
  id: string;
  state: string;
  releaseVersion?: string;
  /** When it began serving its current release (ms since epoch), if known. */
  servingSince?: number;
}

/** Where the baseline comes from. */
export type BaselineKind = 'old-machines' | 'previous-window';

/** One look at the traffic: the windows, both sides, and what they add up to. */
export interface Look {
  atMs: number;
  verdict: TrafficVerdictKind;
  reasons: string[];
  baseline?: BaselineKind;
  windowSeconds?: number;
  next?: SideStats;
  base?: SideStats;
  comparison?: Comparison;
  custom: CustomResult[];
  warnings: string[];
}

export interface CustomResult {
  query: string;
  bound: string;
  value?: number;
  verdict: TrafficVerdictKind;
}

export interface LookOptions {
  prom: PromClient;
  app: string;
  release: string;
  machines: TrafficMachine[];
  thresholds: Thresholds;
  custom?: CustomCheck[];
  now: number;
  /** Longest window looked at, and the shortest baseline taken before the deploy. */
  maxWindowSeconds?: number;
  minBaselineSeconds?: number;
}

const SERVING = new Set(['started']);

/**
 * The windows to compare. With old-release machines still serving (canary, bluegreen, a rolling
 * deploy under way), both sides are measured over the same window: since the newest new-release
 * machine began serving, so no machine changed release inside it. With none left (immediate, or a
 * finished rolling deploy), the baseline is the whole app over an earlier window ending when the
 * first new-release machine began serving.
 */
export function planWindows(
  machines: TrafficMachine[],
  release: string,
  now: number,
  maxWindowSeconds: number,
  minBaselineSeconds: number,
) {
  const serving = machines.filter((m) => SERVING.has(m.state));
  const fresh = serving.filter((m) => m.releaseVersion === release);
  const old = serving.filter((m) => m.releaseVersion !== undefined && m.releaseVersion !== release);
  if (fresh.length === 0) return { problem: `no started machine runs release ${release}` } as const;
  const starts = fresh.map((m) => m.servingSince ?? now);
  const since = Math.max(...starts);
  const windowSeconds = Math.max(1, Math.min(maxWindowSeconds, Math.ceil((now - since) / 1000)));
  const nextIds = fresh.map((m) => m.id).sort();
  if (old.length > 0) {
    return {
      baseline: 'old-machines' as const,
      windowSeconds,
      next: { instances: nextIds, atMs: now, windowSeconds },
      base: { instances: old.map((m) => m.id).sort(), atMs: now, windowSeconds },
    };
  }
  const firstStart = Math.min(...starts);
  const baseSeconds = Math.min(maxWindowSeconds, Math.max(windowSeconds, minBaselineSeconds));
  return {
    baseline: 'previous-window' as const,
    windowSeconds,
    next: { instances: nextIds, atMs: now, windowSeconds },
    base: { instances: undefined, atMs: firstStart, windowSeconds: baseSeconds },
  };
}

async function measure(
  prom: PromClient,
  app: string,
  label: string,
  side: { instances?: string[]; atMs: number; windowSeconds: number },
  warnings: string[],
): Promise<SideStats> {
  const q = sideQueries(app, side.instances, side.windowSeconds);
  const [requests, latency] = await Promise.all([prom.query(q.requests, side.atMs), prom.query(q.latency, side.atMs)]);
  for (const r of [requests, latency]) {
    warnings.push(...r.warnings.map((w) => `Prometheus warned: ${w}`));
    if (r.partial) throw new PartialAnswer();
  }
  let total = 0;
  let errors = 0;
  for (const s of requests.samples) {
    if (!Number.isFinite(s.value)) continue;
    total += s.value;
    if (isServerError(s.labels.status)) errors += s.value;
  }
  const buckets = latency.samples
    .filter((s) => s.labels.le !== undefined && Number.isFinite(s.value))
    .map((s) => ({ le: parseLe(s.labels.le), count: s.value }));
  const quantile = (q: number) => {
    const v = histogramQuantile(q, buckets);
    return Number.isFinite(v) ? v * 1000 : undefined;
  };
  const at = new Date(side.atMs).toISOString();
  return {
    label,
    requests: total,
    errors,
    errorRate: total > 0 ? (errors / total) * 100 : 0,
    p50: quantile(0.5),
    p95: quantile(0.95),
    p99: quantile(0.99),
    buckets,
    queries: [`${q.requests} @ ${at}`, `${quantileQuery(0.95, q.latency)} @ ${at}`],
  };
}

class PartialAnswer extends Error {}

/** One look: plan the windows, measure both sides and the custom checks, compare. Never throws for what Prometheus says. */
export async function lookOnce(o: LookOptions): Promise<Look> {
  const warnings: string[] = [];
  const plan = planWindows(o.machines, o.release, o.now, o.maxWindowSeconds ?? 3600, o.minBaselineSeconds ?? 300);
  if ('problem' in plan)
    return { atMs: o.now, verdict: 'inconclusive', reasons: [plan.problem!], custom: [], warnings };
  const nextLabel = `v${o.release} (${plan.next.instances.length} machine${plan.next.instances.length === 1 ? '' : 's'})`;
  const baseLabel =
    plan.baseline === 'old-machines'
      ? `previous release (${plan.base.instances!.length} machine${plan.base.instances!.length === 1 ? '' : 's'})`
      : `before the deploy (${formatDuration(plan.base.windowSeconds * 1000)})`;
  try {
    const [next, base] = await Promise.all([
      measure(o.prom, o.app, nextLabel, plan.next, warnings),
      measure(o.prom, o.app, baseLabel, plan.base, warnings),
    ]);
    const comparison = compareSides(next, base, o.thresholds);
    const custom = await runCustom(o, plan.next.instances, plan.windowSeconds, warnings);
    let verdict = comparison.verdict;
    const reasons = [...comparison.reasons];
    for (const c of custom) {
      if (c.verdict === 'fail') verdict = 'fail';
      else if (c.verdict === 'inconclusive' && verdict === 'pass') verdict = 'inconclusive';
      if (c.verdict !== 'pass')
        reasons.push(`${c.query}: ${c.value === undefined ? 'no data' : c.value} (bound ${c.bound})`);
    }
    return {
      atMs: o.now,
      verdict,
      reasons,
      baseline: plan.baseline,
      windowSeconds: plan.windowSeconds,
      next,
      base,
      comparison,
      custom,
      warnings,
    };
  } catch (error) {
    const why = error instanceof PartialAnswer ? 'Prometheus answered only in part (isPartial)' : errorMessage(error);
    return {
      atMs: o.now,
      verdict: 'inconclusive',
      reasons: [`metrics not read: ${why}`],
      baseline: plan.baseline,
      custom: [],
      warnings,
    };
  }
}

async function runCustom(
  o: LookOptions,
  instances: string[],
  windowSeconds: number,
  warnings: string[],
): Promise<CustomResult[]> {
  const results: CustomResult[] = [];
  for (const check of o.custom ?? []) {
    const query = fillPlaceholders(check.query, {
      instance: alternation(instances),
      release: o.release,
      app: o.app,
      window: `${windowSeconds}s`,
    });
    const bound = `${check.op} ${check.bound}`;
    const answer = await o.prom.query(query, o.now);
    warnings.push(...answer.warnings.map((w) => `Prometheus warned: ${w}`));
    const values = answer.samples.map((s) => s.value).filter(Number.isFinite);
    if (answer.partial || values.length === 0) {
      results.push({ query, bound, verdict: 'inconclusive' });
      continue;
    }
    const value = values.reduce((a, b) => a + b, 0);
    results.push({ query, bound, value, verdict: holds(value, check.op, check.bound) ? 'pass' : 'fail' });
  }
  return results;
}
