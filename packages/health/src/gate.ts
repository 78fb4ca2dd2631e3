import { backoffDelay, formatDuration } from '@deploy-actions/toolkit';
import type { Check } from './checks';
import type { VersionSource } from './evaluate';
import {
  buildReport,
  type GateReport,
  type GateSettings,
  type Phase,
  type ProbeRecord,
  probeP95,
  type RoundRecord,
  type Verdict,
  windowProbes,
} from './gate-report';
import { type HttpOptions, type HttpRequest, type HttpResponse, httpRequest } from './http';
import { type FlyGate, idleFleetNote, type MachineVerdict } from './machines';
import { machinesBeforeFirstRound, type RoundOutcome, type RoundSetup, runRound, runsOnce } from './round';
import { errorRate } from './stats';

export interface GateOptions {
  checks: Check[];
  /** The version the new release reports (a git SHA, an image label ...). */
  expectedVersion?: string;
  /** Where answers carry their version; default `{ field: 'version' }`. */
  versionSource?: VersionSource;
  /** Overall time to become healthy. */
  timeoutMs: number;
  /** Absolute deadline (ms since epoch); wins over `timeoutMs` when given. */
  deadline?: number;
  requestTimeoutMs: number;
  /** First wait between rounds; waits grow to `maxIntervalMs` while nothing changes. */
  intervalMs: number;
  maxIntervalMs: number;
  /** Consecutive passing rounds needed. */
  successThreshold: number;
  /** Consecutive failing rounds, once the release was seen, that end the gate early. */
  failureThreshold: number;
  /** Keep observing this long after passing (0: no soak). */
  soakMs?: number;
  /** Percent of failed probes tolerated during the soak. */
  maxErrorRate?: number;
  /** p95 latency tolerated during the soak. */
  maxP95Ms?: number;
  followRedirects?: boolean;
  insecure?: boolean;
  fly?: FlyGate;
  /** Replaces the HTTP client (same contract: settle within `options.timeoutMs`). */
  probe?: (request: HttpRequest, options: HttpOptions) => Promise<HttpResponse>;
  /** Called after every round, for progress logs. */
  onRound?: (round: RoundRecord, result: { probes: ProbeRecord[]; machines?: MachineVerdict[] }) => void;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** The verdict, why, and the report with every round and probe behind it. */
export interface GateResult {
  verdict: Verdict;
  healthy: boolean;
  reason: string;
  report: GateReport;
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Where the gate stands between rounds: its phase and the streaks that move it on. */
interface Streaks {
  phase: Phase;
  success: number;
  fail: number;
  /** Non-counted waiting rounds in a row that saw the same answers: the backoff step. */
  pending: number;
  lastSignature: string;
  /** First round of the passing streak (and the soak after it). */
  windowStartRound: number;
  /** When the soak ends (ms since epoch), once it began. */
  soakEnd: number;
}

/** What one round decided: a verdict, or the wait before the next round. */
interface Step {
  verdict?: Verdict;
  reason?: string;
  delayMs: number;
}

interface Settings extends GateSettings {
  deadline: number;
}

/**
 * Runs the health gate: rounds of probes (all checks, on every machine when asked, plus the
 * Fly machine states), until `successThreshold` passing rounds in a row (then the soak), a
 * failure that cannot be waited out, or the deadline. It never throws for what the app does;
 * it ends by the deadline plus one request timeout (plus the soak, when passing).
 */
export async function runHealthGate(options: GateOptions): Promise<GateResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const started = now();
  const settings = settingsOf(options, started);
  const setup: RoundSetup = {
    checks: options.checks,
    expectedVersion: options.expectedVersion,
    versionSource: options.versionSource ?? { field: 'version' },
    requestTimeoutMs: options.requestTimeoutMs,
    followRedirects: options.followRedirects ?? false,
    insecure: options.insecure ?? false,
    send: options.probe ?? httpRequest,
    fly: options.fly,
    signal: options.signal,
    now,
  };
  const rounds: RoundRecord[] = [];
  const probes: ProbeRecord[] = [];
  const streaks: Streaks = {
    phase: 'waiting',
    success: 0,
    fail: 0,
    pending: 0,
    lastSignature: '',
    windowStartRound: 1,
    soakEnd: 0,
  };
  let machines: MachineVerdict[] | undefined;
  let probed = options.fly?.perMachine
    ? await machinesBeforeFirstRound(options.fly, options.requestTimeoutMs, options.signal)
    : [];
  let releaseSeen = false;
  const once = new Set(options.checks.filter(runsOnce).map((c) => c.name));
  const done = new Set<string>();
  let verdict: Verdict | undefined;
  let reason = '';

