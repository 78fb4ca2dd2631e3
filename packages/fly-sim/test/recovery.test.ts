import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlySim, startFlySim } from '../src/index';

/**
 * The update of existing machines when deploy-retries > 0, as flyctl v0.4.87 runs it
 * (internal/command/deploy/machines_deploymachinesapp.go:603-610,647-759, plan.go:115-722):
 * failed checks stop the deploy on the machine that failed them, other failures are pushed
 * forward, the canary strategy updates one machine alone first.
 */
const env = { FLY_API_TOKEN: 'recovery-token', FLY_SIM_LEASE_MS: '100', NO_COLOR: '1' };
let sim: FlySim;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [env.FLY_API_TOKEN] });
});
afterAll(async () => {
  await sim?.stop();
});

const app = (name: string) => sim.state().apps[name];
const deploy = (name: string, tag: string, ...extra: string[]) =>
  sim.run(['deploy', '--app', name, '--image', `registry.fly.io/${name}:${tag}`, '--yes', ...extra], { env });

describe('deploy with deploy-retries > 0', () => {
  for (const retries of [1, 2]) {
    it(`a crash-looping image (deploy-retries ${retries}): the first machine fails alone, is not rolled back, nothing is retried`, async () => {
      const name = `crash${retries}`;
      await sim.seedApp(name, { releases: ['v1'] });
      await sim.configureApp(name, { knobs: { deployRetries: retries } });
      const [first, second] = [...app(name).machines].sort((a, b) => (a.id < b.id ? -1 : 1));
      const r = await deploy(name, 'v2-crash');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        `Error: failed to update machine ${first.id}: Unrecoverable error: smoke checks for ${first.id} failed: the app appears to be crashing`,
      );
      expect(r.stderr).not.toContain('Retrying');
      expect(r.stdout).toContain('[2/2] skipping machine update due to earlier failure');
      // Smoke checks ran once, on one machine.
      expect(r.stdout.match(/Running smoke checks/g)).toHaveLength(1);
      const after = app(name);
      const byId = new Map(after.machines.map((m) => [m.id, m]));
      expect(byId.get(first.id)?.imageRef).toBe(`registry.fly.io/${name}:v2-crash`);
      expect(byId.get(second.id)).toMatchObject({ imageRef: second.imageRef, releaseId: second.releaseId });
      expect(byId.get(second.id)?.state).toBe('started');
      expect(after.releases.at(-1)?.status).toBe('failed');
    });
  }

  it('an update call that times out is pushed forward: the whole update runs again and finishes', async () => {
    await sim.seedApp('push', { releases: ['v1'] });
    await sim.configureApp('push', { knobs: { deployRetries: 1 } });
    const r = await sim.run(['deploy', '--app', 'push', '--image', 'registry.fly.io/push:v2', '--yes'], {
      env: { ...env, FLY_SIM_FAULTS: 'deploy:update-timeout' },
    });
    // Each pass's update call times out after the platform made the change; the next pass
    // finds that machine's config current, checks it, and goes on to the next machine.
    expect(r.stderr).toMatch(
      /Failed to update machines: failed to update machine \w+: failed to update VM .* Retrying\.\.\./,
    );
    expect(r.code).toBe(0);
    expect(app('push').machines.every((m) => m.imageRef === 'registry.fly.io/push:v2')).toBe(true);
  });

  it('canary: one started machine is updated alone first, then all, without checking it twice', async () => {
    await sim.seedApp('finch', { releases: ['v1'] });
    await sim.configureApp('finch', { knobs: { deployRetries: 1 } });
    const before = app('finch').machines.map((m) => m.id);
    const r = await deploy('finch', 'v2', '--strategy', 'canary');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const alone = before[0];
    // One status line: no [i/n] index (statuslogger create.go:12).
    const solo = lines.indexOf(`> Acquiring lease for ${alone}`);
    expect(solo).toBeGreaterThan(lines.indexOf("Updating existing machines in 'finch' with canary strategy"));
    expect(lines.indexOf(`✔ Machine ${alone} is now in a good state`)).toBeGreaterThan(solo);
    const all = lines.findIndex((l) => /^> \[1\/2\] Acquiring lease/.test(l));
    expect(all).toBeGreaterThan(lines.indexOf(`✔ Cleared lease for ${alone}`));
    expect(lines.filter((l) => l.includes(`Running smoke checks on machine ${alone}`))).toHaveLength(1);
    expect(
      app('finch')
        .machines.filter((m) => before.includes(m.id))
        .every((m) => m.imageRef.endsWith(':v2')),
    ).toBe(true);
  });
});
