import { cpSync, createReadStream, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, runBundle } from '@deploy-actions/runner';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The bundle as a runner checks it out: outside this repo (no node_modules to find squawk in),
// with no squawk on PATH, so it downloads the release binary (here from a local server).
let server: PgServer;
let releases: Server;
let baseUrl = '';
const requests: string[] = [];
const squawkBinary = createRequire(import.meta.url).resolve(
  `@squawk-cli/${process.platform}-${process.arch}/bin/squawk`,
);

beforeAll(async () => {
  server = await startPostgres({ version: 18 });
  releases = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (req.url?.startsWith('/tampered/')) res.end('#!/bin/sh\necho "[]"\n');
    else if (req.url?.endsWith(`/squawk-${process.platform}-${process.arch}`)) createReadStream(squawkBinary).pipe(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => releases.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(releases.address() as { port: number }).port}`;
});
afterAll(async () => {
  releases?.close();
  await server?.stop();
});

describe('pg-migrate lint without squawk installed', () => {
  it('downloads the squawk release into the tool cache and annotates the findings', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'pg-migrate-checkout-'));
    cpSync(join(REPO_ROOT, 'dist', 'pg-migrate'), join(outside, 'dist'), { recursive: true });
    const cwd = mkdtempSync(join(tmpdir(), 'pg-migrate-ws-'));
    mkdirSync(join(cwd, 'migrations'));
    writeFileSync(join(cwd, 'migrations', '0001_a.sql'), 'CREATE TABLE a (id bigint);\n');
    const db = await server.createDatabase('lint');
    const first = await runBundle('pg-migrate', {
      bundlePath: join(outside, 'dist', 'index.js'),
      cwd,
      inputs: { 'database-url': db.url },
      env: { PATH: dirname(process.execPath) },
      downloadSources: { 'squawk-download': baseUrl },
    });
    expect(first.exitCode).toBe(0);
    writeFileSync(join(cwd, 'migrations', '0002_a_id.sql'), 'CREATE INDEX a_id ON a (id);\n');
    const run = await runBundle('pg-migrate', {
      bundlePath: join(outside, 'dist', 'index.js'),
      cwd,
      inputs: { 'database-url': db.url, 'dry-run': true },
      env: { PATH: dirname(process.execPath) },
      downloadSources: { 'squawk-download': baseUrl },
    });
    expect(run.exitCode).toBe(0);
    expect(requests).toContain(`/v2.66.0/squawk-${process.platform}-${process.arch}`);
    const finding = run.annotations.find((a) => a.message.startsWith('require-concurrent-index-creation'));
    expect(finding).toMatchObject({ level: 'warning', file: 'migrations/0002_a_id.sql', line: 1 });
    expect(run.log).not.toContain('Lint skipped');
  });

  it('refuses a download whose SHA-256 is not squawk’s, skipping lint with a warning', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'pg-migrate-checkout-'));
    cpSync(join(REPO_ROOT, 'dist', 'pg-migrate'), join(outside, 'dist'), { recursive: true });
    const cwd = mkdtempSync(join(tmpdir(), 'pg-migrate-ws-'));
    mkdirSync(join(cwd, 'migrations'));
    writeFileSync(join(cwd, 'migrations', '0001_a.sql'), 'CREATE TABLE a (id bigint);\n');
    const db = await server.createDatabase('lint_tampered');
    const run = await runBundle('pg-migrate', {
      bundlePath: join(outside, 'dist', 'index.js'),
      cwd,
      inputs: { 'database-url': db.url, 'dry-run': true },
      env: { PATH: dirname(process.execPath) },
      downloadSources: { 'squawk-download': `${baseUrl}/tampered` },
    });
    expect(run.exitCode).toBe(0);
    const skipped = run.annotations.find((a) => a.message.startsWith('Lint skipped'));
    expect(skipped?.message).toMatch(/does not match its published checksum/);
  });
});
