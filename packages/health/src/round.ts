import { errorMessage } from '@deploy-actions/toolkit';
import type { Check } from './checks';
import { type Evaluation, evaluate, type Outcome, type VersionSource } from './evaluate';
import type { ProbeRecord } from './gate-report';
import { type HttpOptions, type HttpRequest, type HttpResponse, retryAfterMs } from './http';
import {
  type FlyGate,
  fleetProblem,
  flyConfirmation,
  type GateMachine,
  judgeMachines,
  type MachineVerdict,
  machinesToProbe,
  unsteadyMachines,
} from './machines';

/**
 * One round of the gate: probe every target (every check, on every machine when asked), list
 * the Fly machines alongside, and judge it all into one outcome. Rounds know nothing of
 * streaks or phases; gate.ts decides what a round's outcome means.
 */

/** What every round of one gate shares. */
export interface RoundSetup {
  checks: Check[];
  expectedVersion?: string;
  versionSource: VersionSource;
  requestTimeoutMs: number;
  followRedirects: boolean;
  insecure: boolean;
  send: (request: HttpRequest, options: HttpOptions) => Promise<HttpResponse>;
  fly?: FlyGate;
  signal?: AbortSignal;
  now: () => number;
}

/** What a round starts from: what the earlier rounds learnt. */
export interface RoundInput {
  round: number;
  /** ms since the gate started. */
  atMs: number;
  /** The machines to probe one by one (per-machine gates). */
  machines: string[];
  /** The release answered in an earlier round. */
  releaseSeen: boolean;
  /** Checks that change something and already passed: never sent again. */
  done?: ReadonlySet<string>;
}

/**
 * Methods sent every round. RFC 9110 section 9.2.1 also calls OPTIONS and TRACE safe, but an app's
 * handler may still act on them; only the plain reads are repeated.
 */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * A check that changes something (POST, PUT, DELETE ...: a lead captured, an event stored) runs
 * once per gate: sent until it passes, then never again, and once through the app's URL rather
 * than on every machine. Repeating it every round would write to production each time.
 */
export function runsOnce(check: Check): boolean {
  return !SAFE_METHODS.has(check.request.method);
}

export interface RoundOutcome {
  outcome: Outcome;
  /** A non-passing round that counts towards the failure threshold. */
  counted: boolean;
  /** A problem that ends the gate at once. */
  fatal?: string;
  problems: string[];
  probes: ProbeRecord[];
  machines?: MachineVerdict[];
  /** The machines to probe next round, when this round listed them (per-machine gates). */
  nextMachines?: string[];
  /** Fly's checks confirm the release on every started machine of it (see machines.ts). */
  flyConfirmation?: string;
  /** Machines of the release up for less than flyctl's steadiness window: no verdict of healthy yet. */
  unsteady?: string;
  retryAfterMs?: number;
  releaseSeen: boolean;
}

/** What the parts of a round (probes, machines) add up to. */
interface Tally {
  seen: boolean;
  fail: boolean;
  pending: boolean;
  /** Every pending answer is the old version still answering: a reason to wait even once the release was seen. */
  waitable: boolean;
  problems: string[];
  fatal?: string;
  retryAfterMs?: number;
}

interface Answer {
  check: Check;
  machine?: string;
  response: HttpResponse;
  evaluation: Evaluation;
}

type Listing = { ok: true; list: GateMachine[] } | { ok: false; error: string };

export class LimitReached extends Error {}

/**
 * Holds a callback to its time limit even when it does not (a flyctl that ignores SIGTERM, a custom
 * probe that never settles): the gate moves on and the late result is dropped.
 */