  for (let round = 1; !verdict; round++) {
    if (options.signal?.aborted) {
      verdict = 'cancelled';
      reason = 'cancelled before the gate decided';
      break;
    }
    const roundStart = now();
    const result = await runRound(setup, { round, atMs: roundStart - started, machines: probed, releaseSeen, done });
    // A change that passed against the release is done; one answered before the release was seen is sent again.
    for (const p of result.probes) {
      if (p.outcome === 'pass' && once.has(p.check) && result.releaseSeen) done.add(p.check);
    }
    const record: RoundRecord = {
      round,
      atMs: roundStart - started,
      durationMs: now() - roundStart,
      phase: streaks.phase,
      outcome: result.outcome,
      counted: result.counted && streaks.phase !== 'soak',
      problems: result.problems,
    };
    rounds.push(record);
    probes.push(...result.probes);
    machines = result.machines ?? machines;
    probed = result.nextMachines ?? probed;
    releaseSeen = result.releaseSeen;

    const step = advance(streaks, result, settings, round, random, now);
    if (step.verdict) ({ verdict, reason = '' } = step);
    else if (streaks.phase === 'soak' && now() + step.delayMs >= streaks.soakEnd) {
      // Nothing more to learn before the soak ends: wait it out, then judge the window.
      await sleep(Math.max(0, streaks.soakEnd - now()), options.signal);
      ({ verdict, reason } = options.signal?.aborted
        ? { verdict: 'cancelled' as const, reason: 'cancelled during the soak' }
        : judgeSoak(windowProbes(probes, streaks.windowStartRound), settings));
    } else if (streaks.phase !== 'soak' && now() >= settings.deadline) {
      verdict = 'timed-out';
      reason = `not healthy within ${formatDuration(settings.deadline - started)}: ${deadlineWhy(result, streaks, settings)}`;
    }
    if (!verdict) {
      record.delayMs =
        streaks.phase === 'soak' ? step.delayMs : Math.min(step.delayMs, Math.max(0, settings.deadline - now()));
    }
    options.onRound?.(record, { probes: result.probes, machines: result.machines });
    if (!verdict) await sleep(record.delayMs!, options.signal);
  }

