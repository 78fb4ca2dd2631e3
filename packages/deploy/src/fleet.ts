import {
  type Fly,
  lastExit,
  listMachines,
  type Machine,
  machineLogs,
  machineProcessGroup,
  machineReleaseVersion,
  PLATFORM_GROUPS,
  type RunOptions,
} from '@deploy-actions/fly';

/**
 * Where the app's machines stand after a `flyctl deploy`, whatever flyctl said:
 * - `deployed`: every serving machine runs the new release (flyctl succeeded);
 * - `deployed-but-flyctl-failed`: the same, though flyctl failed or timed out (it gave up
 *   waiting while the fleet converged: flyctl issue #2653);
 * - `partial`: some machines run the new release, some an older one;
 * - `not-deployed`: no machine runs the new release.
 */
export type Convergence = 'deployed' | 'deployed-but-flyctl-failed' | 'partial' | 'not-deployed';

/** One serving machine: what it runs and in what state (stopped is normal for standbys and autostop). */
export interface FleetMachine {
  id: string;
  group: string;
  region: string;
  state: string;
  release?: number;
  image: string;
  /** The image's content digest as the Machines API reports it (`image_ref.digest`), if it does. */
  digest?: string;
  /** Runs the release this deploy made. */
  current: boolean;
}

/** Which machines count as running the new release. */
export interface NewReleaseMark {
  /** The new release's version, when known. */
  version?: number;
  /** Else: any release newer than this one is the new one (flyctl creates it before touching machines). */
  after?: number;
}

function isNew(machine: Machine, mark: NewReleaseMark): boolean {
  const version = machineReleaseVersion(machine);
  if (version === undefined) return false;
  if (mark.version !== undefined) return version === mark.version;
  return mark.after !== undefined && version > mark.after;
}

/**
 * A canary of the canary strategy (`fly_canary` metadata: flyctl@v0.4.87
 * machines_deploymachinesapp.go:318). flyctl destroys it once it passed; one that failed is left
 * behind, and it serves no traffic of the fleet (its DNS registration is skipped, :320).
 */
const isCanary = (m: Machine) => m.config?.metadata?.fly_canary === 'true';

/** The app's serving machines (no release_command, test, console or canary machine) as a fleet. */
export function fleetOf(machines: readonly Machine[], mark: NewReleaseMark): FleetMachine[] {
  return machines
    .filter((m) => m.state !== 'destroyed' && !PLATFORM_GROUPS.includes(machineProcessGroup(m)) && !isCanary(m))
    .map((m) => ({
      id: m.id,
      group: machineProcessGroup(m) || 'app',
      region: m.region,
      state: m.state,
      release: machineReleaseVersion(m),
      image: m.config?.image ?? '',
      digest: m.image_ref?.digest || undefined,
      current: isNew(m, mark),
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** Classifies a fleet after a deploy flyctl reported as `flyctlOk`. */
export function classifyFleet(fleet: readonly FleetMachine[], flyctlOk: boolean): Convergence {
  const current = fleet.filter((m) => m.current).length;
  if (current === 0) return 'not-deployed';
  if (current < fleet.length) return 'partial';
  return flyctlOk ? 'deployed' : 'deployed-but-flyctl-failed';
}

/**
 * The digest every machine of the new release runs, when they all report the same one: what the
 * image was when it was deployed, so a later rollback can tell whether its tag still names it.
 */
export function fleetDigest(fleet: readonly FleetMachine[]): string | undefined {
  const digests = new Set(fleet.filter((m) => m.current).map((m) => m.digest));
  const [only] = digests;
  return digests.size === 1 && only && /^sha256:[0-9a-f]{64}$/.test(only) ? only : undefined;
}

/** A machine of the new release whose process ended on its own: a crash, an OOM kill, a restart loop. */
export interface Crash {
  machine: string;
  group: string;
  release?: number;
  exitCode: number;
  oomKilled: boolean;
  restarting: boolean;
  /** When it exited (ms), from its exit event. */
  at: number;
  /** Its last log lines, when flyctl could give them. */
  logs: string[];
}

/**
 * The first crash among machines of the new release since `since`: an exit event that was
 * not a requested stop (an autostop or a deploy's own stop is one) and ended with a
 * non-zero code or an OOM kill (fly-go MachineExitEvent, machine_types.go:327-336).
 */
export function findCrash(machines: readonly Machine[], mark: NewReleaseMark, since: number): Crash | undefined {
  for (const m of machines) {
    if (!isNew(m, mark) || PLATFORM_GROUPS.includes(machineProcessGroup(m))) continue;
    const exit = lastExit(m);
    const ev = exit?.request?.exit_event;
    if (!exit || !ev || exit.timestamp < since || ev.requested_stop) continue;
    if (ev.exit_code === 0 && !ev.oom_killed) continue;
    return {
      machine: m.id,
      group: machineProcessGroup(m) || 'app',
      release: machineReleaseVersion(m),
      exitCode: ev.exit_code,
      oomKilled: ev.oom_killed,
      restarting: ev.restarting,
      at: exit.timestamp,
      logs: [],
    };
  }
  return undefined;
}

/** How a crash reads in one line. */
export function describeCrash(crash: Crash): string {
  const how = crash.oomKilled ? 'was killed out of memory' : `exited with code ${crash.exitCode}`;
  const loop = crash.restarting ? ' and keeps restarting' : '';
  return `machine ${crash.machine} [${crash.group}] of release v${crash.release ?? '?'} ${how}${loop}`;
}

/**
 * Watches the app's machines while flyctl deploys: every `intervalMs` it lists them and
 * calls `onCrash` for the first machine of the new release that crashes. flyctl itself
 * waits out `--wait-timeout` (5 minutes by default) for a machine that never passes.
 * A failed read is skipped: the next one tries again.
 */
export function watchForCrash(
  fly: Fly,
  app: string,
  options: {
    mark: NewReleaseMark;
    since: number;
    intervalMs: number;
    onCrash: (crash: Crash) => void;
    run?: RunOptions;
  },
): { stop: () => void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // A read still running when the deploy ends is stopped: the step would otherwise wait for it.
  const reading = new AbortController();
  const tick = async () => {
    if (stopped) return;
    try {
      const run = { timeoutMs: 30_000, onLine: () => {}, ...options.run, signal: reading.signal };
      const machines = await listMachines(fly, app, run);
      const crash = stopped ? undefined : findCrash(machines, options.mark, options.since);
      if (crash) {
        stopped = true;
        options.onCrash(crash);
        return;
      }
    } catch {
      // A blip while reading: the next round reads again.
    }
    if (!stopped) timer = setTimeout(tick, options.intervalMs);
  };
  timer = setTimeout(tick, options.intervalMs);
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      reading.abort();
    },
  };
}

/** The crashed machine's last log lines, or none when flyctl cannot give them (a deploy token may not read logs). */
export async function crashLogs(fly: Fly, app: string, machine: string, run?: RunOptions): Promise<string[]> {
  try {
    return (await machineLogs(fly, app, machine, { timeoutMs: 30_000, onLine: () => {}, ...run })).slice(-20);
  } catch {
    return [];
  }
}
