import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { downloadSource, runProcess, UserError } from '@deploy-actions/toolkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  archiveName,
  DEFAULT_DOWNLOAD_BASE_URL,
  ensureFlyctl,
  parseVersionRequest,
  satisfies,
  versionFromReleasesAnswer,
} from '../src/install';
import { DEFAULT_FLYCTL_VERSION, FLYCTL_VERSION_REQUEST } from '../src/names';

let server: Server;
let base: string;
let dir: string;
let sim: FlySim;
const requests: string[] = [];
const savedEnv = { ...process.env };

const archives = new Map<string, Buffer>();
/** A release archive as flyctl publishes it: a tar.gz holding only `flyctl` (made once per version). */
function archive(version: string): Buffer {
  const made = archives.get(version);
  if (made) return made;
  const work = mkdtempSync(join(dir, 'archive-'));
  writeFileSync(
    join(work, 'flyctl'),
    `#!/bin/sh\necho "flyctl v${version} linux/amd64 Commit: test BuildDate: 2026-08-21"\n`,
  );
  chmodSync(join(work, 'flyctl'), 0o755);
  execFileSync('tar', ['-czf', join(work, 'out.tar.gz'), '-C', work, 'flyctl']);
  archives.set(version, readFileSync(join(work, 'out.tar.gz')));
  return archive(version);
}

