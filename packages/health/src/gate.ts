import { backoffDelay, errorMessage, formatDuration } from '@deploy-actions/toolkit';
import type { Check } from './checks';
import { evaluate, type Outcome, type VersionSource } from './evaluate';
import { type HttpOptions, type HttpRequest, type HttpResponse, httpRequest, retryAfterMs } from './http';
import { type GateMachine, judgeMachines, type MachineVerdict } from './machines';
import { errorRate, percentile } from './stats';

/** The Fly side of the gate: machine states, and optionally one probe per machine. */
export interface FlyGate {
  app: string;
  /** Every serving machine must run this release, started, with passing checks. */
  releaseVersion?: string;
  /** Probe every started machine through the `fly-force-instance-id` header. */
  perMachine: boolean;
  /** Lists the app's machines; must settle within `timeoutMs`. */
  listMachines(timeoutMs: number, signal: AbortSignal): Promise<GateMachine[]>;
}

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
  settings: {
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
  };
  checks: { name: string; method: string; url: string; passed: boolean | undefined; problems: string[] }[];
  machines?: MachineVerdict[];
  rounds: RoundRecord[];
  probes: ProbeRecord[];
}

export interface GateResult extends GateReport {
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

interface RoundOutcome {
  outcome: Outcome;
  counted: boolean;
  fatal?: string;
  problems: string[];
  probes: ProbeRecord[];
  machines?: MachineVerdict[];
  retryAfterMs?: number;
  releaseSeen: boolean;
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
  const send = options.probe ?? httpRequest;
  const versionSource = options.versionSource ?? { field: 'version' };
  const soakMs = options.soakMs ?? 0;
  const maxErrorRate = options.maxErrorRate ?? 5;
  const started = now();
  const deadline = options.deadline ?? started + options.timeoutMs;
  const fly = options.fly;
  const release = fly?.releaseVersion;

  const rounds: RoundRecord[] = [];
  const probes: ProbeRecord[] = [];
  let machines: MachineVerdict[] | undefined;
  let knownMachines: string[] = [];
  // Failing rounds count only once the release answered: its version (or Fly release) was seen or,
  // without either, the app gave any real answer. Before that everything is "not yet".
  const versionless = options.expectedVersion === undefined && release === undefined;
  let releaseSeen = false;
  let phase: Phase = 'waiting';
  let successStreak = 0;
  let failStreak = 0;
  let pendingStreak = 0;
  let lastSignature = '';
  let windowStart = 0;
  let soakEnd = 0;
  let verdict: Verdict | undefined;
  let reason = '';

