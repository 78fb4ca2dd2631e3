/**
 * The Fly side of the traffic analysis, kept out of the package index so flyctl code loads only
 * when a gate asks for it (`import('@deploy-actions/traffic/fly')`): the app's machines by release
 * from `flyctl machines list --json`, its organization from `flyctl status --json`, and the
 * Prometheus client for that organization, read with the same Fly token.
 */
import {
  getStatus,
  listMachines,
  type Machine,
  machineProcessGroup,
  machineReleaseVersion,
  openFly,
  PLATFORM_GROUPS,
  requireToken,
} from '@deploy-actions/fly';
import { UserError } from '@deploy-actions/toolkit';
import type { TrafficMachine } from './analysis';
import { type PromClient, promClient } from './prom';

/** Where Fly's API lives by default; flyctl reads another from FLY_API_BASE_URL (superfly/flyctl@v0.4.87 internal/config/config.go:22,49). */
const DEFAULT_API_BASE = 'https://api.fly.io';

export interface FlyTrafficOptions {
  app: string;
  /** Organization slug (default: the app's, from `flyctl status`). */
  org?: string;
  /** Prometheus base URL (default: `<API base>/prometheus/<org>`). */
  prometheusUrl?: string;
  token?: string;
  flyctlVersion?: string;
  env?: NodeJS.ProcessEnv;
}

export interface FlyTraffic {
  prom: PromClient;
  /** The base URL queried, for the summary. */
  prometheusUrl: string;
  listMachines: () => Promise<TrafficMachine[]>;
}

/**
 * When a machine began serving its current release: the newest `start` after the `launch` or
 * `update` that put the release on it (fly-go machine_types.go:250-279 reads starts the same way);
 * else that event itself. Events carry milliseconds (fly-go `MachineEvent.Time`, machine_types.go:301).
 */
export function servingSince(machine: Machine): number | undefined {
  const events = [...machine.events].sort((a, b) => b.timestamp - a.timestamp);
  const boundary = events.findIndex((e) => e.type === 'launch' || e.type === 'update');
  const after = boundary === -1 ? events : events.slice(0, boundary);
  return after.find((e) => e.type === 'start')?.timestamp ?? (boundary === -1 ? undefined : events[boundary].timestamp);
}

/** The machines that serve the app's traffic: platform machines (release command, console ...) left out. */
export function toTrafficMachines(machines: Machine[]): TrafficMachine[] {
  return machines
    .filter((m) => !PLATFORM_GROUPS.includes(machineProcessGroup(m)))
    .map((m) => {
      const release = machineReleaseVersion(m);
      return {
        id: m.id,
        state: m.state || 'unknown',
        releaseVersion: release === undefined ? undefined : String(release),
        servingSince: servingSince(m),
      };
    });
}

export async function flyTraffic(options: FlyTrafficOptions): Promise<FlyTraffic> {
  const env = options.env ?? process.env;
  const token = requireToken(options.token, env);
  const { fly } = await openFly({ token, version: options.flyctlVersion ?? '>=0.1.0', env });
  let base = options.prometheusUrl;
  if (!base) {
    const org = options.org ?? (await getStatus(fly, options.app, { timeoutMs: 30_000 })).Organization?.Slug;
    if (!org) throw new UserError(`Could not tell the organization of ${options.app}: set the 'fly-org' input`);
    base = `${(env.FLY_API_BASE_URL || DEFAULT_API_BASE).replace(/\/+$/, '')}/prometheus/${encodeURIComponent(org)}`;
  }
  return {
    prom: promClient({ baseUrl: base, token }),
    prometheusUrl: base,
    listMachines: async () => toTrafficMachines(await listMachines(fly, options.app, { timeoutMs: 30_000 })),
  };
}
