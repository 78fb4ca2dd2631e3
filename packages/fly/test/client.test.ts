import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fly } from '../src/client';
import {
  appExists,
  createApp,
  destroyApp,
  getStatus,
  importSecrets,
  listApps,
  listMachines,
  listReleases,
  listSecrets,
  showImages,
  sshConsole,
  unsetSecrets,
} from '../src/commands';
import { DeployError, deploy } from '../src/deploy';
import { FlyError } from '../src/errors';
import { startProxy } from '../src/proxy';
import { machineReleaseVersion } from '../src/schemas';

let sim: FlySim;
let fly: Fly;
let echo: Server;

beforeAll(async () => {
  sim = await startFlySim();
  fly = new Fly({
    token: 'client-test-token',
    bin: sim.flyctl,
    env: { ...process.env, ...sim.env },
    timeoutMs: 30_000,
  });
  echo = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  await sim?.stop();
  await new Promise((r) => echo?.close(r));
});

describe('Fly against fly-sim', () => {
  it('refuses to start without a token', () => {
    expect(() => new Fly({ token: '  ' })).toThrow(/fly-api-token/);
  });

  it('creates, deploys, reads the release line, status, machines and releases', async () => {
    await createApp(fly, 'client-app', 'personal');
    expect(await appExists(fly, 'client-app')).toBe(true);
    expect(await appExists(fly, 'no-such-app')).toBe(false);
    const result = await deploy(fly, { app: 'client-app', image: 'registry.fly.io/client-app:v1', ha: false });
    expect(result.release).toMatchObject({ version: 1, imageRef: 'registry.fly.io/client-app:v1' });
    const status = await getStatus(fly, 'client-app');
    expect(status.Version).toBe(1);
    const machines = await listMachines(fly, 'client-app');
    expect(machines).toHaveLength(1);
    expect(machineReleaseVersion(machines[0])).toBe(1);
    const releases = await listReleases(fly, 'client-app');
    expect(releases[0]).toMatchObject({ version: 1, status: 'complete', imageRef: 'registry.fly.io/client-app:v1' });
  });

  it('classifies a lease error as transient and untouched, a crash as permanent and touched', async () => {
    const faulty = new Fly({
      token: 'client-test-token',
      bin: sim.flyctl,
      env: { ...process.env, ...sim.env, FLY_SIM_FAULTS: 'deploy:lease' },
    });
    const lease = await deploy(faulty, { app: 'client-app', image: 'registry.fly.io/client-app:v2' }).catch((e) => e);
    expect(lease).toBeInstanceOf(DeployError);
    expect(lease).toMatchObject({ kind: 'transient', machinesTouched: false });
    const crash = await deploy(fly, { app: 'client-app', image: 'registry.fly.io/client-app:crash' }).catch((e) => e);
    expect(crash).toMatchObject({ kind: 'permanent', machinesTouched: true });
    expect(crash.flyMessage).toMatch(/smoke checks for [0-9a-f]+ failed/);
  });

  it('echoes each command but keeps JSON documents out of the log', async () => {
    const lines: string[] = [];
    const logged = new Fly({
      token: 'client-test-token',
      bin: sim.flyctl,
      env: { ...process.env, ...sim.env },
      onLine: (line) => lines.push(line),
    });
    await getStatus(logged, 'client-app');
    await deploy(logged, { app: 'client-app', imageLabel: 'v1b', buildSecrets: { S: 'build-secret-value' } });
    expect(lines[0]).toBe('[command]flyctl status --app client-app --json');
    expect(lines.join('\n')).not.toContain('"AppURL"');
    expect(lines).toContain(
      '[command]flyctl deploy --app client-app --image-label v1b --remote-only --build-secret S=*** --yes',
    );
    expect(lines.join('\n')).not.toContain('build-secret-value');
    expect(lines.some((l) => l.startsWith('Visit your newly deployed app'))).toBe(true);
  });

  it('lists apps and the images machines run', async () => {
    const apps = await listApps(fly);
    expect(apps.map((a) => a.Name)).toContain('client-app');
    const images = await showImages(fly, 'client-app');
    expect(images[0]).toMatchObject({
      registry: 'registry.fly.io',
      repository: 'client-app',
      labels: { 'fly.version': images[0].tag },
    });
  });

  it('destroying an app twice is success both times', async () => {
    await createApp(fly, 'doomed', 'personal');
    expect(await destroyApp(fly, 'doomed')).toBe(true);
    expect(await destroyApp(fly, 'doomed')).toBe(false);
  });

  it('imports secrets through stdin exactly, lists and unsets them', async () => {
    const values = {
      PEM: 'line1\nline#2 "q"',
      URL: 'postgres://u:p@h/db?x=1#frag',
      ODD: 'a"b#c',
      QUOTE: '"',
      APOSTROPHE: "'",
      CR: 'a\rb',
      LAST: 'after-the-odd-ones',
    };
    const imported = await importSecrets(fly, 'client-app', values, { stage: true });
    expect(imported?.stdout).toContain('Secrets have been staged');
    expect(
      Object.fromEntries(Object.entries(sim.state().apps['client-app'].secrets).map(([k, v]) => [k, v.value])),
    ).toEqual(values);
    const listed = await listSecrets(fly, 'client-app');
    expect(listed.map((s) => [s.name, s.status])).toEqual(
      Object.keys(values)
        .sort()
        .map((n) => [n, 'Staged']),
    );
    const unset = await unsetSecrets(fly, 'client-app', ['PEM', 'ODD', 'QUOTE', 'APOSTROPHE', 'CR', 'LAST'], {
      stage: true,
    });
    expect(unset?.code).toBe(0);
    expect((await listSecrets(fly, 'client-app')).map((s) => s.name)).toEqual(['URL']);
    const calls = await sim.calls();
    expect(JSON.stringify(calls.map((c) => c.args))).not.toContain('postgres://');
  });

  it('calls flyctl for nothing, and refuses a value flyctl cannot read back before calling it', async () => {
    const before = (await sim.calls()).length;
    expect(await importSecrets(fly, 'client-app', {})).toBeUndefined();
    expect(await unsetSecrets(fly, 'client-app', [])).toBeUndefined();
    await expect(
      importSecrets(
        fly,
        'client-app',
        new Map([
          ['FINE', 'x'],
          ['BROKEN', 'one"""\ntwo'],
        ]),
        { stage: true },
      ),
    ).rejects.toThrow(/^Secret BROKEN cannot be passed to flyctl secrets import/);
    await expect(unsetSecrets(fly, 'client-app', ['--stage'])).rejects.toThrow(/Invalid secret name/);
    expect((await sim.calls()).length).toBe(before);
  });

  it('starts a proxy on a free port and stops it', async () => {
    await sim.configureApp('client-app', { proxyTarget: `127.0.0.1:${(echo.address() as { port: number }).port}` });
    await deploy(fly, { app: 'client-app', image: 'registry.fly.io/client-app:v3' });
    const proxy = await startProxy(fly, { app: 'client-app', remotePort: 5432 });
    expect(proxy.port).toBeGreaterThan(0);
    const reply = await new Promise<string>((resolve) => {
      const s = connect(proxy.port, proxy.host, () => s.write('hi'));
      s.on('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
    });
    expect(reply).toBe('hi');
    await proxy.stop();
    await expect(
      new Promise((resolve, reject) => {
        const s = connect(proxy.port, proxy.host, () => resolve('connected'));
        s.on('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it('runs ssh console commands and reports their failure', async () => {
    const ok = await sshConsole(fly, 'client-app', 'echo "$URL"');
    expect(ok.stdout.trim()).toBe('postgres://u:p@h/db?x=1#frag');
    await expect(sshConsole(fly, 'client-app', 'exit 4')).rejects.toThrow(FlyError);
  });

  it('kills flyctl at its timeout', async () => {
    const slow = new Fly({
      token: 'client-test-token',
      bin: sim.flyctl,
      env: { ...process.env, ...sim.env, FLY_SIM_FAULTS: 'status:hang' },
      timeoutMs: 500,
    });
    const error = await getStatus(slow, 'client-app').catch((e) => e);
    expect(error).toMatchObject({ timedOut: true, kind: 'permanent' });
  });

  it('says so when flyctl is not there', async () => {
    const missing = new Fly({ token: 'client-test-token', bin: join(sim.stateDir, 'no-flyctl') });
    await expect(getStatus(missing, 'client-app')).rejects.toThrow(/not found/);
  });
});