  const runRound = async (round: number): Promise<RoundOutcome> => {
    const at = now() - started;
    const controller = new AbortController();
    const cancel = () => controller.abort();
    options.signal?.addEventListener('abort', cancel, { once: true });
    const targets: { check: Check; machine?: string }[] = [];
    const probedMachines = fly?.perMachine ? knownMachines : [];
    for (const check of options.checks) {
      if (fly?.perMachine) for (const machine of probedMachines) targets.push({ check, machine });
      else targets.push({ check });
    }
    const httpOptions: HttpOptions = {
      timeoutMs: options.requestTimeoutMs,
      followRedirects: options.followRedirects ?? false,
      insecure: options.insecure ?? false,
      signal: controller.signal,
    };
    const listing = fly
      ? bounded(fly.listMachines(options.requestTimeoutMs, controller.signal), options.requestTimeoutMs).then(
          (list) => ({ ok: true as const, list }),
          (error: unknown) => ({ ok: false as const, error: errorMessage(error) }),
        )
      : undefined;
    const answers = await Promise.all(
      targets.map(async ({ check, machine }) => {
        const request = machine
          ? { ...check.request, headers: { ...check.request.headers, 'fly-force-instance-id': machine } }
          : check.request;
        let response: HttpResponse;
        try {
          response = await bounded(send(request, httpOptions), options.requestTimeoutMs);
        } catch (error) {
          // A custom probe that throws is an answer that never came.
          response = {
            url: request.url,
            headers: {},
            body: '',
            bodyBytes: 0,
            truncated: false,
            redirects: 0,
            latencyMs: 0,
            error: { kind: error instanceof LimitReached ? 'timeout' : 'network', message: errorMessage(error) },
          };
        }
        const evaluation = evaluate(check, response, versionSource, options.expectedVersion);
        return { check, machine, response, evaluation };
      }),
    );
    const listed = await listing;
    options.signal?.removeEventListener('abort', cancel);

    let seen = releaseSeen;
    const problems: string[] = [];
    let fail = false;
    let pending = false;
    let waitable = true;
    let retryAfter: number | undefined;
    const records = answers.map(({ check, machine, response, evaluation }) => {
      if (options.expectedVersion !== undefined && evaluation.version === options.expectedVersion) seen = true;
      if (versionless && evaluation.outcome !== 'pending') seen = true;
      if (evaluation.outcome === 'fail') fail = true;
      if (evaluation.outcome === 'pending') {
        pending = true;
        // Only the old version still answering is a reason to wait once the release was seen.
        if (!(evaluation.version !== undefined && evaluation.version !== options.expectedVersion)) waitable = false;
      }
      for (const p of evaluation.problems) problems.push(`${check.name}${machine ? ` @${machine}` : ''}: ${p}`);
      if (response.status === 429 || response.status === 503) {
        const asked = retryAfterMs(response.headers['retry-after']);
        if (asked !== undefined) retryAfter = Math.max(retryAfter ?? 0, asked);
      }
      const record: ProbeRecord = {
        round,
        atMs: at,
        check: check.name,
        method: check.request.method,
        url: response.url,
        machine,
        status: response.status,
        latencyMs: response.latencyMs,
        version: evaluation.version,
        outcome: evaluation.outcome,
        problems: evaluation.problems,
        bodyBytes: response.bodyBytes,
        truncated: response.truncated,
        redirects: response.redirects,
      };
      return record;
    });

    let fatal: string | undefined;
    let judged: MachineVerdict[] | undefined;
    if (listed) {
      if (!listed.ok) {
        pending = true;
        problems.push(`machines of ${fly!.app}: not listed (${listed.error})`);
      } else {
        judged = judgeMachines(listed.list, release);
        if (release !== undefined && judged.some((m) => m.releaseVersion === release)) seen = true;
        if (judged.length === 0) {
          pending = true;
          problems.push(`${fly!.app} has no serving machines`);
        }
        for (const m of judged) {
          if (m.problem) problems.push(m.problem);
          if (m.outcome === 'fatal') fatal ??= m.problem;
          if (m.outcome === 'fail') fail = true;
          if (m.outcome === 'pending') pending = true;
        }
        const next = machinesToProbe(judged, release);
        if (fly!.perMachine) {
          if (next.join() !== [...probedMachines].sort().join()) {
            // Probes must cover exactly the machines that serve now before a round can pass.
            pending = true;
            if (next.length > 0) problems.push(`machines to probe changed: ${next.join(', ')}`);
          }
          knownMachines = next;
        }
      }
    }
    const outcome: Outcome = fail ? 'fail' : pending ? 'pending' : 'pass';
    // Once the release was seen, anything but the old version answering counts as failing.
    const counted = seen && (outcome === 'fail' || (outcome === 'pending' && !waitable));
    return {
      outcome,
      counted,
      fatal,
      problems,
      probes: records,
      machines: judged,
      retryAfterMs: retryAfter,
      releaseSeen: seen,
    };
  };

