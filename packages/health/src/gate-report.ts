import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redact } from '@deploy-actions/toolkit';
import type { Check } from './checks';
import type { Outcome } from './evaluate';
import type { MachineVerdict } from './machines';
import { errorRate, percentile } from './stats';

/**
 * The gate's report: what it decided and every round and probe behind it (JSON-safe). The
 * `report-file` output is this object; the step summary (summary.ts) is built from it.
 */

export type Verdict = 'healthy' | 'failed' | 'timed-out' | 'cancelled';
export type Phase = 'waiting' | 'confirming' | 'soak';

export interface ProbeRecord {
  round: number;
  /** ms since the gate started. */
  atMs: number;
  check: string;
  method: string;
  url: string;
  machine?: string;
  status?: number;
  latencyMs: number;
  version?: string;
  outcome: Outcome;
  problems: string[];
  bodyBytes: number;
  truncated: boolean;
  redirects: number;
}

export interface RoundRecord {
  round: number;
  atMs: number;
  durationMs: number;
  phase: Phase;
  outcome: Outcome;
  /** True when this non-passing round counted towards `failureThreshold`. */
  counted: boolean;
  problems: string[];
  /** Wait before the next round. */
  delayMs?: number;
}

export interface GateSettings {
  timeoutMs: number;
  requestTimeoutMs: number;
  intervalMs: number;
  maxIntervalMs: number;
  successThreshold: number;
  failureThreshold: number;
  soakMs: number;
  maxErrorRate: number;
  maxP95Ms?: number;
  expectedVersion?: string;
  flyApp?: string;
  flyReleaseVersion?: string;
  perMachine: boolean;
}

export interface GateReport {
  verdict: Verdict;
  healthy: boolean;
  reason: string;
  startedAt: string;
  elapsedMs: number;
  attempts: number;
  observedVersion?: string;
  lastStatus?: number;
  /** Over the verification window (the final passing streak and the soak), else every probe. */
  errorRate: number;
  p95Ms?: number;
  settings: GateSettings;
  checks: { name: string; method: string; url: string; passed: boolean | undefined; problems: string[] }[];
  machines?: MachineVerdict[];
  rounds: RoundRecord[];
  probes: ProbeRecord[];
}

/** What the gate hands over when it ends. */
export interface GateEnding {
  verdict: Verdict;
  reason: string;
  /** ms since epoch. */
  startedAt: number;
  elapsedMs: number;
  settings: GateSettings;
  checks: Check[];
  rounds: RoundRecord[];
  probes: ProbeRecord[];
  /** The last machine verdicts, when the gate checked machines. */
  machines?: MachineVerdict[];
  /** First round of the verification window (the passing streak that passed, then the soak), if it began. */
  windowStartRound?: number;
}

/** p95 of the probes that got an answer. */
export function probeP95(probes: readonly ProbeRecord[]): number | undefined {
  return percentile(
    probes.filter((p) => p.status !== undefined).map((p) => p.latencyMs),
    95,
  );
}

/** The probes of the verification window, or every probe when the gate never got that far. */
export function windowProbes(probes: ProbeRecord[], windowStartRound: number | undefined): ProbeRecord[] {
  return windowStartRound === undefined ? probes : probes.filter((p) => p.round >= windowStartRound);
}

/** Builds the report from the rounds and probes of a finished gate. */
export function buildReport(end: GateEnding): GateReport {
  const { probes, rounds } = end;
  const expected = end.settings.expectedVersion;
  const window = windowProbes(probes, end.windowStartRound);
  const last = [...probes].reverse();
  const expectedSeen = expected !== undefined && probes.some((p) => p.version === expected);
  const lastRound = rounds.length;
  return {
    verdict: end.verdict,
    healthy: end.verdict === 'healthy',
    reason: end.reason,
    startedAt: new Date(end.startedAt).toISOString(),
    elapsedMs: end.elapsedMs,
    attempts: rounds.length,
    observedVersion: expectedSeen ? expected : last.find((p) => p.version !== undefined)?.version,
    lastStatus: last.find((p) => p.status !== undefined)?.status,
    errorRate: errorRate(window),
    p95Ms: probeP95(window),
    settings: end.settings,
    checks: end.checks.map((check) => {
      // A check sent once per gate (a write) was last probed in an earlier round: its latest round counts.
      const own = probes.filter((p) => p.check === check.name);
      const latest = own.reduce((round, p) => Math.max(round, p.round), 0);
      const mine = own.filter((p) => p.round === Math.min(latest, lastRound));
      return {
        name: check.name,
        method: check.request.method,
        url: check.request.url,
        passed: mine.length === 0 ? undefined : mine.every((p) => p.outcome === 'pass'),
        problems: [...new Set(mine.flatMap((p) => p.problems))],
      };
    }),
    machines: end.machines,
    rounds,
    probes,
  };
}

/** Writes the report as JSON (redacted: a URL or version could hold a masked value) and returns its path. */
export function writeReport(
  report: GateReport,
  dir = process.env.RUNNER_TEMP || tmpdir(),
  name = 'health-gate',
): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-report-${Date.now()}-${process.pid}.json`);
  writeFileSync(file, redact(`${JSON.stringify(report, null, 2)}\n`));
  return file;
}
