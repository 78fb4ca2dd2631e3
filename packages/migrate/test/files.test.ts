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

  it('ignores what is not a migration: other files, folders without up.sql', () => {
    const dir = migrationsDir({
      'README.md': '# migrations',
      '.keep': '',
      'fixtures/data.csv': 'a,b',
      '0002_two/notes.txt': 'no up.sql here',
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
