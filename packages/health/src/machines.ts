import { describeExit, isCrash, isRestartLoop, lastStart, type MachineEvent, sinceDeploy } from './machine-events';

/** A Fly machine as the gate needs it (adapted from `flyctl machines list --json`, see fly.ts). */
export interface GateMachine {
  id: string;
  state: string;
  region?: string;
  /** `config.metadata.fly_release_version`. */
  releaseVersion?: string;
  /** `config.metadata.fly_process_group`, else the legacy `process_group`. */
  processGroup?: string;
  checks: { name: string; status: string }[];
  /** `config.standbys`: the machines this one stands by for; flyctl never starts a standby. */
  standbyFor?: string[];
  /** The machine's event log; absent when the listing carried none. */
  events?: MachineEvent[];
}

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

/**
 * How one machine looks to the gate this round:
 * - `pass`: started, checks passing;
 * - `idle`: not running, by design (a standby, kept stopped by the deploy, stopped on request,
 *   exited cleanly): neither passing nor failing;
 * - `down`: not running, and its events do not say why: tolerated next to a passing machine;
 * - `pending`: on its way (starting, an older release, checks settling);
 * - `fail`: started with a critical check; `fatal`: it crashed, ends the gate at once.
 */
export interface MachineVerdict {
  id: string;
  region?: string;
  state: string;
  releaseVersion?: string;
  checks: string;
  outcome: 'pass' | 'idle' | 'down' | 'pending' | 'fail' | 'fatal';
  /** Why the machine does not pass (pending, fail, fatal). */
  problem?: string;
  /** Why it is not running (idle, down), or what happened on the way (a restart). */
  note?: string;
  /** The exit behind a fatal verdict (ms since epoch, the exit event's time). */
  exitedAt?: number;
  /** Started, with at least one Fly check and every check passing. */
  checksPassing?: boolean;
  /** A started machine's newest `start` event (ms since epoch), when its events say. */
  upSince?: number;
}

/**
 * flyctl deems a started machine steady once it has been up 10 s without a restart loop
 * (superfly/flyctl@v0.4.87 internal/machine/leasable_machine.go:314-350, WaitForSmokeChecksToPass).
 */
export const STEADY_UPTIME_MS = 10_000;

type Judged = Pick<MachineVerdict, 'outcome' | 'problem' | 'note' | 'exitedAt'>;

/**
 * Machines that do not serve the app: release-command, console and machine-check test machines
 * (superfly/fly-go@v0.9.5 machine_types.go:24-27), and destroyed ones.
 */
const NOT_SERVING_GROUPS = new Set(['fly_app_release_command', 'fly_app_console', 'fly_app_test_machine_command']);
const GONE = new Set(['destroyed', 'destroying']);
/** States a machine passes through on its way to `started` (https://fly.io/docs/machines/machine-states/). */
const ON_THE_WAY = new Set(['creating', 'starting', 'restarting', 'replacing', 'updating', 'launching']);
/** Not running, and not on the way there. */
const AT_REST = new Set(['stopped', 'suspended', 'suspending', 'created']);
/** The machine could not start: `failed` may recover, `launch_failed` is destroyed next (machine-states). */
const COULD_NOT_START = new Set(['failed', 'launch_failed']);

function servingMachines(machines: GateMachine[]): GateMachine[] {
  return machines.filter((m) => !NOT_SERVING_GROUPS.has(m.processGroup ?? '') && !GONE.has(m.state));
}

function checksText(m: GateMachine): string {
  const passing = m.checks.filter((c) => c.status === 'passing').length;
  return m.checks.length === 0 ? 'none' : `${passing}/${m.checks.length} passing`;
}

/**
 * A started machine: judged on its Fly checks. `critical` fails once the machine has been up
 * `STEADY_UPTIME_MS` (or when its events do not say since when); before that, like `warning`, it is
 * a check still settling: flyctl itself waits for checks to pass rather than failing on them
 * (superfly/flyctl@v0.4.87 internal/machine/leasable_machine.go:371-420, WaitForHealthchecksToPass).
 */
function judgeChecks(m: GateMachine, now: number): Judged {
  const failing = m.checks.filter((c) => c.status !== 'passing');
  if (failing.length === 0) return { outcome: 'pass' };
  const detail = failing.map((c) => `${c.name} ${c.status}`).join(', ');
  const upSince = lastStart(m.events ?? []);
  const settling = upSince !== undefined && now - upSince < STEADY_UPTIME_MS;
  const outcome = failing.some((c) => c.status === 'critical') && !settling ? 'fail' : 'pending';
  return { outcome, problem: `machine ${m.id} checks not passing: ${detail}` };
}

