import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checksum, parseScript, readMigrations } from '../src/index';
import { PARSER_WASM_GZIP_BASE64 } from '../src/parser-wasm';
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
