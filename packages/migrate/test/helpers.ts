import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Location, MigrateLogger } from '../src/index';

/** A migrations folder from a map of relative path -> SQL. */
export function migrationsDir(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'migrations-'));
  const dir = join(root, 'migrations');
  mkdirSync(dir);
  for (const [path, sql] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), sql);
  }
  return dir;
}

export function addFile(dir: string, path: string, sql: string): void {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), sql);
}

export interface Captured extends MigrateLogger {
  infos: string[];
  warnings: { message: string; at?: Location }[];
}

export function capture(): Captured {
  const infos: string[] = [];
  const warnings: { message: string; at?: Location }[] = [];
  return {
    infos,
    warnings,
    info: (m) => infos.push(m),
    warning: (message, at) => warnings.push({ message, at }),
  };
}

/** `count` generated migrations, each a table and an index. */
export function generated(count: number, start = 1): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = start; i < start + count; i++) {
    const v = String(i).padStart(4, '0');
    files[`${v}_t${i}.sql`] =
      `CREATE TABLE t${i} (id bigint PRIMARY KEY, v text);\nCREATE INDEX t${i}_v ON t${i} (v);\n`;
  }
  return files;
}
