import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flyDeployOnSim, machinesOut } from './sim-bundle';

// The fly-deploy bundle under Node 24 against fly-sim when flyctl takes its deploy-retries
// path (the server-side flag, or --deploy-retries > 0: flyctl@v0.4.87 deploy.go:626-633,
// machines_deploymachinesapp.go:603-610). There a failed check stops flyctl on the first
// machine, which it leaves on the new release; the others are never touched (plan.go:349-408).

const TOKEN = 'fm2_recovery-token-5b8c0d2e4f6a7091';
const { sim, run, flyctl, deployCalls } = flyDeployOnSim(TOKEN);
const releaseCommands = (app: string) =>
  sim()
    .state()
    .apps[app].machines.filter((m) => m.processGroup === 'fly_app_release_command').length;

/** An app with a release command and two started machines on v1, flyctl on its deploy-retries path. */
async function migratingApp(app: string, deployRetries: number): Promise<string> {
  await sim().seedApp(app);
  const dir = mkdtempSync(join(tmpdir(), `${app}-`));
  writeFileSync(
    join(dir, 'fly.toml'),
    `app = "${app}"\n\n[deploy]\n  release_command = "bin/migrate"\n\n[http_service]\n  internal_port = 8080\n`,
  );
  await flyctl(['deploy', '--image', `registry.fly.io/${app}:v1`, '--yes'], dir);
  await sim().configureApp(app, { knobs: { deployRetries } });
  return dir;
}

describe('fly-deploy when flyctl deploys with deploy-retries', () => {
  for (const deployRetries of [1, 2]) {
    it(`deploy-retries ${deployRetries}, a crash-looping image: partial, not retried, the other machine untouched`, async () => {
      const app = `retry-crash-${deployRetries}`;
      const dir = await migratingApp(app, deployRetries);
      const calls = (await deployCalls(app)).length;
      const migrations = releaseCommands(app);
      const before = new Map(
        sim()
          .state()
          .apps[app].machines.map((m) => [m.id, { ...m }]),
      );
      const r = await run({ image: `registry.fly.io/${app}:v2-crash`, retries: '3' }, { cwd: dir });
      expect(r.exitCode).toBe(1);
      // flyctl itself retries nothing after failed checks, and neither do we: the release command ran.
      expect((await deployCalls(app)).length - calls).toBe(1);
      expect(releaseCommands(app) - migrations).toBe(1);
      expect(r.log).not.toContain('Retrying');
      // What really happened: one machine runs the crashing release, the other still v1.
      expect(r.outputs).toMatchObject({ convergence: 'partial', 'release-version': '2' });
      const machines = machinesOut(r);
      const [failed, untouched] = [...machines].sort((a, b) => Number(b.current) - Number(a.current));
      expect(failed).toMatchObject({ release: 2, current: true });
      expect(untouched).toMatchObject({ release: 1, current: false, state: 'started' });
      const kept = sim()
        .state()
        .apps[app].machines.find((m) => m.id === untouched.id);
      expect(kept).toMatchObject({
        imageRef: before.get(untouched.id)?.imageRef,
        releaseId: before.get(untouched.id)?.releaseId,
        updatedAt: before.get(untouched.id)?.updatedAt,
      });
      expect(r.summary).toContain('only 1 of 2 run the new release');
      expect(r.annotations.find((a) => a.level === 'error')?.message).toContain('the app appears to be crashing');
      expect(sim().state().apps[app].releases.at(-1)?.status).toBe('failed');
    });
  }

  it('a machine that crashes while flyctl waits for its health checks stops flyctl; the rest stays on v1', async () => {
    const app = 'retry-oom';
    const dir = await migratingApp(app, 1);
    const calls = (await deployCalls(app)).length;
    const r = await run(
      // flyctl would wait ten minutes for a check that never passes.
      { image: `registry.fly.io/${app}:v2-oom`, 'wait-timeout': '10m', retries: '3' },
      { cwd: dir, env: { FLY_SIM_CRASH_AFTER_MS: '500' } },
    );
    expect(r.exitCode).toBe(1);
    expect((await deployCalls(app)).length - calls).toBe(1);
    const error = r.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toMatch(/machine [0-9a-f]{14} \[app\] of release v2 was killed out of memory/);
    expect(error).toContain('flyctl was stopped');
    expect(r.outputs).toMatchObject({ convergence: 'partial', 'release-version': '2' });
    expect(
      machinesOut(r)
        .map((m) => m.release)
        .sort(),
    ).toEqual([1, 2]);
    expect(sim().state().apps[app].releases.at(-1)?.status).toBe('interrupted');
  });

  it('a lease held elsewhere stops flyctl before any machine changed: retried, and it deploys', async () => {
    await sim().seedApp('retry-lease', { releases: ['v1'] });
    await sim().configureApp('retry-lease', { knobs: { deployRetries: 2 } });
    const r = await run(
      { app: 'retry-lease', image: 'registry.fly.io/retry-lease:v2' },
      { env: { FLY_SIM_FAULTS: 'deploy:lease' } },
    );
    // flyctl's own lease retries stop at an unrecoverable "failed to get lease" (plan.go:201-214, 811-822).
    expect(r.log).toContain('failed to acquire leases: Unrecoverable error: failed to get lease on VM');
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ convergence: 'deployed', 'release-version': '3' });
    expect(await deployCalls('retry-lease')).toHaveLength(1 + 2);
  });

  it('flyctl pushing timed-out machine updates forward until they pass is a deploy, run once', async () => {
    await sim().seedApp('retry-push', { releases: ['v1'] });
    await sim().configureApp('retry-push', { knobs: { deployRetries: 1 } });
    const r = await run(
      { app: 'retry-push', image: 'registry.fly.io/retry-push:v2', retries: '3' },
      { env: { FLY_SIM_FAULTS: 'deploy:update-timeout' } },
    );
    expect(r.log).toContain('Retrying...');
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ convergence: 'deployed', 'release-version': '2' });
    expect(machinesOut(r).every((m) => m.current)).toBe(true);
    expect(await deployCalls('retry-push')).toHaveLength(1 + 1);
  });

  it('the deploy-retries input takes flyctl onto that path whatever the server says', async () => {
    const app = 'retry-input';
    const dir = await migratingApp(app, 0);
    const r = await run({ image: `registry.fly.io/${app}:v2-crash`, 'deploy-retries': '2' }, { cwd: dir });
    expect(r.exitCode).toBe(1);
    const calls = await deployCalls(app);
    expect(calls.at(-1)?.args.join(' ')).toContain('--deploy-retries 2');
    expect(r.log).toContain('Unrecoverable error: smoke checks for');
    expect(r.outputs.convergence).toBe('partial');
  });

  it('refuses a deploy-retries that is not a whole number, naming the input', async () => {
    const r = await run({ app: 'retry-input', image: 'registry.fly.io/retry-input:v3', 'deploy-retries': 'many' });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.find((a) => a.level === 'error')?.message).toMatch(/deploy-retries/);
    expect(r.log).not.toMatch(/\n\s+at /);
  });
});
