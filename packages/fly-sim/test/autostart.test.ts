import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlySim, startFlySim } from '../src/index';

/**
 * `auto_start_machines`: Fly's proxy starts a stopped machine of a service on a request unless the
 * service turns it off (superfly/flyctl@v0.4.87 internal/appconfig/service.go:18 and :112;
 * https://fly.io/docs/launch/autostop-autostart/: with `auto_start_machines = false` stopped
 * machines are not started again and requests fail).
 */
const env = { FLY_API_TOKEN: 'autostart-token', FLY_SIM_LEASE_MS: '100' };
let sim: FlySim;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [env.FLY_API_TOKEN] });
});
afterAll(async () => {
  await sim?.stop();
});

/** Deploys `app` from a fly.toml whose http_service has `autostart` (left out when undefined). */
async function deploy(app: string, autostart: boolean | undefined): Promise<void> {
  const cwd = mkdtempSync(join(tmpdir(), 'fly-sim-autostart-'));
  writeFileSync(
    join(cwd, 'fly.toml'),
    [
      `app = "${app}"`,
      '',
      '[http_service]',
      '  internal_port = 8080',
      '  auto_stop_machines = "stop"',
      ...(autostart === undefined ? [] : [`  auto_start_machines = ${autostart}`]),
      '',
    ].join('\n'),
  );
  await sim.seedApp(app);
  const r = await sim.run(['deploy', '--image', `registry.fly.io/${app}:v1`, '--yes'], { env, cwd });
  expect(r.code).toBe(0);
}

/** Stops every machine of `app` (as the proxy's autostop would) and returns their ids. */
async function stopAll(app: string): Promise<string[]> {
  const machines = JSON.parse((await sim.run(['machines', 'list', '-a', app, '--json'], { env })).stdout);
  for (const m of machines) await sim.patchMachine(app, m.id, { state: 'stopped' });
  return machines.map((m: { id: string }) => m.id);
}

const states = (app: string) => sim.state().apps[app].machines.map((m) => m.state);

describe('the proxy and auto_start_machines', () => {
  it('wakes a stopped machine on a request by default (auto_start_machines not set)', async () => {
    await deploy('wakes', undefined);
    await stopAll('wakes');
    const res = await fetch(`${sim.appUrl('wakes')}/health`);
    expect(res.status).toBe(200);
    expect(states('wakes')).toContain('started');
  });

  it('with auto_start_machines = false leaves stopped machines stopped and finds no instance', async () => {
    await deploy('sleeps', false);
    const ids = await stopAll('sleeps');
    const res = await fetch(`${sim.appUrl('sleeps')}/health`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('no known healthy instances found for route\n');
    expect(states('sleeps')).toEqual(ids.map(() => 'stopped'));
    // Starting one by hand (flyctl machine start) serves again.
    expect((await sim.run(['machine', 'start', ids[0], '-a', 'sleeps'], { env })).code).toBe(0);
    expect((await fetch(`${sim.appUrl('sleeps')}/health`)).status).toBe(200);
  });
});