/**
 * Why a machine of the release is not running. flyctl updates a machine without starting it
 * (`SkipLaunch`) when it is a standby, or when it was not started, starting or failed before the
 * deploy (superfly/flyctl@v0.4.87 internal/command/deploy/machines_launchinput.go:299-315); the
 * machine then stays `stopped`, or `created` (https://fly.io/docs/machines/machine-states/), with
 * no `start` after the update.
 */
function judgeAtRest(m: GateMachine, release: string): Judged {
  const events = sinceDeploy(m.events ?? []);
  const exit = events.exit?.exit;
  if (m.state === 'suspended' || m.state === 'suspending') {
    // Only a request suspends a machine (the proxy's autostop, or `fly machine suspend`).
    return { outcome: 'idle', note: 'suspended (autostop)' };
  }
  if (exit?.requestedStop) return { outcome: 'idle', note: 'stopped on request (autostop or a person)' };
  if (exit && exit.code === 0)
    return { outcome: 'idle', note: 'exited cleanly (code 0), as Fly lets machines scale down' };
  if (m.standbyFor && m.standbyFor.length > 0) {
    return { outcome: 'idle', note: `standby for ${m.standbyFor.join(', ')}` };
  }
  if (events.boundary?.type === 'update' && !events.started) {
    return { outcome: 'idle', note: 'not running before the deploy; flyctl updated it without starting it' };
  }
  if (m.state === 'created' && events.boundary?.type === 'launch' && !events.started) {
    return { outcome: 'pending', problem: `machine ${m.id} of release ${release} is created, not started yet` };
  }
  return { outcome: 'down', note: `${m.state}; its events do not say why` };
}

/** A machine of the gated release: a crash in its events decides first, then its state. */
function judgeReleaseMachine(m: GateMachine, release: string, now: number): Judged {
  const { exit } = sinceDeploy(m.events ?? []);
  const of = `machine ${m.id} of release ${release}`;
  if (exit && isCrash(exit.exit)) {
    const fatal = (problem: string): Judged => ({ outcome: 'fatal', problem, exitedAt: exit.timestamp });
    if (exit.exit.oomKilled) return fatal(`${of} was ${describeExit(exit)}`);
    if (isRestartLoop(exit.exit)) {
      return fatal(`${of} is crash-looping: ${describeExit(exit)}, restarted ${exit.exit.restartCount} times`);
    }
    if (!exit.exit.restarting) return fatal(`${of} crashed: ${describeExit(exit)}; it is ${m.state}`);
  }
  // A first crash that flyd restarts is what flyctl's own smoke check tolerates: said, not failed.
  const restarted = exit && isCrash(exit.exit) ? describeExit(exit) : undefined;
  const note = restarted && `restarted after ${restarted}`;
  if (m.state === 'started') return { ...judgeChecks(m, now), note };
  if (restarted || m.state === 'stopping') {
    const why = restarted ? `restarting after ${restarted}` : 'stopping';
    return { outcome: 'pending', problem: `${of} is ${m.state}: ${why}` };
  }
  if (ON_THE_WAY.has(m.state)) return { outcome: 'pending', problem: `machine ${m.id} is ${m.state}`, note };
  if (COULD_NOT_START.has(m.state)) return { outcome: 'fatal', problem: `${of} is ${m.state}: it could not start` };
  if (AT_REST.has(m.state)) return judgeAtRest(m, release);
  return { outcome: 'fail', problem: `machine ${m.id} is ${m.state}` };
}

/**
 * Judges each serving machine. With a release: every machine must run it; a started one must pass
 * its checks; one that is not running must be so by design (see judgeAtRest); a crash is fatal.
 * Without one, only started machines are judged (nothing says which stopped ones matter).
 */
