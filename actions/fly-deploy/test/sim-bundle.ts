import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { type RunBundleOptions, runBundle } from '@deploy-actions/runner';
import { afterAll, beforeAll } from 'vitest';

/** A machine as fly-deploy's `machines` output lists it. */
export interface MachineOut {
  id: string;
  state: string;
  release: number;
  current: boolean;
}

export const machinesOut = (r: { outputs: Record<string, string> }) => JSON.parse(r.outputs.machines) as MachineOut[];

/**
 * One fly-sim for a test file (started before its tests, stopped after) and the fly-deploy bundle
 * run against it under Node 24 with `token`, leases short so conflicts resolve quickly.
 */
export function flyDeployOnSim(token: string) {
  let started: FlySim | undefined;
  beforeAll(async () => {
    started = await startFlySim({ tokens: [token] });
  });
  afterAll(async () => {
    await started?.stop();
  });
  const sim = (): FlySim => {
    if (!started) throw new Error('fly-sim is not running: use it inside a test');
    return started;
  };
  return {
    sim,
    run: (inputs: RunBundleOptions['inputs'], options: Omit<RunBundleOptions, 'inputs'> = {}) =>
      runBundle('fly-deploy', {
        ...options,
        inputs,
        env: { ...sim().env, FLY_API_TOKEN: token, FLY_SIM_LEASE_MS: '100', ...options.env },
      }),
    flyctl: (args: string[], cwd?: string) => sim().run(args, { env: { FLY_API_TOKEN: token }, cwd }),
    /** The `flyctl deploy` calls fly-sim saw for `app` (named in argv or run from its workspace). */
    deployCalls: async (app: string) =>
      (await sim().calls()).filter((c) => c.args[0] === 'deploy' && (c.args.includes(app) || c.cwd.includes(app))),
  };
}
