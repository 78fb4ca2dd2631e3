/**
 * The Fly side of the gate, kept out of the package index so flyctl code loads only when
 * a gate checks machines (`import('@deploy-actions/health/fly')`).
 */
import {
  ensureFlyctl,
  Fly,
  listMachines,
  type Machine,
  machineReleaseVersion,
  requireToken,
} from '@deploy-actions/fly';
import { z } from 'zod';
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

/** superfly/fly-go@v0.9.5 machine_types.go:327-336 (MachineExitEvent); the event's own timestamp dates it. */
const exitSchema = z.looseObject({
  exit_code: z.number().nullish(),
  oom_killed: z.boolean().nullish(),
  requested_stop: z.boolean().nullish(),
  restarting: z.boolean().nullish(),
});
/** superfly/fly-go@v0.9.5 machine_types.go:293-325 (MachineEvent, MachineRequest with its `MonitorEvent`). */
const eventSchema = z.looseObject({
  type: z.string().nullish(),
  status: z.string().nullish(),
  timestamp: z.number().nullish(),
  request: z
    .looseObject({
      exit_event: exitSchema.nullish(),
      MonitorEvent: z.looseObject({ exit_event: exitSchema.nullish() }).nullish(),
      restart_count: z.number().nullish(),
    })
    .nullish(),
});
const eventsSchema = z.array(eventSchema).nullish();
const standbysSchema = z.array(z.string()).nullish();

function toEvent(raw: z.output<typeof eventSchema>): MachineEvent {
  // fly-go's GetExitCode prefers the monitor's exit event over the request's (machine_types.go:311-321).
  const exit = raw.request?.MonitorEvent?.exit_event ?? raw.request?.exit_event;
  return {
    type: raw.type ?? '',
    status: raw.status ?? undefined,
    timestamp: raw.timestamp ?? 0,
    exit: exit
      ? {
          // fly-go omits zero values (`omitempty`): a missing exit_code is 0, a missing flag false.
          code: exit.exit_code ?? 0,
          oomKilled: exit.oom_killed ?? false,
          requestedStop: exit.requested_stop ?? false,
          restarting: exit.restarting ?? false,
          restartCount: raw.request?.restart_count ?? 0,
        }
      : undefined,
  };
}

/**
 * fly-go's `MachineConfig.ProcessGroup`: `fly_process_group`, else the legacy `process_group`
 * (machine_types.go:853-870); a legacy `process_group=release_command` marks a release-command
 * machine (`IsReleaseCommandMachine`, machine_types.go:281-283).
 */
function processGroup(metadata: Record<string, string> | null | undefined): string | undefined {
  if (metadata?.fly_process_group) return metadata.fly_process_group;
  if (metadata?.process_group === 'release_command') return 'fly_app_release_command';
  return metadata?.process_group || undefined;
}

/** One machine of `flyctl machines list --json` (or `status --json`'s `Machines`) as the gate judges it. */
export function toGateMachine(m: Machine): GateMachine {
  const release = machineReleaseVersion(m);
  const loose = m as Machine & { events?: unknown; config?: { standbys?: unknown } | null };
  const events = eventsSchema.safeParse(loose.events);
  const standbys = standbysSchema.safeParse(loose.config?.standbys);
  return {
    id: m.id,
    state: m.state ?? 'unknown',
    region: m.region ?? undefined,
    releaseVersion: release === undefined ? undefined : String(release),
    processGroup: processGroup(m.config?.metadata),
    checks: m.checks.map((c) => ({ name: c.name ?? '?', status: c.status ?? 'unknown' })),
    standbyFor: standbys.success && standbys.data?.length ? standbys.data : undefined,
    // A log that does not read as fly-go's is treated as no log: nothing is inferred from it.
    events: events.success && events.data ? events.data.map(toEvent) : undefined,
  };
}

/** Machine checks through flyctl (`machines list --json` each round, under the request timeout). */
export async function flyMachineGate(options: FlyMachineGateOptions): Promise<FlyGate> {
  const env = options.env ?? process.env;
  // A missing token fails here, naming the input, before any flyctl download.
  const token = requireToken(options.token, env);
  const installed = await ensureFlyctl(options.flyctlVersion ?? ANY_FLYCTL, env);
  return machineGate(new Fly({ token, env, bin: installed.bin }), options);
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
