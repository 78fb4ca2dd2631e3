/**
 * The Fly side of the gate, kept out of the package index so flyctl code loads only when
 * a gate checks machines (`import('@deploy-actions/health/fly')`).
 */
import {
  ensureFlyctl,
  Fly,
  listMachines,
  type Machine,
  machineProcessGroup,
  machineReleaseVersion,
  requireToken,
} from '@deploy-actions/fly';
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

function toGateMachine(m: Machine): GateMachine {
  const release = machineReleaseVersion(m);
  return {
    id: m.id,
    state: m.state ?? 'unknown',
    region: m.region ?? undefined,
    releaseVersion: release === undefined ? undefined : String(release),
    processGroup: machineProcessGroup(m) || undefined,
    checks: m.checks.map((c) => ({ name: c.name ?? '?', status: c.status ?? 'unknown' })),
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
