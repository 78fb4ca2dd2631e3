import { readFileSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UserError } from '@deploy-actions/toolkit';
import { describe, expect, it } from 'vitest';
import { checksum, parseScript, readMigrations } from '../src/index';
import { PARSER_WASM_GZIP_BASE64 } from '../src/parser-wasm';
import { inSyncText } from '../src/tracking';
import { migrationsDir } from './helpers';

describe('migration files', () => {
  it('orders versions numerically and names each layout', () => {
    const dir = migrationsDir({
      '10_ten.sql': 'SELECT 10;',
      '9_nine.sql': '-- migrate:up transaction:false\nSELECT 9;\n-- migrate:down\nSELECT -9;\n',
      '0011_eleven/up.sql': 'SELECT 11;',
      '0011_eleven/down.sql': 'SELECT -11;',
      '0012_twelve.up.sql': 'SELECT 12;',
      '0012_twelve.down.sql': '-- pg-migrate:no-transaction\nSELECT -12;',
    });
    const files = readMigrations(dir, dirname(dir));
    expect(files.map((f) => [f.version, f.name, f.layout])).toEqual([
      ['9', 'nine', 'sections'],
      ['10', 'ten', 'files'],
      ['0011', 'eleven', 'folders'],
      ['0012', 'twelve', 'files'],
    ]);
    expect(files[0].up).toMatchObject({ sql: 'SELECT 9;\n', firstLine: 2, noTransaction: true });
    expect(files[0].down).toMatchObject({ sql: 'SELECT -9;\n', firstLine: 4, noTransaction: false });
    expect(files[2].down?.path).toBe('migrations/0011_eleven/down.sql');
    expect(files[3].down?.noTransaction).toBe(true);
  });

  it('ignores what is not a migration: other files, unversioned folders without up.sql', () => {
    const dir = migrationsDir({
      'README.md': '# migrations',
      '0002_notes.md': 'a versioned name that is a file, not .sql',
      '.keep': '',
      'fixtures/data.csv': 'a,b',
      '0001_one.sql': 'SELECT 1;',
      '0003_three.sql/up.sql': 'SELECT 3;',
    });
    const files = readMigrations(dir, dirname(dir));
    expect(files.map((f) => [f.version, f.name, f.layout, f.up.path])).toEqual([
      ['0001', 'one', 'files', 'migrations/0001_one.sql'],
      ['0003', 'three.sql', 'folders', 'migrations/0003_three.sql/up.sql'],
    ]);
    expect(() => readMigrations(migrationsDir({ 'seed/up.sql': '' }))).toThrow(
      /migrations\/seed: a migration folder name must start with its version number/,
    );
    expect(() => readMigrations(join(dir, '0001_one.sql'))).toThrow(/Migrations folder not found/);
  });

  it('names a file that exists but cannot be read, as a user error', () => {
    const dir = migrationsDir({ '0001_one.sql': 'SELECT 1;' });
    // A symbolic link to itself: every read fails with ELOOP (permissions do not stop root).
    symlinkSync('0002_loop.sql', join(dir, '0002_loop.sql'));
    const read = () => readMigrations(dir, dirname(dir));
    expect(read).toThrow(UserError);
    expect(read).toThrow(/^migrations\/0002_loop.sql: cannot be read \(ELOOP/);
  });

  it('refuses duplicate versions, unnumbered files and a down without its up', () => {
    expect(() => readMigrations(migrationsDir({ '1_a.sql': '', '001_b.sql': '' }))).toThrow(
      /Two migrations have version/,
    );
    expect(() => readMigrations(migrationsDir({ 'seed.sql': '' }))).toThrow(/must start with its version number/);
    expect(() => readMigrations(migrationsDir({ '1_a.down.sql': '' }))).toThrow(/down migration without its up/);
    expect(() => readMigrations('/nonexistent/migrations')).toThrow(/Migrations folder not found/);
  });

  it('refuses SQL before `-- migrate:up` and markers that would leave SQL unrun', () => {
    const before = migrationsDir({
      '0001_x.sql':
        '-- header comment\n/* block\n comment */\nCREATE TABLE lost_before_marker(id int);\n-- migrate:up\nCREATE TABLE kept(id int);\n-- migrate:down\nDROP TABLE kept;\n',
    });
    expect(() => readMigrations(before, dirname(before))).toThrow(
      /^migrations\/0001_x\.sql:4: SQL before `-- migrate:up` would never run; move it below the marker/,
    );
    const downFirst = migrationsDir({
      '0001_x.sql': '-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t();\n',
    });
    expect(() => readMigrations(downFirst, dirname(downFirst))).toThrow(
      /0001_x\.sql:1: `-- migrate:down` comes before `-- migrate:up`/,
    );
    const twice = migrationsDir({
      '0001_x.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:up\nSELECT 3;\n',
    });
    expect(() => readMigrations(twice, dirname(twice))).toThrow(/more than one `-- migrate:up` or `-- migrate:down`/);
    // Comments and blank lines before the marker are fine.
    const ok = migrationsDir({ '0001_x.sql': '-- a note; with a semicolon\n\n-- migrate:up\nSELECT 1;\n' });
    expect(readMigrations(ok, dirname(ok))[0].up).toMatchObject({ sql: 'SELECT 1;\n', firstLine: 4 });
  });

  it('refuses two scripts of one version and name in any mix of layouts, never keeping one of them', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { '0002_a.sql': 'A', '0002_a.up.sql': 'B' },
        /Two up scripts for migration 0002_a: migrations\/0002_a\.sql and migrations\/0002_a\.up\.sql/,
      ],
      [
        { '2_a.sql': 'A', '0002_a.sql': 'B' },
        /Two migrations have version 2: migrations\/0002_a\.sql and migrations\/2_a\.sql/,
      ],
      [{ '0002_a.sql': 'A', '0002_a/up.sql': 'B' }, /Two up scripts for migration 0002_a: .*0002_a\/up\.sql/],
      [{ '0002_a/up.sql': 'A', '0002_a/migration.sql': 'B' }, /holds both up\.sql and Prisma's migration\.sql/],
      [
        { '0002_a.sql': '-- migrate:up\nA\n-- migrate:down\nB\n', '0002_a.down.sql': 'C' },
        /Two down scripts for migration 0002_a/,
      ],
      [{ '2_a.down.sql': 'A', '0002_a.sql': 'B' }, /Two migrations have version/],
    ];
    for (const [files, message] of cases) {
      const dir = migrationsDir(files);
      expect(() => readMigrations(dir, dirname(dir)), JSON.stringify(files)).toThrow(message);
    }
  });

  it('refuses what would be skipped silently: .SQL in capitals, a versioned folder without up.sql', () => {
    const upper = migrationsDir({ '0001_a.sql': 'A', '0002_x.SQL': 'B' });
    expect(() => readMigrations(upper, dirname(upper))).toThrow(
      /migrations\/0002_x\.SQL: a migration file must end in lower-case \.sql .*rename it to 0002_x\.sql/,
    );
    const mixed = migrationsDir({ '0003_x.Up.Sql': 'B' });
    expect(() => readMigrations(mixed, dirname(mixed))).toThrow(/rename it to 0003_x\.up\.sql/);
    const folder = migrationsDir({ '0001_a.sql': 'A', '0004_y/Up.sql': 'B' });
    expect(() => readMigrations(folder, dirname(folder))).toThrow(
      /migrations\/0004_y\/: a versioned folder without up\.sql \(nothing in it would run\)/,
    );
    const downOnly = migrationsDir({ '0004_y/down.sql': 'B' });
    expect(() => readMigrations(downOnly, dirname(downOnly))).toThrow(/a versioned folder without up\.sql/);
  });

  it("reads node-pg-migrate's `-- Up Migration` / `-- Down Migration` sections, never running the down SQL as up", () => {
    const dir = migrationsDir({
      '1700000000000_users.sql':
        '-- Up Migration\nCREATE TABLE users (id int);\n\n-- Down Migration\nDROP TABLE users;\n',
    });
    const [file] = readMigrations(dir, dirname(dir));
    expect(file).toMatchObject({ version: '1700000000000', name: 'users', layout: 'sections' });
    expect(file.up.sql).toBe('CREATE TABLE users (id int);\n\n');
    expect(file.down?.sql).toBe('DROP TABLE users;\n');
  });

  it("reads Prisma Migrate's folders as a fourth layout, without a down script", () => {
    const dir = migrationsDir({
      'migration_lock.toml': 'provider = "postgresql"',
      '20240101120000_init/migration.sql': '-- CreateTable\nCREATE TABLE "User" (id serial PRIMARY KEY);\n',
      '20240202120000_posts/migration.sql': 'CREATE TABLE "Post" (id serial PRIMARY KEY);\n',
    });
    const files = readMigrations(dir, dirname(dir));
    expect(files.map((f) => [f.version, f.name, f.layout, f.up.path, f.down])).toEqual([
      ['20240101120000', 'init', 'prisma', 'migrations/20240101120000_init/migration.sql', undefined],
      ['20240202120000', 'posts', 'prisma', 'migrations/20240202120000_posts/migration.sql', undefined],
    ]);
  });

  it('checksums ignore a BOM and CRLF line ends but nothing else', () => {
    expect(checksum('\uFEFFA;\r\nB;\r\n')).toBe(checksum('A;\nB;\n'));
    expect(checksum('A;\nB;\n')).not.toBe(checksum('A;\nB; \n'));
  });

  it('locates statements on their file lines, also after multi-byte characters', async () => {
    const statements = await parseScript({
      sql: "SELECT 'héllo ✓';\n\n/* x; */ CREATE TABLE t ();\nVACUUM t",
      path: 'm.sql',
      firstLine: 3,
      noTransaction: false,
    });
    expect(statements.map((s) => [s.line, s.kind, s.nonTransactional])).toEqual([
      [3, 'SelectStmt', undefined],
      [5, 'CreateStmt', undefined],
      [6, 'VacuumStmt', 'VACUUM'],
    ]);
    expect(statements[1].text).toBe('CREATE TABLE t ()');
  });

  it('finds statements that cannot run in a transaction, REINDEX SCHEMA and ALTER DATABASE SET TABLESPACE too', async () => {
    const sql = [
      'REINDEX SCHEMA public;',
      'REINDEX TABLE t;',
      'ALTER DATABASE d SET TABLESPACE fast;',
      'ALTER DATABASE d SET work_mem = 1;',
      'ALTER SUBSCRIPTION s REFRESH PUBLICATION;',
      'ALTER SUBSCRIPTION s SET PUBLICATION p;',
      'ALTER SUBSCRIPTION s SET PUBLICATION p WITH (refresh = false);',
      'REINDEX DATABASE d;',
    ].join('\n');
    const statements = await parseScript({ sql, path: 'm.sql', firstLine: 1, noTransaction: false });
    expect(statements.map((s) => s.nonTransactional)).toEqual([
      'REINDEX SCHEMA',
      undefined,
      'ALTER DATABASE ... SET TABLESPACE',
      undefined,
      'ALTER SUBSCRIPTION ... REFRESH PUBLICATION',
      'ALTER SUBSCRIPTION ... PUBLICATION (with refresh)',
      undefined,
      'REINDEX DATABASE',
    ]);
  });

  it('names the line of a syntax error in characters, also after emoji, and explains psql habits', async () => {
    const parse = (sql: string) => parseScript({ sql, path: 'm.sql', firstLine: 1, noTransaction: false });
    // Each 🎉 is one character for PostgreSQL and two UTF-16 units for JavaScript.
    await expect(parse(`-- ${'🎉'.repeat(43)}\n-- two\n-- three\nSELECT 1 FROM;\n`)).rejects.toThrow(
      /^m\.sql:4: syntax error at or near ";"/,
    );
    await expect(parse("SELECT 1;\nINSERT INTO t VALUES ('abc);\n")).rejects.toThrow(
      /^m\.sql:2: unterminated quoted string at or near [\s\S]*a string literal opened here is never closed/,
    );
    await expect(parse('SELECT 1;\nDO $$ BEGIN\n')).rejects.toThrow(/^m\.sql:2: unterminated dollar-quoted string/);
    await expect(parse('SELECT 1;\n\\i other.sql\n')).rejects.toThrow(/^m\.sql:2: \\i is a psql meta-command, not SQL/);
    const copy = await parse("COPY t FROM stdin;\nCOPY t FROM '/data.csv';");
    expect(copy.map((s) => s.copyFromStdin)).toEqual([true, undefined]);
  });

  it('embeds the parser of the installed libpg-query (run scripts/embed-parser.ts after upgrading it)', () => {
    const installed = readFileSync(createRequire(import.meta.url).resolve('libpg-query/wasm/libpg-query.wasm'));
    expect(gunzipSync(Buffer.from(PARSER_WASM_GZIP_BASE64, 'base64')).equals(installed)).toBe(true);
  });
});

describe('the folder side of the up-to-date check', () => {
  it('lists versions in the server text order, sorted only when widths differ', () => {
    const entry = (version: string) => ({ version, checksum: `c${version}` });
    // Numeric order (as files come) of mixed widths is not text order: 9 < 10, but '10' < '9'.
    expect(inSyncText(['9', '10', '0011'].map(entry))).toBe('0011 c0011/10 c10/9 c9');
    expect(inSyncText(['1', '10', '100'].map(entry))).toBe('1 c1/10 c10/100 c100');
    expect(inSyncText(['0009', '0010', '0011'].map(entry))).toBe('0009 c0009/0010 c0010/0011 c0011');
    expect(inSyncText([])).toBe('');
  });
});
