import type { AppHosts } from './apphost';
import type { Fault, FaultBook } from './faults';
import { FlyFail, type Invocation, type Io } from './io';
import { type SimApp, type SimState, saveState } from './state';

/** The flyctl version fly-sim claims to be unless FLY_SIM_VERSION says otherwise. */
export const SIM_FLYCTL_VERSION = '0.4.87';

/** Shared by every command: the simulated platform and the invoking process. */
export class World {
  constructor(
    public state: SimState,
    readonly dir: string,
    readonly hosts: AppHosts,
    readonly faults: FaultBook,
    public globalFaults = '',
  ) {}

  save(): void {
    saveState(this.dir, this.state);
  }

  app(name: string): SimApp | undefined {
    return this.state.apps[name];
  }
}

export interface Ctx {
  world: World;
  inv: Invocation;
  io: Io;
  /** The flyctl version being played (decides output shapes that changed over time). */
  version: string;
  /** Takes the next injected fault for this command (and applies latency). */
  fault(command: string): Promise<Fault | undefined>;
}

/** Compares dotted versions numerically. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

/** The app a command targets: `--app`, else FLY_APP, else `app` in the config file. */
export function appName(ctx: Ctx, flag: string | undefined, configApp?: string): string {
  const name = flag || ctx.inv.env.FLY_APP || configApp;
  if (!name) {
    throw new FlyFail(
      'the config for your app is missing an app name, add an app field to the fly.toml file or specify with the -a flag',
    );
  }
  return name;
}

export function requireApp(ctx: Ctx, name: string): SimApp {
  const app = ctx.world.app(name);
  if (!app) throw new FlyFail(`Could not find App "${name}"`);
  return app;
}

/**
 * The server's text for a lease another deploy holds. Only its start is known from flyctl's
 * own source, which looks for it (superfly/flyctl@v0.4.87 internal/command/deploy/plan.go:272);
 * the holder and `expires at` form are the platform's and cannot be read from any client.
 */
export function leaseHeld(leaseMs = 13_000): string {
  const expires = new Date(Date.now() + leaseMs).toISOString().replace(/\.\d+Z$/, 'Z');
  return `lease currently held by 0a1b2c3d-deploy@tokens.fly.io, expires at ${expires}`;
}

/**
 * A lease conflict on the deploy path: fly-go's AcquireLease wraps the server text
 * (superfly/fly-go@v0.9.5 flaps/flaps_machines.go:294); the recovery path wraps that again
 * (flyctl@v0.4.87 internal/command/deploy/plan.go:212).
 */
export function deployLeaseError(machineId: string, leaseMs: number, recovery: boolean): FlyFail {
  const text = `failed to get lease on VM ${machineId}: ${leaseHeld(leaseMs)}`;
  return new FlyFail(recovery ? `failed to acquire leases: ${text}` : text);
}

// The list texts: superfly/fly-go@v0.9.5 flaps/flaps_machines.go:217 (deploy lists machines before it creates the release).
/** Errors a transient fault prints, for commands that talk to the platform before anything changes. */
export function faultError(fault: Fault, app: string, leaseMs = 13_000): FlyFail {
  switch (fault) {
    case 'lease':
      // Commands outside the deploy path take leases through internal/machine/lease.go:108.
      return new FlyFail(`failed to obtain lease: ${leaseHeld(leaseMs)}`);
    case '429':
      return new FlyFail(
        `failed to list VMs even after retries: request returned non-2xx status: 429: rate limit exceeded`,
      );
    case 'reset':
      return new FlyFail(
        `Get "https://api.machines.dev/v1/apps/${app}/machines": read tcp 10.1.0.4:51234->[2a09:8280:1::1]:443: read: connection reset by peer`,
      );
    case 'timeout':
    case 'update-timeout':
    case 'update-eof':
    case 'last-wait-timeout':
      return new FlyFail(
        `failed to list VMs even after retries: Get "https://api.machines.dev/v1/apps/${app}/machines": net/http: timeout awaiting response headers`,
      );
    case 'unauthorized':
      return new FlyFail('unauthorized');
    case 'build-failed':
      return new FlyFail(
        'failed to fetch an image or build from source: error building: failed to solve: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
      );
    case 'release-command-failed':
      return new FlyFail(
        'release command failed - aborting deployment. machine 0e28650b1d5d86 exited with non-zero status of 1',
      );
    case 'hang':
      return new FlyFail('hang');
  }
}

/** ISO time without milliseconds, as Go prints time.Time. */
export const isoNow = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
