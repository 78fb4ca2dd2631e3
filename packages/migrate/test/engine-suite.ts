import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MigrateOptions, MigrationError, migrate, readMigrations } from '../src/index';
import { inSyncDigest, readState, tracking } from '../src/tracking';
import { addFile, capture, generated, migrationsDir } from './helpers';

/** The engine against a real server; run once per PostgreSQL major by the *.test.ts files. */
export function engineSuite(version: 15 | 18): void {
  describe(`migrate engine on PostgreSQL ${version}`, () => {
    let server: PgServer;
    beforeAll(async () => {
      server = await startPostgres({ version });
    });
    afterAll(async () => {
      await server?.stop();
    });

    async function setup(files: Record<string, string>) {
      const db = await server.createDatabase('engine');
      const dir = migrationsDir(files);
      const root = dirname(dir);
      const run = (extra: Partial<MigrateOptions> = {}) =>
        migrate({ databaseUrl: db.url, dir: 'migrations', root, lint: 'off', lockWaitMs: 5_000, ...extra });
      const q = (sql: string) => server.query(db.name, sql);
      const tables = async () =>
        (await q(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).map((r) => r.tablename);
      const versions = async () =>
        (await q('SELECT version FROM public.schema_migrations ORDER BY version::numeric')).map((r) => r.version);
      return { db, dir, root, run, q, tables, versions };
    }

    it('applies the three layouts, records each migration, and reverts them newest first', async () => {
      const { run, q, tables, versions } = await setup({
        '0001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY);\n',
        '0001_users.down.sql': 'DROP TABLE users;\n',
        '0002_posts.sql': '-- migrate:up\nCREATE TABLE posts (id bigint);\n\n-- migrate:down\nDROP TABLE posts;\n',
        '20260101120000_tags/up.sql': 'CREATE TABLE tags (id bigint);\n',
        '20260101120000_tags/down.sql': 'DROP TABLE tags;\n',
        'README.md': 'not a migration',
      });
      const result = await run({ appVersion: 'v1.2.3', appliedBy: 'octocat run 7' });
      expect(result.done.map((d) => d.version)).toEqual(['0001', '0002', '20260101120000']);
      expect(result.previousVersion).toBeUndefined();
      expect(result.currentVersion).toBe('20260101120000');
      expect(result.pendingCount).toBe(0);
      expect(await tables()).toEqual(['posts', 'schema_migrations', 'tags', 'users']);
      const rows = await q('SELECT * FROM public.schema_migrations ORDER BY version::numeric');
      expect(rows.map((r) => [r.name, r.app_version, r.applied_by, r.finished])).toEqual([
        ['users', 'v1.2.3', 'octocat run 7', true],
        ['posts', 'v1.2.3', 'octocat run 7', true],
        ['tags', 'v1.2.3', 'octocat run 7', true],
      ]);
      expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(typeof rows[0].execution_ms).toBe('number');

      const down = await run({ direction: 'down', steps: 2 });
      expect(down.done.map((d) => d.version)).toEqual(['20260101120000', '0002']);
      expect(down.currentVersion).toBe('0001');
      expect(await tables()).toEqual(['schema_migrations', 'users']);
      const toZero = await run({ direction: 'down', target: '0' });
      expect(toZero.done.map((d) => d.version)).toEqual(['0001']);
      expect(await versions()).toEqual([]);
      expect(toZero.currentVersion).toBeUndefined();
    });

    it('a second run has nothing to do and says so', async () => {
      const { run } = await setup(generated(3));
      await run();
      const log = capture();
      const again = await run({ logger: log });
      expect(again.done).toEqual([]);
      expect(again.pendingCount).toBe(0);
      expect(again.previousVersion).toBe('0003');
      expect(again.currentVersion).toBe('0003');
      expect(log.infos.join('\n')).toMatch(/Nothing to migrate/);
      // An up-to-date database is recognised by one comparison; a full plan (forced by a target)
      // must come to the same answer.
      expect(await run({ target: '0003' })).toEqual(again);
    });

    it('recognises an up-to-date database by the digests of both sides, whatever the version widths', async () => {
      // Numeric order (9, 10, 0011) is not the server's text order: the folder's side must sort.
      const { db, dir, root, run } = await setup({
        '9_nine.sql': 'SELECT 9;',
        '10_ten.sql': 'SELECT 10;',
        '0011_eleven.sql': 'SELECT 11;',
        '20260101120000_stamp.sql': 'SELECT 12;',
      });
      await run();
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const state = await readState(client, tracking('public', 'schema_migrations'));
        const files = readMigrations(dir, root);
        expect(state.matches(inSyncDigest(files))).toBe(true);
        expect(state.matches(inSyncDigest(files.slice(1)))).toBe(false);
      } finally {
        await client.end();
      }
    });

    it('is not fooled into a no-op by a file added, removed, edited or part-way applied', async () => {
      const { dir, run, q } = await setup(generated(12));
      await run();
      addFile(dir, '0013_t13.sql', 'CREATE TABLE t13 ();');
      expect((await run()).done.map((d) => d.version)).toEqual(['0013']);
      const { rmSync } = await import('node:fs');
      rmSync(join(dir, '0013_t13.sql'));
      await expect(run()).rejects.toThrow(/not found on disk: 0013_t13 .*Restore the file/);
      const log = capture();
      expect((await run({ logger: log, allowDrift: true })).done).toEqual([]);
      expect(log.warnings.map((w) => w.message).join('\n')).toMatch(/not found on disk: 0013_t13/);
      addFile(dir, '0013_t13.sql', 'CREATE TABLE t13 ();');
      writeFileSync(join(dir, '0002_t2.sql'), 'SELECT 2;');
      await expect(run()).rejects.toThrow(/0002_t2\.sql/);
      writeFileSync(join(dir, '0002_t2.sql'), generated(1, 2)['0002_t2.sql']);
      await q(
        `UPDATE schema_migrations SET finished = false, statements_done = 0, statements_total = 1 WHERE version = '0012'`,
      );
      // Recorded as part-way applied: the run takes it up again (and fails: its table exists).
      await expect(run()).rejects.toThrow(/Migration 0012_t12 failed/);
    });

    it('stops at a failure in file 3 of 5: 1 and 2 stay, 3 leaves nothing, the error names file:line and SQLSTATE', async () => {
      const files = generated(5);
      files['0003_t3.sql'] =
        'CREATE TABLE t3 (id bigint);\n\nINSERT INTO t3 VALUES (1);\nINSERT INTO missing_table VALUES (1);\n';
      const { run, tables, versions } = await setup(files);
      const error = await run().catch((e) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect(error.message).toContain('migrations/0003_t3.sql:4');
      expect(error.message).toContain('relation "missing_table" does not exist');
      expect(error.sqlstate).toBe('42P01');
      expect(error.location).toEqual({ file: 'migrations/0003_t3.sql', line: 4 });
      expect(error.done.map((d: { version: string }) => d.version)).toEqual(['0001', '0002']);
      expect(await versions()).toEqual(['0001', '0002']);
      expect(await tables()).toEqual(['schema_migrations', 't1', 't2']);
    });

    it('applies nothing sent behind a failure that never opened a transaction or failed at COMMIT', async () => {
      // Migrations are pipelined: these two failures leave no aborted transaction to stop the ones
      // sent after them, so only the guards do.
      const syntax = generated(40);
      syntax['0003_t3.sql'] = 'CREATE TABLE t3 (id bigint);\nCREAT INDEX oops ON t3 (id);\n';
      const a = await setup(syntax);
      const error = await a.run().catch((e) => e);
      expect([error.sqlstate, error.location]).toEqual(['42601', { file: 'migrations/0003_t3.sql', line: 2 }]);
      expect(await a.versions()).toEqual(['0001', '0002']);
      expect(await a.tables()).toEqual(['schema_migrations', 't1', 't2']);

      const deferred = generated(40);
      deferred['0003_t3.sql'] = `CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);
INSERT INTO child VALUES (1);
`;
      const b = await setup(deferred);
      const late = await b.run().catch((e) => e);
      expect(late.sqlstate).toBe('23503');
      expect(late.done.map((d: { version: string }) => d.version)).toEqual(['0001', '0002']);
      expect(await b.versions()).toEqual(['0001', '0002']);
      expect(await b.tables()).toEqual(['schema_migrations', 't1', 't2']);
      // The run is repeatable once the file is fixed: everything after it applies, in order.
      writeFileSync(join(b.dir, '0003_t3.sql'), 'CREATE TABLE t3 (id bigint);\n');
      expect((await b.run()).done).toHaveLength(38);
      expect(await b.versions()).toHaveLength(40);
    });

    it('locates an error without a position by the statement that failed', async () => {
      const { run } = await setup({
        '0001_a.sql':
          'CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n-- the next one fails at run time\nSELECT 1 / (SELECT count(*) - 1 FROM a);\n',
      });
      const error = await run().catch((e) => e);
      expect(error.sqlstate).toBe('22012');
      expect(error.location.line).toBe(4);
    });

    it('treats a CRLF-only or BOM-only change as no drift, and an edited applied file as drift', async () => {
      const { dir, run } = await setup({ '0001_a.sql': 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n' });
      await run();
      writeFileSync(join(dir, '0001_a.sql'), '\uFEFFCREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n');
      expect((await run()).done).toEqual([]);

      writeFileSync(join(dir, '0001_a.sql'), 'CREATE TABLE a (id bigint);\nCREATE TABLE b (id int);\n');
      addFile(dir, '0002_c.sql', 'CREATE TABLE c (id int);\n');
      await expect(run()).rejects.toThrow(/checksum differs\): migrations\/0001_a\.sql/);
      const log = capture();
      const allowed = await run({ allowDrift: true, logger: log });
      expect(allowed.done.map((d) => d.version)).toEqual(['0002']);
      expect(log.warnings.map((w) => w.message).join('\n')).toMatch(/edited since it was applied/);
    });

    it('refuses a pending migration older than the newest applied one unless allowed', async () => {
      const { dir, run, versions } = await setup({
        '0001_a.sql': 'CREATE TABLE a ();',
        '0003_c.sql': 'CREATE TABLE c ();',
      });
      await run();
      addFile(dir, '0002_b.sql', 'CREATE TABLE b ();');
      await expect(run()).rejects.toThrow(
        /older than the newest applied one \(0003\).*0002_b\.sql.*allow-out-of-order/s,
      );
      expect(await versions()).toEqual(['0001', '0003']);
      const result = await run({ allowOutOfOrder: true });
      expect(result.done.map((d) => d.version)).toEqual(['0002']);
      expect(result.currentVersion).toBe('0003');
    });

    it('refuses applied migrations missing on disk (a warning with allow-drift), with names as recorded (spaces and all)', async () => {
      const { dir, run } = await setup({
        '0001_a.sql': 'CREATE TABLE a ();',
        '0002_b.sql': 'CREATE TABLE b ();',
        '0003_add  the c table.sql': 'CREATE TABLE c ();',
        '0004_d.sql': 'CREATE TABLE d ();',
      });
      await run();
      const { rmSync } = await import('node:fs');
      rmSync(join(dir, '0002_b.sql'));
      rmSync(join(dir, '0003_add  the c table.sql'));
      await expect(run()).rejects.toThrow(
        /not found on disk: 0002_b, 0003_add {2}the c table \(.*Restore the files .*or set `allow-drift: true`/,
      );
      const log = capture();
      const result = await run({ logger: log, allowDrift: true });
      expect(log.warnings.map((w) => w.message).join('\n')).toMatch(
        /not found on disk: 0002_b, 0003_add {2}the c table \(/,
      );
      expect([result.done, result.currentVersion, result.pendingCount]).toEqual([[], '0004', 0]);
    });

    it('splits dollar-quoted bodies, E strings and comments containing semicolons exactly as PostgreSQL does', async () => {
      const body = [
        '-- a comment; with a semicolon',
        'CREATE TABLE notes (id serial PRIMARY KEY, body text);',
        '/* block; comment */',
        "INSERT INTO notes (body) VALUES (E'it\\'s; fine'), ('plain ''quoted''; too');",
        'CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $fn$',
        'BEGIN',
        "  NEW.body := NEW.body || '; bumped';",
        '  RETURN NEW;',
        'END;',
        '$fn$;',
        'DO $$ BEGIN PERFORM 1; END $$;',
      ].join('\n');
      const { run, q } = await setup({
        '0001_tx.sql': body,
        '0002_notx.sql': `-- pg-migrate:no-transaction\n${body.replace(/notes/g, 'notes2').replace(/bump\(\)/g, 'bump2()')}`,
      });
      const result = await run();
      expect(result.plan.map((p) => p.statements?.length)).toEqual([4, 4]);
      expect((await q('SELECT body FROM notes ORDER BY id')).map((r) => r.body)).toEqual([
        "it's; fine",
        "plain 'quoted'; too",
      ]);
      const progress = await q(
        `SELECT statements_done, statements_total, finished FROM schema_migrations WHERE version = '0002'`,
      );
      expect(progress).toEqual([{ statements_done: 4, statements_total: 4, finished: true }]);
    });

    it('refuses CREATE INDEX CONCURRENTLY in a transactional file, pointing at the directive, before applying anything', async () => {
      const { run, tables } = await setup({
        '0001_a.sql': 'CREATE TABLE a (id int);',
        '0002_idx.sql': 'SELECT 1;\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n',
        '0003_b.sql': 'BEGIN;\nCREATE TABLE b ();\nCOMMIT;\n',
      });
      const error = await run().catch((e) => e);
      expect(error.message).toContain(
        'migrations/0002_idx.sql:2: CREATE INDEX CONCURRENTLY cannot run inside a transaction',
      );
      expect(error.message).toContain('-- pg-migrate:no-transaction');
      expect(error.message).toContain('migrations/0003_b.sql:1: transaction control (BEGIN)');
      expect(await tables()).toEqual([]);
    });

    it('reports a syntax error with file and line: in a dry run before anything, in a run from the server', async () => {
      const { run, tables, versions } = await setup({
        '0001_a.sql': 'CREATE TABLE a (id int);',
        '0002_b.sql': '-- migrate:up\nCREATE TABLE b (id int);\nCREATE TABEL c ();\n-- migrate:down\nDROP TABLE b;\n',
      });
      await expect(run({ dryRun: true })).rejects.toThrow(/migrations\/0002_b\.sql:3: syntax error at or near "TABEL"/);
      expect(await tables()).toEqual([]);
      const error = await run().catch((e) => e);
      expect(error.sqlstate).toBe('42601');
      expect(error.location).toEqual({ file: 'migrations/0002_b.sql', line: 3 });
      expect(await versions()).toEqual(['0001']);
      expect(await tables()).toEqual(['a', 'schema_migrations']);
    });

    it('resumes a non-transactional migration after its last finished statement and rebuilds an INVALID index', async () => {
      const { dir, run, q } = await setup({
        '0001_data.sql': "CREATE TABLE accounts (email text);\nINSERT INTO accounts VALUES ('a@x'), ('a@x');\n",
        '0002_unique.sql': [
          '-- pg-migrate:no-transaction',
          'CREATE TABLE audit (id int);',
          'CREATE UNIQUE INDEX CONCURRENTLY accounts_email ON accounts (email);',
          'CREATE INDEX CONCURRENTLY IF NOT EXISTS audit_id ON audit (id);',
        ].join('\n'),
      });
      const error = await run().catch((e) => e);
      expect(error.sqlstate).toBe('23505');
      expect(error.location).toEqual({ file: 'migrations/0002_unique.sql', line: 3 });
      expect(await q(`SELECT statements_done, finished FROM schema_migrations WHERE version = '0002'`)).toEqual([
        { statements_done: 1, finished: false },
      ]);
      expect(await q(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_email'::regclass`)).toEqual([
        { indisvalid: false },
      ]);

      await q(`DELETE FROM accounts WHERE ctid = (SELECT max(ctid) FROM accounts)`);
      const log = capture();
      // Re-running CREATE TABLE audit would fail: the resumed run must start at statement 2.
      const result = await run({ logger: log });
      expect(result.done.map((d) => d.version)).toEqual(['0002']);
      expect(log.infos.join('\n')).toMatch(/Resuming 0002_unique after statement 1 of 3/);
      expect(log.warnings.map((w) => w.message).join('\n')).toMatch(/accounts_email is INVALID/);
      expect(await q(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_email'::regclass`)).toEqual([
        { indisvalid: true },
      ]);
      expect(await q(`SELECT statements_done, finished FROM schema_migrations WHERE version = '0002'`)).toEqual([
        { statements_done: 3, finished: true },
      ]);
      expect(readFileSync(join(dir, '0002_unique.sql'), 'utf8')).toContain('no-transaction');
    });

    it('times out waiting for the lock and names the holder', async () => {
      const { db, run } = await setup(generated(1));
      const holder = new pg.Client({ connectionString: db.url, application_name: 'deploy of acme/shop run 41' });
      await holder.connect();
      try {
        const key = `('x' || left(md5(current_database() || '/public/schema_migrations/work'), 16))::bit(64)::bigint`;
        expect((await holder.query(`SELECT pg_try_advisory_lock(${key}) AS ok`)).rows[0].ok).toBe(true);
        const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        const error = await run({ lockWaitMs: 400 }).catch((e) => e);
        expect(error.message).toMatch(/Timed out after .* waiting for the migration lock on public\.schema_migrations/);
        expect(error.message).toContain(`pid ${pid}`);
        expect(error.message).toContain('application "deploy of acme/shop run 41"');
      } finally {
        await holder.end();
      }
      expect((await run()).done).toHaveLength(1);
    });

    it('retries a migration that hits lock_timeout (55P03), then reports it', async () => {
      const { db, run, versions } = await setup({ '0001_a.sql': 'CREATE TABLE a (id int);' });
      await run();
      const blocker = new pg.Client({ connectionString: db.url });
      await blocker.connect();
      try {
        await blocker.query('BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE');
        const files = migrationsDir({
          '0001_a.sql': 'CREATE TABLE a (id int);',
          '0002_b.sql': 'ALTER TABLE a ADD COLUMN b int;',
        });
        const log = capture();
        const error = await migrate({
          databaseUrl: db.url,
          dir: files,
          lint: 'off',
          lockTimeoutMs: 50,
          lockRetries: 1,
          logger: log,
        }).catch((e) => e);
        expect(error.sqlstate).toBe('55P03');
        expect(error.message).toContain('0002_b.sql:1');
        expect(log.warnings.map((w) => w.message).join('\n')).toMatch(/lock not available \(55P03\), retry 1 of 1/);
      } finally {
        await blocker.end();
      }
      expect(await versions()).toEqual(['0001']);
    });

    it('retries a migration blocked by a lock, then applies it and the ones behind it once each', async () => {
      const { db, run, versions, q } = await setup({ '0001_a.sql': 'CREATE TABLE a (id int);' });
      await run();
      const blocker = new pg.Client({ connectionString: db.url });
      await blocker.connect();
      await blocker.query('BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE');
      const files = migrationsDir({
        '0001_a.sql': 'CREATE TABLE a (id int);',
        '0002_b.sql': 'ALTER TABLE a ADD COLUMN b int;',
        ...generated(20, 3),
      });
      const log = capture();
      const running = migrate({
        databaseUrl: db.url,
        dir: files,
        lint: 'off',
        lockTimeoutMs: 50,
        lockRetries: 5,
        logger: log,
      });
      // The lock goes once the first retry was announced.
      while (!log.warnings.some((w) => /retry 1 of 5/.test(w.message))) await new Promise((r) => setTimeout(r, 20));
      await blocker.query('ROLLBACK');
      await blocker.end();
      const result = await running;
      expect(result.done).toHaveLength(21);
      expect(await versions()).toHaveLength(22);
      expect(await q(`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'a'`)).toEqual([
        { n: 2 },
      ]);
    });

    it('dry run plans, analyses and lints without changing anything', async () => {
      const { run, tables } = await setup({
        '0001_a.sql': 'CREATE TABLE a (id int);',
        '0002_b.sql': '-- migrate:up\n\nCREATE INDEX a_id ON a (id);\n-- migrate:down\nDROP INDEX a_id;\n',
        '0003_c.sql': '-- pg-migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a_id2 ON a (id);\n',
      });
      const result = await run({ dryRun: true, lint: 'warn' });
      expect(result.done).toEqual([]);
      expect(result.pendingCount).toBe(3);
      expect(await tables()).toEqual([]);
      expect(result.planMarkdown).toContain('<!-- pg-migrate-plan -->');
      expect(result.planMarkdown).toContain('3 migrations to apply (dry run: nothing was changed)');
      expect(result.planMarkdown).toMatch(/\| 0003 \| c \| none \(statement by statement\) \| 1 \|/);
      const finding = result.lintFindings.find((f) => f.rule === 'require-concurrent-index-creation');
      expect(finding).toMatchObject({ file: 'migrations/0002_b.sql', line: 3 });
      expect(result.planMarkdown).toContain('require-concurrent-index-creation');
    });

    it('fails before applying when lint is error and squawk finds something', async () => {
      const { run, tables } = await setup({ '0001_a.sql': 'CREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);\n' });
      await expect(run({ lint: 'error' })).rejects.toThrow(/squawk found \d+ problems? in pending migrations/);
      expect(await tables()).toEqual([]);
    });

    it('refuses a down migration when a down file is missing', async () => {
      const { run, versions } = await setup({
        '0001_a.sql': 'CREATE TABLE a ();',
        '0002_b.sql': 'CREATE TABLE b ();',
      });
      await run();
      await expect(run({ direction: 'down' })).rejects.toThrow(
        /Cannot revert migrations\/0002_b\.sql: no down migration/,
      );
      expect(await versions()).toEqual(['0001', '0002']);
    });

    it('refuses a down run that finds no tracking table, naming it, rather than reverting nothing', async () => {
      const { db, run, q } = await setup({
        '0001_a.sql': '-- migrate:up\nCREATE TABLE a ();\n-- migrate:down\nDROP TABLE a;\n',
      });
      await expect(run({ direction: 'down' })).rejects.toThrow(
        `Nothing can be reverted: database "${db.name}" has no tracking table public.schema_migrations`,
      );
      await run({ schema: 'ops', table: 'migration_log' });
      // Applied under another name: the default one is still missing, and nothing is reverted or created.
      await expect(run({ direction: 'down', dryRun: true })).rejects.toThrow(
        /has no tracking table public\.schema_migrations/,
      );
      expect(
        await q("SELECT to_regclass('public.schema_migrations') AS t, to_regclass('public.a') IS NOT NULL AS a"),
      ).toEqual([{ t: null, a: true }]);
      const reverted = await run({ direction: 'down', schema: 'ops', table: 'migration_log' });
      expect(reverted.done.map((d) => d.version)).toEqual(['0001']);
    });

    it('applies up to a target, and refuses target with steps or a target that is not a migration', async () => {
      const { run, versions } = await setup(generated(4));
      const partial = await run({ target: '2' });
      expect(partial.done.map((d) => d.version)).toEqual(['0001', '0002']);
      expect(partial.pendingCount).toBe(2);
      await expect(run({ target: '0009' })).rejects.toThrow(/target 0009 is not a migration in the folder/);
      await expect(run({ direction: 'down', target: '1', steps: 1 })).rejects.toThrow(/either `target` or `steps`/);
      expect(await versions()).toEqual(['0001', '0002']);
      expect((await run()).done.map((d) => d.version)).toEqual(['0003', '0004']);
    });

    it('abandons the connection it opened when the files have a problem: no retries behind the error', async () => {
      // A server that resets every connection: connecting would be retried for seconds.
      const { createServer } = await import('node:net');
      let connections = 0;
      const resetter = createServer((socket) => {
        connections++;
        socket.resetAndDestroy();
      });
      await new Promise<void>((resolve) => resetter.listen(0, '127.0.0.1', resolve));
      const port = (resetter.address() as { port: number }).port;
      const dir = migrationsDir({ '0001_a.sql': '-- migrate:down\nDROP TABLE a;\n' });
      try {
        await expect(
          migrate({ databaseUrl: `postgres://u:p@127.0.0.1:${port}/db`, dir: 'migrations', root: dirname(dir) }),
        ).rejects.toThrow(/has a `-- migrate:down` section but no `-- migrate:up` section/);
        await new Promise((resolve) => setTimeout(resolve, 600)); // past the first retry's earliest start
        expect(connections).toBeLessThanOrEqual(1);
      } finally {
        resetter.close();
      }
    });

    it('refuses a table of that name kept by another tool, and changes nothing', async () => {
      const { run, q, tables } = await setup(generated(2));
      await q('CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)');
      await expect(run()).rejects.toThrow(/public\.schema_migrations exists but is not a pg-migrate tracking table/);
      expect(await tables()).toEqual(['schema_migrations']);
    });

    it('keeps the tracking table in the chosen schema and table', async () => {
      const { run, q } = await setup(generated(2));
      await run({ schema: 'ops', table: 'migrations_log' });
      expect(await q('SELECT count(*)::int AS n FROM ops.migrations_log')).toEqual([{ n: 2 }]);
      expect((await run({ schema: 'ops', table: 'migrations_log' })).done).toEqual([]);
    });
  });
}
