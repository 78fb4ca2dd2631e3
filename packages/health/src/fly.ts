/**
 * The Fly side of the gate, kept out of the package index so flyctl code loads only when
 * a gate checks machines (`import('@deploy-actions/health/fly')`).
 */
import {
  type Fly,
  type MachineEvent as FlyMachineEvent,
  listMachines,
  type Machine,
  machineProcessGroup,
  machineReleaseVersion,
  openFly,
} from '@deploy-actions/fly';
import type { MachineEvent } from './machine-events';
import type { FlyGate, GateMachine } from './machines';

export interface FlyMachineGateOptions {
  app: string;
  /** Release every serving machine must run (a number, as flyctl prints it). */
  releaseVersion?: string;
  perMachine: boolean;
  /** Default: FLY_API_TOKEN / FLY_ACCESS_TOKEN from the environment. */
  token?: string;
  /** Default: any flyctl on PATH, else the pinned release is downloaded. */
  flyctlVersion?: string;
  env?: NodeJS.ProcessEnv;
}

/** Any flyctl lists machines as JSON: take the one on PATH unless a version was asked for. */
const ANY_FLYCTL = '>=0.1.0';

type ExitFields = NonNullable<NonNullable<FlyMachineEvent['request']>['exit_event']>;

/** fly-go's `GetExitCode` prefers the monitor's exit event over the request's (machine_types.go:311-321). */
function exitOf(event: FlyMachineEvent): ExitFields | undefined {
  const monitor = (event.request as { MonitorEvent?: { exit_event?: Partial<ExitFields> | null } } | undefined)
    ?.MonitorEvent?.exit_event;
  return monitor
    ? ({ ...event.request?.exit_event, ...monitor } as ExitFields)
    : (event.request?.exit_event ?? undefined);
}

function toEvent(event: FlyMachineEvent): MachineEvent {
  const exit = exitOf(event);
  return {
    type: event.type,
    status: event.status || undefined,
    timestamp: event.timestamp,
    exit: exit
      ? {
          // fly-go omits zero values (`omitempty`): a missing exit_code is 0, a missing flag false.
          code: exit.exit_code ?? 0,
          oomKilled: exit.oom_killed ?? false,
          requestedStop: exit.requested_stop ?? false,
          restarting: exit.restarting ?? false,
          restartCount: event.request?.restart_count ?? 0,
        }
      : undefined,
  };
}

/** One machine of `flyctl machines list --json` (or `status --json`'s `Machines`) as the gate judges it. */
export function toGateMachine(m: Machine): GateMachine {
  const release = machineReleaseVersion(m);
  const group = machineProcessGroup(m);
  return {
    id: m.id,
    state: m.state || 'unknown',
    region: m.region || undefined,
    releaseVersion: release === undefined ? undefined : String(release),
    // A legacy `process_group=release_command` marks a release-command machine (fly-go
    // `IsReleaseCommandMachine`, machine_types.go:281-283).
    processGroup: group === 'release_command' ? 'fly_app_release_command' : group || undefined,
    checks: m.checks.map((c) => ({ name: c.name || '?', status: c.status || 'unknown' })),
    standbyFor: m.config?.standbys?.length ? m.config.standbys : undefined,
    events: m.events.map(toEvent),
  };
}

/** Machine checks through flyctl (`machines list --json` each round, under the request timeout). */
export async function flyMachineGate(options: FlyMachineGateOptions): Promise<FlyGate> {
  // A missing token fails here, naming the input, before any flyctl download.
  const { fly } = await openFly({
    token: options.token,
    version: options.flyctlVersion ?? ANY_FLYCTL,
    env: options.env ?? process.env,
  });
  return machineGate(fly, options);
}

/** The gate's machine checks over a flyctl the caller already set up. */
export function machineGate(fly: Fly, target: Pick<FlyGate, 'app' | 'releaseVersion' | 'perMachine'>): FlyGate {
  return {
    app: target.app,
    releaseVersion: target.releaseVersion,
    perMachine: target.perMachine,
    listMachines: async (timeoutMs) => (await listMachines(fly, target.app, { timeoutMs })).map(toGateMachine),
  };
}
