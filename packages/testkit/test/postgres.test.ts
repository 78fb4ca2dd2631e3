import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedTo, type PgServer, reachableBinaries, serverTemp, startPostgres } from '../src/postgres';

describe('startPostgres', () => {
  let pg: PgServer;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('serves a UTF8 cluster with password authentication on loopback', async () => {
    const db = await pg.createDatabase('enc');
    const [row] = await pg.query(db.name, "SELECT current_setting('server_encoding') AS enc, upper('é') AS up");
    expect(row).toEqual({ enc: 'UTF8', up: 'É' });
    expect(pg.versionNum).toBeGreaterThanOrEqual(180000);
    expect(pg.url(db.name)).toMatch(/^postgres:\/\/postgres:[0-9a-f]{24}@127\.0\.0\.1:\d+\//);
  });

  it('opens no Unix socket, so nothing of it is written to /tmp or left there', async () => {
    const [row] = await pg.query('postgres', "SELECT current_setting('unix_socket_directories') AS dirs");
    expect(row.dirs).toBe('');
    expect(existsSync(`/tmp/.s.PGSQL.${pg.port}`)).toBe(false);
  });
});

// As root the server runs as another user, which must reach the binaries and its data: a clone
// inside a 0700 folder (such as /root) cannot be entered by it.
describe.runIf(process.getuid?.() === 0)('a clone in a folder the server user cannot enter', () => {
  const other = { uid: 54321, gid: 54321 };
  const base = mkdtempSync(join(tmpdir(), 'pg-reach-'));
  const home = join(base, 'home'); // a private home, like /root
  const native = join(home, 'clone', 'native');
  const open = join(base, 'open');
  beforeAll(() => {
    mkdirSync(join(native, 'bin'), { recursive: true });
    writeFileSync(join(native, 'bin', 'postgres'), '#!/bin/sh\n', { mode: 0o755 });
    mkdirSync(open);
    chmodSync(base, 0o755);
    chmodSync(open, 0o755);
    chmodSync(home, 0o700);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('is found closed, naming the folder', () => {
    expect(closedTo(native, other)).toEqual([home]);
    expect(closedTo(open, other)).toEqual([]);
  });

  it('has the binaries copied into the server’s own folder', () => {
    const server = mkdtempSync(join(open, 'pg-'));
    const bin = reachableBinaries(native, other, server);
    expect(bin).toBe(join(server, 'native', 'bin'));
    expect(readFileSync(join(bin, 'postgres'), 'utf8')).toBe('#!/bin/sh\n');
    expect(reachableBinaries(open, other, server)).toBe(join(open, 'bin'));
    expect(reachableBinaries(native, undefined, server)).toBe(join(native, 'bin'));
  });

  it('puts the server’s folder in the first temp folder the server user can enter, or says what to do', () => {
    expect(serverTemp(other, [join(home, 'clone'), open])).toBe(open);
    expect(serverTemp(undefined, [join(home, 'clone'), open])).toBe(join(home, 'clone'));
    expect(() => serverTemp(other, [join(home, 'clone')])).toThrow(new RegExp(`cannot enter ${home}: set TMPDIR`));
  });
});
