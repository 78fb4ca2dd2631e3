/** A Fly machine as the gate needs it (adapted from `flyctl machines list --json`). */
export interface GateMachine {
  id: string;
  state: string;
  region?: string;
  /** `config.metadata.fly_release_version`. */
  releaseVersion?: string;
  /** `config.metadata.fly_process_group`. */
  processGroup?: string;
  checks: { name: string; status: string }[];
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

/** How one machine looks to the gate this round. `fatal`: a machine of the release stopped or crashed. */
export interface MachineVerdict {
  id: string;
  region?: string;
  state: string;
  releaseVersion?: string;
  checks: string;
  outcome: 'pass' | 'pending' | 'fail' | 'fatal';
  problem?: string;
}

/** Machines that are not part of serving the app. */
const NOT_SERVING_GROUPS = new Set(['fly_app_release_command', 'fly_app_console']);
const GONE = new Set(['destroyed', 'destroying']);
/** States a machine passes through on its way to `started`. */
const ON_THE_WAY = new Set(['created', 'starting', 'replacing', 'updating', 'launching']);
/** States a machine of the new release must never be in: it crashed or was stopped. */
const DOWN = new Set(['stopped', 'stopping', 'failed', 'suspended', 'suspending']);

/** The machines that serve traffic: release-command and console machines and destroyed ones are left out. */
function servingMachines(machines: GateMachine[]): GateMachine[] {
  return machines.filter((m) => !NOT_SERVING_GROUPS.has(m.processGroup ?? '') && !GONE.has(m.state));
}

/**
 * Judges each serving machine. With a release: every machine must run it, be started and
 * have passing checks; a stopped or crashed machine of that release is fatal at once.
 * Without one, stopped machines are ignored (standby and auto-stopped machines are normal).
 */
export function judgeMachines(machines: GateMachine[], release?: string): MachineVerdict[] {
  const verdicts: MachineVerdict[] = [];
  for (const m of servingMachines(machines)) {
    const failing = m.checks.filter((c) => c.status !== 'passing');
    const base = {
      id: m.id,
      region: m.region,
      state: m.state,
      releaseVersion: m.releaseVersion,
      checks: m.checks.length === 0 ? 'none' : `${m.checks.length - failing.length}/${m.checks.length} passing`,
    };
    if (release !== undefined && m.releaseVersion !== release) {
      verdicts.push({
        ...base,
        outcome: 'pending',
        problem: `machine ${m.id} runs release ${m.releaseVersion ?? '?'}, not ${release}`,
      });
    } else if (DOWN.has(m.state)) {
      if (release === undefined) continue;
      verdicts.push({ ...base, outcome: 'fatal', problem: `machine ${m.id} of release ${release} is ${m.state}` });
    } else if (m.state !== 'started') {
      const outcome = ON_THE_WAY.has(m.state) ? 'pending' : 'fail';
      verdicts.push({ ...base, outcome, problem: `machine ${m.id} is ${m.state}` });
    } else if (failing.length > 0) {
      const detail = failing.map((c) => `${c.name} ${c.status}`).join(', ');
      // `critical` is a failing check; anything else (`warning`, unknown) is one still settling.
      const outcome = failing.some((c) => c.status === 'critical') ? 'fail' : 'pending';
      verdicts.push({ ...base, outcome, problem: `machine ${m.id} checks not passing: ${detail}` });
    } else {
      verdicts.push({ ...base, outcome: 'pass' });
    }
  }
  return verdicts;
}

/** The machines per-machine probes go to: started ones (of the release, when one is expected). */
export function machinesToProbe(verdicts: MachineVerdict[], release?: string): string[] {
  return verdicts
    .filter((m) => m.state === 'started' && (release === undefined || m.releaseVersion === release))
    .map((m) => m.id)
    .sort();
}