  if (fly?.perMachine) {
    // Learn the machines before the first round so it can already probe each of them.
    // Bounded like a probe; a failure here only means round 1 lists them itself.
    try {
      const listed = await bounded(
        fly.listMachines(options.requestTimeoutMs, options.signal ?? new AbortController().signal),
        options.requestTimeoutMs,
      );
      knownMachines = machinesToProbe(judgeMachines(listed, release), release);
    } catch {
      // round 1 reports the listing problem
    }
  }

  for (let round = 1; ; round++) {
    if (options.signal?.aborted) {
      verdict = 'cancelled';
      reason = 'cancelled before the gate decided';
      break;
    }
    const roundStart = now();
    const result = await runRound(round);
    const record: RoundRecord = {
      round,
      atMs: roundStart - started,
      durationMs: now() - roundStart,
      phase,
      outcome: result.outcome,
      counted: result.counted && phase !== 'soak',
      problems: result.problems,
    };
    rounds.push(record);
    probes.push(...result.probes);
    if (result.machines) machines = result.machines;
    releaseSeen = result.releaseSeen;

    let delay = backoffDelay(1, options.intervalMs, options.maxIntervalMs, random);
    if (result.fatal) {
      verdict = 'failed';
      reason = result.fatal;
    } else if (phase === 'soak') {
      if (result.outcome === 'pass') failStreak = 0;
      else if (++failStreak >= options.failureThreshold) {
        verdict = 'failed';
        reason = `${failStreak} failing rounds in a row during the soak: ${summarize(result.problems)}`;
      }
    } else if (result.outcome === 'pass') {
      if (successStreak === 0) windowStart = rounds.length - 1;
      successStreak++;
      failStreak = 0;
      pendingStreak = 0;
      phase = 'confirming';
      if (successStreak >= options.successThreshold) {
        if (soakMs > 0) {
          phase = 'soak';
          soakEnd = now() + soakMs;
        } else {
          verdict = 'healthy';
          reason = `${successStreak} passing rounds in a row`;
        }
      }
    } else {
      successStreak = 0;
      phase = 'waiting';
      if (result.counted) {
        pendingStreak = 0;
        if (++failStreak >= options.failureThreshold) {
          verdict = 'failed';
          const what = options.expectedVersion ?? release;
          reason = `${failStreak} failing rounds in a row${what !== undefined ? ` after ${what} appeared` : ''}: ${summarize(result.problems)}`;
        }
      } else {
        // Waiting for the release: back off while nothing changes; any change (refused -> 503 ->
        // old version -> new version) is progress, so the waits start short again.
        const signature = roundSignature(result.probes);
        if (signature !== lastSignature) pendingStreak = 0;
        lastSignature = signature;
        delay = backoffDelay(++pendingStreak, options.intervalMs, options.maxIntervalMs, random);
      }
    }
    if (result.retryAfterMs !== undefined) delay = Math.max(delay, result.retryAfterMs);

    if (!verdict && phase === 'soak' && now() + delay >= soakEnd) {
      // Nothing more to learn before the soak ends: wait it out, then judge the window.
      await sleep(Math.max(0, soakEnd - now()), options.signal);
      if (options.signal?.aborted) {
        verdict = 'cancelled';
        reason = 'cancelled during the soak';
      } else {
        ({ verdict, reason } = judgeSoak(
          probes.filter((p) => p.round >= rounds[windowStart].round),
          maxErrorRate,
          options.maxP95Ms,
          soakMs,
        ));
      }
    }
    if (!verdict && phase !== 'soak' && now() >= deadline) {
      verdict = 'timed-out';
      const why =
        result.outcome === 'pass'
          ? `${successStreak} of ${options.successThreshold} passing rounds in a row when the deadline came`
          : summarize(result.problems);
      reason = `not healthy within ${formatDuration(deadline - started)}: ${why}`;
    }
    if (verdict) {
      options.onRound?.(record, { probes: result.probes, machines: result.machines });
      break;
    }
    if (phase !== 'soak') delay = Math.min(delay, Math.max(0, deadline - now()));
    record.delayMs = delay;
    options.onRound?.(record, { probes: result.probes, machines: result.machines });
    await sleep(delay, options.signal);
  }

