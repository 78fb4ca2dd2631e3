import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flyDeployOnSim, machinesOut } from './sim-bundle';

// The fly-deploy bundle under Node 24 against fly-sim, for what flyctl v0.4.87 really does
// with machines: standbys and autostopped machines stay stopped, a lease conflict can come
// after the release command ran, flyctl can fail while the fleet converged, a fleet can be
// left split, and a machine can crash while flyctl waits out its --wait-timeout.

const TOKEN = 'fm2_fleet-token-7d1e9a2b3c4f5061';
const { sim, run, flyctl, deployCalls } = flyDeployOnSim(TOKEN);

function workspace(app: string, toml: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${app}-`));
  writeFileSync(join(dir, 'fly.toml'), toml);
  return dir;
}

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 50));
}

describe('fly-deploy and the machines flyctl leaves', () => {
  it('an autostop app whose machines stopped deploys: they take the release and stay stopped', async () => {
    await sim().seedApp('idle-app');
    await sim().configureApp('idle-app', { knobs: { autostopAfterMs: 0 } });
    await flyctl(['deploy', '--app', 'idle-app', '--image', 'registry.fly.io/idle-app:v1', '--yes']);
    await until(() =>
      sim()
        .state()
        .apps['idle-app'].machines.every((m) => m.state === 'stopped'),
    );
    const r = await run({ app: 'idle-app', image: 'registry.fly.io/idle-app:v2' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ 'release-version': '2', convergence: 'deployed' });
    const machines = machinesOut(r);
    expect(machines).toHaveLength(2);
    expect(machines.every((m) => m.current && m.release === 2 && m.state === 'stopped')).toBe(true);
    expect(r.summary).toContain('all 2 run the new release');
  });

  it('an app with a standby machine (a group without services) deploys, the standby stays stopped', async () => {
    await sim().seedApp('worker-app');
    const dir = workspace('worker-app', 'app = "worker-app"\n\n[processes]\n  worker = "bin/worker"\n');
    await flyctl(['deploy', '--image', 'registry.fly.io/worker-app:v1', '--yes'], dir);
    const standby = sim()
      .state()
      .apps['worker-app'].machines.find((m) => m.standbys?.length);
    expect(standby?.state).toBe('created');
    const r = await run({ image: 'registry.fly.io/worker-app:v2' }, { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.convergence).toBe('deployed');
    const machines = machinesOut(r);
    expect(machines.map((m) => m.current)).toEqual([true, true]);
    expect(machines.find((m) => m.id === standby?.id)?.state).toBe('created');
  });

  it('a lease conflict after the release command ran is not retried (the migrations would run twice)', async () => {
    await sim().seedApp('migrating-app');
    const dir = workspace(
      'migrating-app',
      'app = "migrating-app"\n\n[deploy]\n  release_command = "bin/migrate"\n\n[http_service]\n  internal_port = 8080\n',
    );
    await flyctl(['deploy', '--image', 'registry.fly.io/migrating-app:v1', '--yes'], dir);
    const before = (await deployCalls('migrating-app')).length;
    const r = await run(
      { image: 'registry.fly.io/migrating-app:v2', retries: '3' },
      { cwd: dir, env: { FLY_SIM_FAULTS: 'deploy:lease,deploy:lease' } },
    );
    expect(r.exitCode).toBe(1);
    expect((await deployCalls('migrating-app')).length - before).toBe(1);
    expect(r.log).toMatch(/Created release_command machine/);
    expect(r.outputs.convergence).toBe('not-deployed');
    expect(r.summary).toContain('Machines were changed before it failed');
    // flyctl created the release before it asked for leases: it is there, failed (machines.go:328).
    expect(
      sim()
        .state()
        .apps['migrating-app'].releases.map((x) => x.status),
    ).toEqual(['complete', 'failed']);
  });

  it('a deploy flyctl reports failed while every machine converged passes as deployed-but-flyctl-failed', async () => {
    await sim().seedApp('slow-api', { releases: ['v1'] });
    const r = await run(
      { app: 'slow-api', image: 'registry.fly.io/slow-api:v2' },
      { env: { FLY_SIM_FAULTS: 'deploy:last-wait-timeout' } },
    );
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ convergence: 'deployed-but-flyctl-failed', 'release-version': '2' });
    expect(machinesOut(r).every((m) => m.current)).toBe(true);
    expect(r.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      expect.stringContaining('every machine of slow-api runs release v2'),
    ]);
    expect(r.summary).toContain('reached every machine, but flyctl failed');
    // Not retried: flyctl had changed machines.
    expect(await deployCalls('slow-api')).toHaveLength(1 + 1);
  });

  it('a fleet left split is reported as partial, with which machine runs what', async () => {
    await sim().seedApp('split-app', { releases: ['v1'] });
    const r = await run(
      { app: 'split-app', image: 'registry.fly.io/split-app:v2' },
      { env: { FLY_SIM_FAULTS: 'deploy:update-timeout' } },
    );
    expect(r.exitCode).toBe(1);
    expect(r.outputs.convergence).toBe('partial');
    const machines = machinesOut(r);
    expect(machines.map((m) => m.release).sort()).toEqual([1, 2]);
    expect(r.summary).toContain('only 1 of 2 run the new release');
    expect(r.annotations.find((a) => a.level === 'error')?.message).toContain(
      'partial: 1 of 2 machines run the new release',
    );
  });

  it('a machine that exits while flyctl waits for its checks stops the deploy, with its last log lines', async () => {
    await sim().seedApp('crashing-app', { releases: ['v1'] });
    const r = await run(
      // flyctl would wait ten minutes for a check that never passes.
      { app: 'crashing-app', image: 'registry.fly.io/crashing-app:v2-oom', 'wait-timeout': '10m' },
      { env: { FLY_SIM_CRASH_AFTER_MS: '500' } },
    );
    expect(r.exitCode).toBe(1);
    const error = r.annotations.find((a) => a.level === 'error')?.message ?? '';
    expect(error).toMatch(/machine [0-9a-f]{14} \[app\] of release v2 was killed out of memory/);
    expect(error).toContain('flyctl was stopped');
    expect(r.summary).toContain('Crashed during the deploy');
    expect(r.summary).toContain('Out of memory: Killed process');
    expect(r.outputs).toMatchObject({ convergence: 'partial', 'release-version': '2' });
    // flyctl was interrupted, not left to time out: its release says so.
    expect(sim().state().apps['crashing-app'].releases.at(-1)?.status).toBe('interrupted');
  });

  it('canary: a passing canary is gone and every machine converged; a crashing one leaves the fleet not-deployed, not partial', async () => {
    await sim().seedApp('canary-ok', { releases: ['v1'] });
    const ok = await run({ app: 'canary-ok', image: 'registry.fly.io/canary-ok:v2', strategy: 'canary' });
    expect(ok.exitCode).toBe(0);
    expect(ok.outputs.convergence).toBe('deployed');
    expect(machinesOut(ok)).toHaveLength(2);

    await sim().seedApp('canary-bad', { releases: ['v1'] });
    const bad = await run({ app: 'canary-bad', image: 'registry.fly.io/canary-bad:v2-crash', strategy: 'canary' });
    expect(bad.exitCode).toBe(1);
    // flyctl leaves the failed canary (fly_canary) running the new release: it is not part of the fleet.
    expect(
      sim()
        .state()
        .apps['canary-bad'].machines.some((m) => m.canary && m.state !== 'destroyed'),
    ).toBe(true);
    expect(bad.outputs.convergence).toBe('not-deployed');
    expect(machinesOut(bad).map((m) => [m.release, m.current])).toEqual([
      [1, false],
      [1, false],
    ]);
  });
});