export function judgeMachines(machines: GateMachine[], release?: string, now = Date.now()): MachineVerdict[] {
  const verdicts: MachineVerdict[] = [];
  for (const m of servingMachines(machines)) {
    const base = {
      id: m.id,
      region: m.region,
      state: m.state,
      releaseVersion: m.releaseVersion,
      checks: checksText(m),
    };
    let judged: Judged;
    if (release === undefined) {
      if (m.state !== 'started' && !ON_THE_WAY.has(m.state)) continue;
      judged =
        m.state === 'started' ? judgeChecks(m, now) : { outcome: 'pending', problem: `machine ${m.id} is ${m.state}` };
    } else if (m.releaseVersion !== release) {
      judged = {
        outcome: 'pending',
        problem: `machine ${m.id} runs release ${m.releaseVersion ?? '?'}, not ${release}`,
      };
    } else {
      judged = judgeReleaseMachine(m, release, now);
    }
    const extra: Partial<MachineVerdict> = {};
    if (judged.outcome === 'pass' && m.checks.length > 0) extra.checksPassing = true;
    const upSince = m.state === 'started' ? lastStart(m.events ?? []) : undefined;
    if (upSince !== undefined) extra.upSince = upSince;
    verdicts.push({ ...base, ...judged, ...extra });
  }
  return verdicts;
}

/**
 * The release needs at least one started machine passing its checks, unless none runs by design
 * (every machine of it idle: autostopped, standbys). Undefined when that holds.
 */
export function fleetProblem(verdicts: MachineVerdict[], release?: string): string | undefined {
  if (release === undefined) return undefined;
  const mine = verdicts.filter((m) => m.releaseVersion === release);
  if (mine.length === 0 || mine.some((m) => m.outcome !== 'idle' && m.outcome !== 'down')) return undefined;
  if (mine.every((m) => m.outcome === 'idle')) return undefined;
  const down = mine.filter((m) => m.outcome === 'down').map((m) => m.id);
  return `no machine of release ${release} is started and passing (${down.join(', ')}: not running, and the events do not say why)`;
}

/** Started machines of the release that passed this round. */
function servingRelease(verdicts: MachineVerdict[], release: string): MachineVerdict[] {
  return verdicts.filter((m) => m.releaseVersion === release && m.outcome === 'pass');
}

/**
 * Started machines of the release that have not yet been up `STEADY_UPTIME_MS` (when their events
 * say since when): the gate does not pass before they have, so a crash in that window is seen.
 * Undefined when there are none.
 */
export function unsteadyMachines(verdicts: MachineVerdict[], release: string | undefined, now: number) {
  if (release === undefined) return undefined;
  const young = servingRelease(verdicts, release).filter(
    (m) => m.upSince !== undefined && now - m.upSince < STEADY_UPTIME_MS,
  );
  if (young.length === 0) return undefined;
  const ages = young.map((m) => `${m.id} up ${Math.max(0, Math.floor((now - m.upSince!) / 1000))}s`);
  return `waiting for machines to be up ${STEADY_UPTIME_MS / 1000}s, as flyctl does: ${ages.join(', ')}`;
}

/**
 * Fly's own view as confirmation of a passing round: every started machine of the release passes
 * Fly's health checks (which Fly has been running on it) and has been up at least
 * `STEADY_UPTIME_MS`. Undefined when it does not hold (no release, no checks, no start event).
 */
export function flyConfirmation(verdicts: MachineVerdict[], release: string | undefined, now: number) {
  if (release === undefined) return undefined;
  const serving = servingRelease(verdicts, release);
  const steady = (m: MachineVerdict) =>
    m.checksPassing && m.upSince !== undefined && now - m.upSince >= STEADY_UPTIME_MS;
  if (serving.length === 0 || !serving.every(steady)) return undefined;
  const which = serving.length === 1 ? `machine ${serving[0].id}` : `all ${serving.length} started machines`;
  return `Fly's checks pass on ${which} of release ${release}, up ${STEADY_UPTIME_MS / 1000}s or more`;
}

/** When no machine of the release runs, by design: says so, for the verdict. */
export function idleFleetNote(verdicts: MachineVerdict[] | undefined, release?: string): string | undefined {
  const mine = (verdicts ?? []).filter((m) => m.releaseVersion === release);
  if (release === undefined || mine.length === 0 || !mine.every((m) => m.outcome === 'idle')) return undefined;
  return `no machine of release ${release} runs, by design: ${mine.map((m) => `${m.id} ${m.note}`).join('; ')}`;
}

/** The machines per-machine probes go to: started ones (of the release, when one is expected). */
export function machinesToProbe(verdicts: MachineVerdict[], release?: string): string[] {
  return verdicts
    .filter((m) => m.state === 'started' && (release === undefined || m.releaseVersion === release))
    .map((m) => m.id)
    .sort();
}