  const idle = verdict === 'healthy' ? idleFleetNote(machines, settings.flyReleaseVersion) : undefined;
  if (idle) reason = `${reason}; ${idle}`;
  const report = buildReport({
    verdict: verdict!,
    reason,
    startedAt: started,
    elapsedMs: now() - started,
    settings,
    checks: options.checks,
    rounds,
    probes,
    machines,
    // The verification window exists once the gate passed (then soaked); otherwise every probe counts.
    windowStartRound: verdict === 'healthy' || streaks.phase === 'soak' ? streaks.windowStartRound : undefined,
  });
  return { verdict: report.verdict, healthy: report.healthy, reason, report };
}

function settingsOf(options: GateOptions, started: number): Settings {
  return {
    deadline: options.deadline ?? started + options.timeoutMs,
    timeoutMs: options.deadline ? options.deadline - started : options.timeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
    intervalMs: options.intervalMs,
    maxIntervalMs: options.maxIntervalMs,
    successThreshold: options.successThreshold,
    failureThreshold: options.failureThreshold,
    soakMs: options.soakMs ?? 0,
    maxErrorRate: options.maxErrorRate ?? 5,
    maxP95Ms: options.maxP95Ms,
    expectedVersion: options.expectedVersion,
    flyApp: options.fly?.app,
    flyReleaseVersion: options.fly?.releaseVersion,
    perMachine: options.fly?.perMachine ?? false,
  };
}

/**
 * The state machine: moves the streaks and the phase on after a round and says what comes next.
 * waiting -> confirming (passing rounds) -> healthy, or -> soak -> judged at its end; counted
 * failing rounds in a row (or a fatal problem) end it as failed.
 */
function advance(
  streaks: Streaks,
  result: RoundOutcome,
  settings: Settings,
  round: number,
  random: () => number,
  now: () => number,
): Step {
  let delayMs = backoffDelay(1, settings.intervalMs, settings.maxIntervalMs, random);
  const wait = (): Step => ({
    delayMs: result.retryAfterMs === undefined ? delayMs : Math.max(delayMs, result.retryAfterMs),
  });
  if (result.fatal) return { verdict: 'failed', reason: result.fatal, delayMs };
  if (streaks.phase === 'soak') {
    if (result.outcome === 'pass') streaks.fail = 0;
    else if (++streaks.fail >= settings.failureThreshold) {
      const reason = `${streaks.fail} failing rounds in a row during the soak: ${summarize(result.problems)}`;
      return { verdict: 'failed', reason, delayMs };
    }
    return wait();
  }
  if (result.outcome === 'pass') {
    if (streaks.success === 0) streaks.windowStartRound = round;
    streaks.success++;
    streaks.fail = 0;
    streaks.pending = 0;
    streaks.phase = 'confirming';
    // Fly's own checks, run on the release's machines for a while, confirm a passing round.
    const byFly = streaks.success < settings.successThreshold ? result.flyConfirmation : undefined;
    if (streaks.success < settings.successThreshold && !byFly) return wait();
    // A machine of the release younger than flyctl's steadiness window could still crash: not yet.
    if (result.unsteady) return wait();
    if (settings.soakMs === 0) {
      const rounds = `${streaks.success} passing round${streaks.success === 1 ? '' : 's'} in a row`;
      return { verdict: 'healthy', reason: byFly ? `${rounds}, confirmed by Fly: ${byFly}` : rounds, delayMs };
    }
    streaks.phase = 'soak';
    streaks.soakEnd = now() + settings.soakMs;
    return wait();
  }
  streaks.success = 0;
  streaks.phase = 'waiting';
  if (result.counted) {
    streaks.pending = 0;
    if (++streaks.fail >= settings.failureThreshold) {
      const what = settings.expectedVersion ?? settings.flyReleaseVersion;
      const after = what !== undefined ? ` after ${what} appeared` : '';
      return {
        verdict: 'failed',
        reason: `${streaks.fail} failing rounds in a row${after}: ${summarize(result.problems)}`,
        delayMs,
      };
    }
    return wait();
  }
  // Waiting for the release: back off while nothing changes; any change (refused -> 503 ->
  // old version -> new version) is progress, so the waits start short again.
  const signature = roundSignature(result.probes);
  if (signature !== streaks.lastSignature) streaks.pending = 0;
  streaks.lastSignature = signature;
  delayMs = backoffDelay(++streaks.pending, settings.intervalMs, settings.maxIntervalMs, random);
  return wait();
}

/** Why the deadline found the gate not healthy. */
function deadlineWhy(result: RoundOutcome, streaks: Streaks, settings: Settings): string {
  if (result.outcome !== 'pass') return summarize(result.problems);
  const streak = `${streaks.success} of ${settings.successThreshold} passing rounds in a row when the deadline came`;
  return result.unsteady ? `${streak}; ${result.unsteady}` : streak;
}

/** At the end of the soak: the window's error rate and p95 against their limits. */
function judgeSoak(window: ProbeRecord[], settings: Settings): { verdict: Verdict; reason: string } {
  const rate = errorRate(window);
  const p95 = probeP95(window);
  if (rate > settings.maxErrorRate) {
    return { verdict: 'failed', reason: `error rate ${rate}% during the soak, above ${settings.maxErrorRate}%` };
  }
  if (settings.maxP95Ms !== undefined && (p95 === undefined || p95 > settings.maxP95Ms)) {
    return { verdict: 'failed', reason: `p95 latency ${p95 ?? '?'} ms during the soak, above ${settings.maxP95Ms} ms` };
  }
  const p95Text = p95 === undefined ? '' : `, p95 ${p95} ms`;
  return {
    verdict: 'healthy',
    reason: `passed, then stayed healthy for a ${formatDuration(settings.soakMs)} soak (error rate ${rate}%${p95Text})`,
  };
}

/** What a round saw, coarsely: statuses (or error kinds) and versions, per check and machine. */
function roundSignature(probes: ProbeRecord[]): string {
  return probes
    .map((p) => `${p.check}@${p.machine ?? ''}=${p.status ?? p.problems[0]?.split(':')[0]}/${p.version ?? ''}`)
    .join('|');
}

/** The first problems of a round, for a one-line reason. */
function summarize(problems: string[]): string {
  if (problems.length === 0) return 'no details';
  const shown = problems.slice(0, 3).join('; ');
  return problems.length > 3 ? `${shown}; and ${problems.length - 3} more` : shown;
}
