import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { runBundle } from '@deploy-actions/runner';
import { afterAll, beforeAll, expect, it } from 'vitest';

const TOKEN = 'fm2_install-test-token-0d9e8f7a';
let sim: FlySim;
let server: Server;
let dir: string;
const served: string[] = [];
const redirected: string[] = [];
let elsewhere: Server;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [TOKEN] });
  dir = mkdtempSync(join(tmpdir(), 'fly-deploy-install-'));
  // The release archive holds only `flyctl`: here fly-sim's, so the downloaded binary talks to the sim.
  copyFileSync(sim.flyctl, join(dir, 'flyctl'));
  execFileSync('tar', ['-czf', join(dir, 'flyctl.tar.gz'), '-C', dir, 'flyctl']);
  const tarball = readFileSync(join(dir, 'flyctl.tar.gz'));
  const sha256 = createHash('sha256').update(tarball).digest('hex');
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    if (req.url === '/v0.4.87/flyctl_0.4.87_Linux_x86_64.tar.gz') res.end(tarball);
    else if (req.url === '/v0.4.87/checksums.txt') res.end(`${sha256}  flyctl_0.4.87_Linux_x86_64.tar.gz\n`);
    else res.writeHead(404).end('Not Found');
  });
  // Where an earlier step of the job would like flyctl to come from.
  elsewhere = createServer((req, res) => {
    redirected.push(req.url ?? '');
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => elsewhere.listen(0, '127.0.0.1', r));
});

afterAll(async () => {
  await sim?.stop();
  await new Promise((r) => server?.close(r));
  await new Promise((r) => elsewhere?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

it('downloads the pinned flyctl when PATH has none, then deploys with it', async () => {
  await sim.seedApp('installed', { releases: ['v1'] });
  const r = await runBundle('fly-deploy', {
    inputs: { app: 'installed', image: 'registry.fly.io/installed:v2' },
    env: {
      FLY_SIM_URL: sim.env.FLY_SIM_URL,
      FLY_API_TOKEN: TOKEN,
      // No fly-sim on PATH: only the system's folders (node for the downloaded script).
      PATH: process.env.PATH,
      // Set through GITHUB_ENV by an earlier step: never honoured.
      FLYCTL_DOWNLOAD_BASE_URL: `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`,
      FLYCTL_RELEASES_URL: `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}`,
    },
    downloadSources: { 'flyctl-download': `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
  });
  expect(r.exitCode).toBe(0);
  expect(served).toEqual(['/v0.4.87/checksums.txt', '/v0.4.87/flyctl_0.4.87_Linux_x86_64.tar.gz']);
  expect(redirected).toEqual([]);
  expect(r.log).toContain('Using flyctl 0.4.87 (download)');
  expect(r.path.some((p) => p.includes('flyctl'))).toBe(true);
  expect(r.outputs['release-version']).toBe('2');
});