export function bounded<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    // Same limit: a callback that set its own timer first (the HTTP client does) reports first.
    timer = setTimeout(() => reject(new LimitReached(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/** Runs one round. It never throws: what goes wrong is in the outcome. */
export async function runRound(setup: RoundSetup, input: RoundInput): Promise<RoundOutcome> {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  setup.signal?.addEventListener('abort', cancel, { once: true });
  try {
    const listing = setup.fly ? listMachines(setup.fly, setup.requestTimeoutMs, controller.signal) : undefined;
    const answers = await probeAll(setup, input.machines, controller.signal, input.done);
    const listed = await listing;
    const tally: Tally = { seen: input.releaseSeen, fail: false, pending: false, waitable: true, problems: [] };
    const probes = answers.map((answer) => judgeAnswer(setup, input, answer, tally));
    const fleet = listed ? judgeFleet(setup.fly!, listed, input.machines, tally, setup.now()) : {};
    const outcome: Outcome = tally.fail ? 'fail' : tally.pending ? 'pending' : 'pass';
    return {
      outcome,
      // Once the release was seen, anything but the old version answering counts as failing.
      counted: tally.seen && (outcome === 'fail' || (outcome === 'pending' && !tally.waitable)),
      fatal: tally.fatal,
      problems: tally.problems,
      probes,
      machines: fleet.machines,
      nextMachines: fleet.nextMachines,
      flyConfirmation: fleet.confirmation,
      unsteady: fleet.unsteady,
      retryAfterMs: tally.retryAfterMs,
      releaseSeen: tally.seen,
    };
  } finally {
    setup.signal?.removeEventListener('abort', cancel);
  }
}

/**
 * The machines to probe in round 1, learnt before it so it can already probe each of them.
 * Bounded like a probe; a failure here only means round 1 lists them itself.
 */
export async function machinesBeforeFirstRound(fly: FlyGate, timeoutMs: number, signal?: AbortSignal) {
  try {
    const listed = await bounded(fly.listMachines(timeoutMs, signal ?? new AbortController().signal), timeoutMs);
    return machinesToProbe(judgeMachines(listed, fly.releaseVersion), fly.releaseVersion);
  } catch {
    return [];
  }
}

function listMachines(fly: FlyGate, timeoutMs: number, signal: AbortSignal): Promise<Listing> {
  return bounded(fly.listMachines(timeoutMs, signal), timeoutMs).then(
    (list) => ({ ok: true as const, list }),
    (error: unknown) => ({ ok: false as const, error: errorMessage(error) }),
  );
}

/** Every check, on every given machine (per-machine gates) or once through its URL. */
function probeAll(
  setup: RoundSetup,
  machines: string[],
  signal: AbortSignal,
  done: ReadonlySet<string> = new Set(),
): Promise<Answer[]> {
  const targets: { check: Check; machine?: string }[] = [];
  for (const check of setup.checks) {
    const once = runsOnce(check);
    if (once && done.has(check.name)) continue;
    // With no started machine to pick, the app's URL is probed: the proxy starts an autostopped one.
    if (setup.fly?.perMachine && machines.length > 0 && !once)
      for (const machine of machines) targets.push({ check, machine });
    else targets.push({ check });
  }
  const httpOptions: HttpOptions = {
    timeoutMs: setup.requestTimeoutMs,
    followRedirects: setup.followRedirects,
    insecure: setup.insecure,
    signal,
  };
  return Promise.all(
    targets.map(async ({ check, machine }) => {
      const request = machine
        ? { ...check.request, headers: { ...check.request.headers, 'fly-force-instance-id': machine } }
        : check.request;
      const response = await send(setup, request, httpOptions);
      return {
        check,
        machine,
        response,
        evaluation: evaluate(check, response, setup.versionSource, setup.expectedVersion),
      };
    }),
  );
}

async function send(setup: RoundSetup, request: HttpRequest, options: HttpOptions): Promise<HttpResponse> {
  try {
    return await bounded(setup.send(request, options), setup.requestTimeoutMs);
  } catch (error) {
    // A custom probe that throws is an answer that never came.
    return {
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
}

/** Adds one answer to the tally and returns its record. */
function judgeAnswer(setup: RoundSetup, input: RoundInput, answer: Answer, tally: Tally): ProbeRecord {
  const { check, machine, response, evaluation } = answer;
  const expected = setup.expectedVersion;
  // Failing rounds count only once the release answered: its version (or Fly release) was seen or,
  // without either, the app gave any real answer. Before that everything is "not yet".
  const versionless = expected === undefined && setup.fly?.releaseVersion === undefined;
  if (expected !== undefined && evaluation.version === expected) tally.seen = true;
  if (versionless && evaluation.outcome !== 'pending') tally.seen = true;
  if (evaluation.outcome === 'fail') tally.fail = true;
  if (evaluation.outcome === 'pending') {
    tally.pending = true;
    // Only the old version still answering is a reason to wait once the release was seen.
    if (!(evaluation.version !== undefined && evaluation.version !== expected)) tally.waitable = false;
  }
  for (const p of evaluation.problems) tally.problems.push(`${check.name}${machine ? ` @${machine}` : ''}: ${p}`);
  if (response.status === 429 || response.status === 503) {
    const asked = retryAfterMs(response.headers['retry-after']);
    if (asked !== undefined) tally.retryAfterMs = Math.max(tally.retryAfterMs ?? 0, asked);
  }
  return {
    round: input.round,
    atMs: input.atMs,
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
}

/** Adds the machine listing to the tally; returns the verdicts and the machines to probe next. */
function judgeFleet(
  fly: FlyGate,
  listed: Listing,
  probed: string[],
  tally: Tally,
  now: number,
): { machines?: MachineVerdict[]; nextMachines?: string[]; confirmation?: string; unsteady?: string } {
  if (!listed.ok) {
    tally.pending = true;
    tally.problems.push(`machines of ${fly.app}: not listed (${listed.error})`);
    return {};
  }
  const release = fly.releaseVersion;
  const machines = judgeMachines(listed.list, release, now);
  if (release !== undefined && machines.some((m) => m.releaseVersion === release)) tally.seen = true;
  if (machines.length === 0) {
    tally.pending = true;
    tally.problems.push(`${fly.app} has no serving machines`);
  }
  for (const m of machines) {
    if (m.problem) tally.problems.push(m.problem);
    if (m.outcome === 'fatal') tally.fatal ??= m.problem;
    if (m.outcome === 'fail') tally.fail = true;
    if (m.outcome === 'pending') tally.pending = true;
  }
  const problem = fleetProblem(machines, release);
  if (problem) {
    tally.pending = true;
    tally.problems.push(problem);
  }
  const confirmation = flyConfirmation(machines, release, now);
  const unsteady = unsteadyMachines(machines, release, now);
  if (!fly.perMachine) return { machines, confirmation, unsteady };
  const next = machinesToProbe(machines, release);
  if (next.join() !== [...probed].sort().join()) {
    // Probes must cover exactly the machines that serve now before a round can pass.
    tally.pending = true;
    if (next.length > 0) tally.problems.push(`machines to probe changed: ${next.join(', ')}`);
  }
  return { machines, nextMachines: next, confirmation, unsteady };
}
