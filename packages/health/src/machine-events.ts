/**
 * A Fly machine's event log, read the way flyctl reads it. Shapes are fly-go's
 * (superfly/fly-go@v0.9.5 machine_types.go:293-336: MachineEvent, MachineRequest, MachineExitEvent),
 * as `flyctl machines list --json` prints them.
 */

/** One exit, from `events[].request.exit_event` (fly-go machine_types.go:327-336). */
export interface MachineExit {
  /** `exit_code`; fly-go omits it when 0 (`omitempty`). */
  code: number;
  oomKilled: boolean;
  /** The platform was asked to stop the machine (autostop, `fly machine stop`, an update). */
  requestedStop: boolean;
  /** flyd restarts the machine after this exit (its restart policy). */
  restarting: boolean;
  /** `events[].request.restart_count`: restarts so far. */
  restartCount: number;
}

export interface MachineEvent {
  /** `launch`, `start`, `exit`, `update`, ... */
  type: string;
  status?: string;
  /** ms since epoch (fly-go `Timestamp int64`, read as milliseconds by `MachineEvent.Time`, machine_types.go:301). */
  timestamp: number;
  exit?: MachineExit;
}

/** What the events say happened to a machine since its release was put on it. */
export interface SinceDeploy {
  /**
   * The event that put the current config on the machine: `launch` (a new machine) or `update`
   * (an existing one; flyctl deploys by updating). Undefined when the log holds neither.
   */
  boundary?: MachineEvent;
  /** The newest exit after the boundary. */
  exit?: MachineEvent & { exit: MachineExit };
  /** A `start` event after the boundary: the release was started on this machine. */
  started: boolean;
}

/**
 * Events newest first, as the Machines API returns them (fly-go `GetLatestEventOfType`,
 * machine_types.go:219, returns the first match); sorted again by time so the order never matters.
 */
function newestFirst(events: readonly MachineEvent[]): MachineEvent[] {
  return [...events].sort((a, b) => b.timestamp - a.timestamp);
}

export function sinceDeploy(events: readonly MachineEvent[]): SinceDeploy {
  const sorted = newestFirst(events);
  const at = sorted.findIndex((e) => e.type === 'launch' || e.type === 'update');
  const after = at === -1 ? sorted : sorted.slice(0, at);
  const exit = after.find((e): e is MachineEvent & { exit: MachineExit } => e.type === 'exit' && e.exit !== undefined);
  return { boundary: at === -1 ? undefined : sorted[at], exit, started: after.some((e) => e.type === 'start') };
}

/**
 * When the machine last started (its newest `start` event), if the log says; fly-go's
 * `MostRecentStartTimeAfterLaunch` reads the same event (machine_types.go:250-279).
 */
export function lastStart(events: readonly MachineEvent[]): number | undefined {
  return newestFirst(events).find((e) => e.type === 'start')?.timestamp;
}

/**
 * A crash: killed for memory, or a non-zero exit nobody asked for. A requested stop is not a
 * crash whatever its code (a process killed after its kill timeout exits 137); flyctl's own crash
 * test ignores requested stops too (superfly/flyctl@v0.4.87 internal/machine/leasable_machine.go:308).
 * A clean exit (0) is not one either: Fly's default `on-failure` restart policy leaves such a machine
 * stopped on purpose, "to effectively scale down by exiting cleanly"
 * (https://fly.io/docs/machines/guides-examples/machine-restart-policy/).
 */
export function isCrash(exit: MachineExit): boolean {
  return exit.oomKilled || (exit.code !== 0 && !exit.requestedStop);
}

/**
 * flyctl's "the app appears to be crashing": the newest exit was not requested, non-zero, and
 * flyd is restarting the machine for more than the first time
 * (superfly/flyctl@v0.4.87 internal/machine/leasable_machine.go:293-312, isConstantlyRestarting).
 */
export function isRestartLoop(exit: MachineExit): boolean {
  return !exit.requestedStop && exit.restarting && exit.restartCount > 1 && exit.code !== 0;
}

/** "exit code 1 at 2026-08-20T12:00:03.000Z", "OOM-killed at ...". */
export function describeExit(event: MachineEvent & { exit: MachineExit }): string {
  const at =
    Number.isFinite(event.timestamp) && event.timestamp > 0 ? ` at ${new Date(event.timestamp).toISOString()}` : '';
  return event.exit.oomKilled ? `OOM-killed (exit code ${event.exit.code})${at}` : `exit code ${event.exit.code}${at}`;
}
