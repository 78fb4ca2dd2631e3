/**
 * An app configured with its own program (`serve`): requests to a healthy machine reach the program,
 * which gets what a Fly machine's process gets (FLY_IMAGE_REF, FLY_MACHINE_ID, the app's secrets,
 * fly.toml [env], PORT); a new image or a new secret starts a new process; the image-label knobs
 * still apply in front of it; a program that never listens answers 502.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlySim, startFlySim } from '../src/index';

let sim: FlySim;
let dir: string;
const env = { FLY_API_TOKEN: 'good-token' };

const PROGRAM = `
import { createServer } from 'node:http';
createServer((req, res) => {
  res.writeHead(req.url.startsWith('/teapot') ? 418 : 200, { 'content-type': 'application/json', 'x-app': 'own' });
  res.end(JSON.stringify({
    path: req.url, method: req.method,
    image: process.env.FLY_IMAGE_REF, machine: process.env.FLY_MACHINE_ID, app: process.env.FLY_APP_NAME,
    secret: process.env.API_KEY ?? null, mode: process.env.MODE ?? null,
  }));
}).listen(Number(process.env.PORT));
`;

beforeAll(async () => {
  sim = await startFlySim({ tokens: ['good-token'] });
  dir = mkdtempSync(join(tmpdir(), 'fly-sim-program-'));
  writeFileSync(join(dir, 'server.mjs'), PROGRAM);
  writeFileSync(join(dir, 'silent.mjs'), 'setTimeout(() => {}, 60_000);\n');
});
afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const get = async (app: string, path = '/health', init?: RequestInit) => {
  const res = await fetch(`${sim.appUrl(app)}${path}`, init);
  return {
    status: res.status,
    text: await res.text(),
    machine: res.headers.get('fly-machine-id'),
    app: res.headers.get('x-app'),
  };
};

describe("the app's own program", () => {
  it('answers every path with the machine environment Fly gives the process', async () => {
    await sim.seedApp('own', { releases: ['v1'] });
    await sim.configureApp('own', {
      serve: { command: [process.execPath, 'server.mjs'], cwd: dir, env: { MODE: 'prod' } },
    });
    const health = await get('own');
    expect(health.status).toBe(200);
    expect(health.app).toBe('own');
    const body = JSON.parse(health.text);
    expect(body).toMatchObject({ path: '/health', app: 'own', mode: 'prod', secret: null });
    expect(body.image).toMatch(/^registry\.fly\.io\/own:v1(@sha256:[0-9a-f]{64})?$/);
    expect(health.machine).toBe(body.machine);
    const post = await get('own', '/teapot?x=1', { method: 'POST', body: '{}' });
    expect(post.status).toBe(418);
    expect(JSON.parse(post.text)).toMatchObject({ path: '/teapot?x=1', method: 'POST' });
  });

  it('runs the new image and the deployed secrets after the next deploy', async () => {
    await sim.run(['secrets', 'set', 'API_KEY=k-123456', '--app', 'own'], { env });
    const body = JSON.parse((await get('own')).text);
    expect(body.secret).toBe('k-123456');
    await sim.run(['deploy', '--app', 'own', '--image', 'registry.fly.io/own:v2'], { env });
    expect(JSON.parse((await get('own')).text).image).toContain(':v2');
  });

  it('keeps the image-label knobs in front of the program', async () => {
    await sim.seedApp('sickly', { releases: ['v1-unhealthy'] });
    await sim.configureApp('sickly', { serve: { command: [process.execPath, 'server.mjs'], cwd: dir } });
    expect((await get('sickly')).status).toBe(500);
  });

  it('answers 502 for a program that never listens', { timeout: 20_000 }, async () => {
    await sim.seedApp('mute', { releases: ['v1'] });
    await sim.configureApp('mute', { serve: { command: [process.execPath, 'silent.mjs'], cwd: dir } });
    const res = await get('mute');
    expect(res.status).toBe(502);
    expect(res.text).toContain('could not reach the app');
  });
});