  const healthy = verdict === 'healthy';
  // The verification window exists once the gate passed (then soaked); otherwise every probe counts.
  const windowProbes =
    healthy || phase === 'soak' ? probes.filter((p) => p.round >= rounds[windowStart].round) : probes;
  const last = [...probes].reverse();
  const expectedSeen =
    options.expectedVersion !== undefined && probes.some((p) => p.version === options.expectedVersion);
  const observedVersion = expectedSeen ? options.expectedVersion : last.find((p) => p.version !== undefined)?.version;
  const report: GateReport = {
    verdict: verdict!,
    healthy,
    reason,
    startedAt: new Date(started).toISOString(),
    elapsedMs: now() - started,
    attempts: rounds.length,
    observedVersion,
    lastStatus: last.find((p) => p.status !== undefined)?.status,
    errorRate: errorRate(windowProbes),
    p95Ms: percentile(
      windowProbes.filter((p) => p.status !== undefined).map((p) => p.latencyMs),
      95,
    ),
    settings: {
      timeoutMs: options.deadline ? options.deadline - started : options.timeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      intervalMs: options.intervalMs,
      maxIntervalMs: options.maxIntervalMs,
      successThreshold: options.successThreshold,
      failureThreshold: options.failureThreshold,
      soakMs,
      maxErrorRate,
      maxP95Ms: options.maxP95Ms,
      expectedVersion: options.expectedVersion,
      flyApp: fly?.app,
      flyReleaseVersion: release,
      perMachine: fly?.perMachine ?? false,
    },
    checks: options.checks.map((check) => {
      const lastRound = rounds.length;
      const mine = probes.filter((p) => p.round === lastRound && p.check === check.name);
      return {
        name: check.name,
        method: check.request.method,
        url: check.request.url,
        passed: mine.length === 0 ? undefined : mine.every((p) => p.outcome === 'pass'),
        problems: [...new Set(mine.flatMap((p) => p.problems))],
      };
    }),
    machines,
    rounds,
    probes,
  };
  return { ...report, report };
}

function judgeSoak(
  window: ProbeRecord[],
  maxErrorRate: number,
  maxP95Ms: number | undefined,
  soakMs: number,
): { verdict: Verdict; reason: string } {
  const rate = errorRate(window);
  const p95 = percentile(
    window.filter((p) => p.status !== undefined).map((p) => p.latencyMs),
    95,
  );
  if (rate > maxErrorRate) {
    return { verdict: 'failed', reason: `error rate ${rate}% during the soak, above ${maxErrorRate}%` };
  }
  if (maxP95Ms !== undefined && (p95 === undefined || p95 > maxP95Ms)) {
    return { verdict: 'failed', reason: `p95 latency ${p95 ?? '?'} ms during the soak, above ${maxP95Ms} ms` };
  }
  const p95Text = p95 === undefined ? '' : `, p95 ${p95} ms`;
  return {
    verdict: 'healthy',
    reason: `passed, then stayed healthy for a ${formatDuration(soakMs)} soak (error rate ${rate}%${p95Text})`,
  };
}

class LimitReached extends Error {}

/**
 * Holds a callback to its time limit even when it does not (a flyctl that ignores SIGTERM, a custom
 * probe that never settles): the gate moves on and the late result is dropped.
 */
function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    // Same limit: a callback that set its own timer first (the HTTP client does) reports first.
    timer = setTimeout(() => reject(new LimitReached(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/** The machines per-machine probes go to: started ones (of the release, when one is expected). */
function machinesToProbe(verdicts: MachineVerdict[], release?: string): string[] {
  return verdicts
    .filter((m) => m.state === 'started' && (release === undefined || m.releaseVersion === release))
    .map((m) => m.id)
    .sort();
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
