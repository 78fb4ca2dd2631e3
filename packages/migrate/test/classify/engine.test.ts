import { dirname } from 'node:path';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { migrate, resultSummary } from '../../src/index';
import { migrationsDir } from '../helpers';

describe('classes in the migrate engine', () => {
  let server: PgServer;
  beforeAll(async () => {
    server = await startPostgres({ version: 18 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const files = {
    '0001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, name text, legacy text);\n',
    '0002_nickname.sql': 'ALTER TABLE users ADD COLUMN nickname text;\n',
    '0003_drop_legacy.sql':
      '-- migrate:up\nALTER TABLE users DROP COLUMN legacy;\n\n-- migrate:down\nALTER TABLE users ADD COLUMN legacy text;\n',
    '0004_backfill.sql':
      '-- deploy-actions: class=expand reason="the release that reads name is gone"\nUPDATE users SET nickname = name;\nALTER TABLE users DROP COLUMN name;\n',
  };

  it('classifies pending migrations in a dry run, in the plan and in the summary', async () => {
    const db = await server.createDatabase('classes');
    const dir = migrationsDir(files);
    const result = await migrate({
      databaseUrl: db.url,
      dir: 'migrations',
      root: dirname(dir),
      lint: 'off',
      dryRun: true,
    });
    expect(result.classes).toEqual([
      { version: '0001', name: 'users', class: 'expand', classes: ['expand'], reasons: [], down: false },
      { version: '0002', name: 'nickname', class: 'expand', classes: ['expand'], reasons: [], down: false },
      {
        version: '0003',
        name: 'drop_legacy',
        class: 'contract',
        classes: ['contract'],
        reasons: ['drop-column@2'],
        down: true,
      },
      {
        version: '0004',
        name: 'backfill',
        class: 'expand',
        classes: ['contract', 'data'],
        reasons: ['dml-update@2', 'drop-column@3'],
        down: false,
        override: 'the release that reads name is gone',
      },
    ]);
    expect(result.planMarkdown).toContain('`migrations/0003_drop_legacy.sql` | **contract**: drop-column (line 2) |');
    expect(result.planMarkdown).toContain('set by override (computed contract): the release that reads name is gone');
    expect(resultSummary(result).toString()).toContain('| Classes | 1 contract, 3 expand |');
  });

  it('records the classes of what a run applied', async () => {
    const db = await server.createDatabase('applied');
    const dir = migrationsDir(files);
    const run = (target?: string) =>
      migrate({ databaseUrl: db.url, dir: 'migrations', root: dirname(dir), lint: 'off', target });
    expect((await run('0002')).classes.map((c) => c.version)).toEqual(['0001', '0002']);
    const second = await run();
    expect(second.classes.map((c) => [c.version, c.class])).toEqual([
      ['0003', 'contract'],
      ['0004', 'expand'],
    ]);
  });

  it('reports the classes of what each runner applied when runners race for the lock', async () => {
    // A runner that waited plans again under the lock; classes still in flight follow its new plan.
    const db = await server.createDatabase('racing');
    const dir = migrationsDir(files);
    const results = await Promise.all(
      [undefined, '0002', undefined, '0003'].map((target) =>
        migrate({ databaseUrl: db.url, dir: 'migrations', root: dirname(dir), lint: 'off', target }),
      ),
    );
    for (const r of results) expect(r.classes.map((c) => c.version)).toEqual(r.done.map((d) => d.version));
    const all = results.flatMap((r) => r.classes.map((c) => [c.version, c.class]));
    expect(all.sort()).toEqual([
      ['0001', 'expand'],
      ['0002', 'expand'],
      ['0003', 'contract'],
      ['0004', 'expand'],
    ]);
  });

  it('refuses a malformed override before anything runs', async () => {
    const db = await server.createDatabase('refused');
    const dir = migrationsDir({ ...files, '0005_bad.sql': '-- deploy-actions: class=expand\nSELECT 1;\n' });
    await expect(migrate({ databaseUrl: db.url, dir: 'migrations', root: dirname(dir), lint: 'off' })).rejects.toThrow(
      /0005_bad\.sql:1: the class override needs a reason/,
    );
    expect(await server.query(db.name, "SELECT to_regclass('public.users') AS t")).toEqual([{ t: null }]);
  });

  describe('with classify off (a preview: nothing reads the classes)', () => {
    /** The engine and its parser process in modules of their own, so whether the process started shows. */
    async function freshEngine() {
      vi.resetModules();
      const engine = await import('../../src/index');
      const parser = await import('../../src/parser-process');
      return { migrate: engine.migrate, parserProcessId: parser.parserProcessId };
    }

    it.each([true, false])('classify %s: the parser process starts only to classify', async (classify) => {
      const db = await server.createDatabase('unclassified');
      // Files the engine runs without parsing (0004's comment says "release", which it would parse).
      const { '0004_backfill.sql': _parsed, ...plain } = files;
      const dir = migrationsDir(plain);
      const fresh = await freshEngine();
      const result = await fresh.migrate({
        databaseUrl: db.url,
        dir: 'migrations',
        root: dirname(dir),
        lint: 'off',
        classify,
      });
      expect(result.done.map((d) => d.version)).toEqual(['0001', '0002', '0003']);
      expect(result.classes.map((c) => c.version)).toEqual(classify ? ['0001', '0002', '0003'] : []);
      expect(fresh.parserProcessId() !== undefined).toBe(classify);
      expect(resultSummary(result).toString().includes('| Classes |')).toBe(classify);
    });

    it('still refuses a malformed override before anything runs', async () => {
      const db = await server.createDatabase('unclassified-refused');
      const dir = migrationsDir({ ...files, '0005_bad.sql': '-- deploy-actions: class=expand\nSELECT 1;\n' });
      await expect(
        migrate({ databaseUrl: db.url, dir: 'migrations', root: dirname(dir), lint: 'off', classify: false }),
      ).rejects.toThrow(/0005_bad\.sql:1: the class override needs a reason/);
      expect(await server.query(db.name, "SELECT to_regclass('public.users') AS t")).toEqual([{ t: null }]);
    });
  });
});