/** The release's checksums.txt as goreleaser writes it; 0.4.66 publishes a digest its archive does not have. */
function checksums(version: string): string {
  const name = `flyctl_${version}_Linux_x86_64.tar.gz`;
  const digest = version === '0.4.66' ? 'f'.repeat(64) : createHash('sha256').update(archive(version)).digest('hex');
  return `${'0'.repeat(64)}  flyctl_${version}_Linux_arm64.tar.gz\n${digest}  ${name}\n`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fly-install-'));
  process.env.RUNNER_TEMP = join(dir, 'temp');
  process.env.RUNNER_TOOL_CACHE = join(dir, 'cache');
  mkdirSync(process.env.RUNNER_TEMP, { recursive: true });
  mkdirSync(process.env.RUNNER_TOOL_CACHE, { recursive: true });
  sim = await startFlySim();
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const release = /^\/v(\d+\.\d+\.\d+)\/flyctl_\1_Linux_x86_64\.tar\.gz$/.exec(req.url ?? '');
    const sums = /^\/v(\d+\.\d+\.\d+)\/checksums\.txt$/.exec(req.url ?? '');
    if (release && release[1] !== '9.9.9') {
      res.writeHead(200, { 'content-type': 'application/gzip' });
      res.end(archive(release[1]));
    } else if (sums && sums[1] !== '9.9.9' && sums[1] !== '0.4.65') {
      res.end(checksums(sums[1]));
    } else if (req.url === '/releases/linux/amd64/latest') {
      // As flyctl's updater reads it (internal/update/update.go:28-33), JSON when asked for JSON.
      res.end(
        JSON.stringify({
          version: '0.4.90',
          prerelease: false,
          download_url: `${base}/v0.4.90/flyctl_0.4.90_Linux_x86_64.tar.gz`,
        }),
      );
    } else if (req.url === '/flaky-releases/linux/amd64/latest') {
      // Busy once, then redirected to the real endpoint.
      const hits = requests.filter((r) => r === req.url).length;
      if (hits === 1) res.writeHead(503, { 'retry-after': '0' });
      else res.writeHead(302, { location: '/releases/linux/amd64/latest' });
      res.end();
    } else {
      res.writeHead(404);
      res.end('Not Found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  process.env = savedEnv;
  await sim?.stop();
  await new Promise((r) => server?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const envWith = (extra: Record<string, string>) => ({ ...process.env, ...sim.env, ...extra });
const local = (releases = 'releases') => ({ download: base, releases: `${base}/${releases}` });

describe('version requests', () => {
  it('reads exact, minimum and latest requests, and refuses anything else', () => {
    expect(parseVersionRequest('0.4.87')).toEqual({ mode: 'exact', version: '0.4.87' });
    expect(parseVersionRequest('v0.4.87')).toEqual({ mode: 'exact', version: '0.4.87' });
    expect(parseVersionRequest('>=0.4.56')).toEqual({ mode: 'minimum', version: '0.4.56' });
    expect(parseVersionRequest('latest')?.mode).toBe('latest');
    expect(parseVersionRequest('--version')).toBeUndefined();
    // The contracts' pattern accepts exactly what the parser reads.
    for (const text of [
      '0.4.87',
      'v0.4.87',
      '>=0.4.56',
      '>= v0.4.56',
      'latest',
      '0.4',
      'LATEST',
      '>0.4.1',
      '-0.4.87',
      '0.4.87-rc1',
    ]) {
      expect(FLYCTL_VERSION_REQUEST.test(text), text).toBe(parseVersionRequest(text) !== undefined);
    }
    expect(satisfies('0.4.100', { mode: 'minimum', version: '0.4.56' })).toBe(true);
    expect(satisfies('0.4.9', { mode: 'minimum', version: '0.4.56' })).toBe(false);
  });
});

describe('ensureFlyctl', () => {
  it('uses flyctl from PATH when its version satisfies the request', async () => {
    const found = await ensureFlyctl(DEFAULT_FLYCTL_VERSION, envWith({}), local());
    expect(found).toEqual({ bin: 'flyctl', version: DEFAULT_FLYCTL_VERSION, source: 'path' });
  });

  it('downloads and caches the requested release when PATH has another version', async () => {
    const env = envWith({ FLY_SIM_VERSION: '0.4.40' });
    const downloaded = await ensureFlyctl('0.4.88', env, local());
    expect(downloaded.source).toBe('download');
    expect(requests).toContain('/v0.4.88/checksums.txt');
    expect(requests).toContain('/v0.4.88/flyctl_0.4.88_Linux_x86_64.tar.gz');
    const run = await runProcess(downloaded.bin, ['version'], { timeoutMs: 10_000 });
    expect(run.stdout).toContain('flyctl v0.4.88');
    expect(process.env.PATH?.split(delimiter)).toContain(join(downloaded.bin, '..'));
    const again = await ensureFlyctl('0.4.88', env, local());
    expect(again).toMatchObject({ source: 'cache', version: '0.4.88' });
  });

  it('resolves latest through the releases endpoint when no flyctl is on PATH', async () => {
    const latest = await ensureFlyctl('latest', envWith({ PATH: '/usr/bin:/bin' }), local());
    expect(latest).toMatchObject({ version: '0.4.90', source: 'download' });
  });

  it('resolves latest through a busy endpoint that then redirects', async () => {
    const latest = await ensureFlyctl('latest', envWith({ PATH: '/usr/bin:/bin' }), local('flaky-releases'));
    expect(latest).toMatchObject({ version: '0.4.90' });
    expect(requests.filter((r) => r === '/flaky-releases/linux/amd64/latest')).toHaveLength(2);
  });

  it('explains a version that cannot be downloaded, naming the input', async () => {
    await expect(ensureFlyctl('9.9.9', envWith({}), local())).rejects.toThrow(
      /Could not download the checksums of flyctl 9\.9\.9/,
    );
    await expect(ensureFlyctl('banana', envWith({}), local())).rejects.toThrow(/Invalid input 'flyctl-version'/);
  });

  it('refuses an archive whose SHA-256 is not the one its release publishes, and installs nothing', async () => {
    const env = envWith({ FLY_SIM_VERSION: '0.4.40' });
    const tampered = ensureFlyctl('0.4.66', env, local());
    await expect(tampered).rejects.toBeInstanceOf(UserError);
    await expect(tampered).rejects.toThrow(/does not match its published checksum: not installed/);
    expect(existsSync(join(process.env.RUNNER_TOOL_CACHE ?? '', 'flyctl', '0.4.66'))).toBe(false);
    // Without a checksums.txt nothing is installed either.
    await expect(ensureFlyctl('0.4.65', env, local())).rejects.toThrow(/Could not download the checksums/);
  });

  it('never takes its download locations from the environment', async () => {
    const env = envWith({
      FLY_SIM_VERSION: '0.4.40',
      FLYCTL_DOWNLOAD_BASE_URL: 'http://127.0.0.1:9',
      FLYCTL_RELEASES_URL: 'http://127.0.0.1:9',
    });
    process.env.FLYCTL_DOWNLOAD_BASE_URL = 'http://127.0.0.1:9';
    try {
      const installed = await ensureFlyctl('0.4.89', env, local());
      expect(installed.source).toBe('download');
    } finally {
      delete process.env.FLYCTL_DOWNLOAD_BASE_URL;
    }
    expect(downloadSource('flyctl-download', DEFAULT_DOWNLOAD_BASE_URL, ['node', 'index.js'])).toBe(
      DEFAULT_DOWNLOAD_BASE_URL,
    );
  });
});

describe('the latest lookup', () => {
  it('reads the JSON answer of flyctl’s updater, and a plain download URL', () => {
    expect(versionFromReleasesAnswer('{"version":"0.4.90","prerelease":false,"download_url":"x"}')).toBe('0.4.90');
    expect(versionFromReleasesAnswer('https://x/v0.4.91/flyctl_0.4.91_Linux_arm64.tar.gz')).toBe('0.4.91');
  });

  it('names archives as goreleaser does: Linux_x86_64 for amd64, Linux_arm64 for arm64', () => {
    expect(archiveName('0.4.87')).toBe(
      process.arch === 'arm64' ? 'flyctl_0.4.87_Linux_arm64.tar.gz' : 'flyctl_0.4.87_Linux_x86_64.tar.gz',
    );
  });
});
