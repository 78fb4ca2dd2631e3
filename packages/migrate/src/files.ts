import { hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { UserError } from '@deploy-actions/toolkit';

/** SQL for one direction of a migration, with where it came from (for file:line errors). */
export interface Script {
  /** BOM removed, CRLF turned into LF. */
  sql: string;
  /** Path of the file holding it. */
  path: string;
  /** 1-based line in `path` where `sql` starts (sectioned files start after `-- migrate:up`). */
  firstLine: number;
  /** First line is `-- pg-migrate:no-transaction` (or dbmate's `transaction:false`). */
  noTransaction: boolean;
}

export interface MigrationFile {
  /** The leading digits as written (`0001`, `20260101120000`). */
  version: string;
  /** Numeric value of `version`, for ordering. */
  order: bigint;
  name: string;
  layout: 'files' | 'sections' | 'folders';
  up: Script;
  down?: Script;
  /** SHA-256 of the up SQL (normalised), hex. */
  checksum: string;
}

export const NO_TRANSACTION = '-- pg-migrate:no-transaction';
const VERSIONED = /^(\d+)(?:[_-](.*))?$/;
const UP_MARK = /^--\s*migrate:up\b(.*)$/m;
const DOWN_MARK = /^--\s*migrate:down\b(.*)$/m;

/** Removes a UTF-8 BOM and turns CRLF (and lone CR) into LF, so checksums agree across checkouts. */
export function normalise(text: string): string {
  const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return withoutBom.includes('\r') ? withoutBom.replace(/\r\n?/g, '\n') : withoutBom;
}

export function checksum(sql: string): string {
  return hash('sha256', normalise(sql), 'hex');
}

/** `checksum` of text read by `read`, which is normalised already. */
const checksumOfNormalised = (sql: string) => hash('sha256', sql, 'hex');

function firstLineIsDirective(sql: string): boolean {
  // Most files do not mention it at all; only those need their first line looked at.
  if (!/pg-migrate:no-transaction/i.test(sql)) return false;
  const first = sql
    .replace(/^\s*\n/, '')
    .split('\n', 1)[0]
    .trim()
    .toLowerCase();
  return first === NO_TRANSACTION;
}

function script(path: string, sql: string, firstLine = 1, noTransaction = firstLineIsDirective(sql)): Script {
  return { sql, path, firstLine, noTransaction };
}

/** Splits a `-- migrate:up` / `-- migrate:down` file into its two sections. */
function sections(path: string, text: string): { up: Script; down?: Script } {
  const up = UP_MARK.exec(text);
  if (!up) throw new UserError(`${path}: has a \`-- migrate:down\` section but no \`-- migrate:up\` section`);
  const down = DOWN_MARK.exec(text);
  const upStart = up.index + up[0].length + 1;
  const upEnd = down && down.index > up.index ? down.index : text.length;
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  const upNoTx = /transaction:\s*false/.test(up[1]);
  const upSql = text.slice(upStart, upEnd);
  const result: { up: Script; down?: Script } = {
    up: script(path, upSql, lineOf(upStart), upNoTx || firstLineIsDirective(upSql)),
  };
  if (down && down.index > up.index) {
    const downStart = down.index + down[0].length + 1;
    const downSql = text.slice(downStart);
    if (downSql.trim() !== '') {
      const downNoTx = /transaction:\s*false/.test(down[1]);
      result.down = script(path, downSql, lineOf(downStart), downNoTx || firstLineIsDirective(downSql));
    }
  }
  return result;
}

function read(path: string): string {
  return normalise(readFileSync(path, 'utf8'));
}

interface Entry {
  version: string;
  order: bigint;
  name: string;
  layout: MigrationFile['layout'];
  up?: Script;
  down?: Script;
  source: string;
}

/**
 * Reads every migration in `dir`. Three layouts are recognised, per entry:
 * `0001_name.sql` (+ optional `0001_name.down.sql`, also `.up.sql`), one file with
 * `-- migrate:up` / `-- migrate:down` sections, and a folder `0001_name/` holding
 * `up.sql` and `down.sql`. Sorted by the numeric value of the leading digits.
 */
export function readMigrations(dir: string, root = process.cwd()): MigrationFile[] {
  const reading = scan(dir, root);
  let step = reading.next();
  while (!step.done) step = reading.next();
  return step.value;
}

/**
 * `readMigrations`, giving the event loop a turn every few dozen files, so that network work
 * started before it (a connection's handshake, mostly waiting) proceeds while files are read.
 */
export async function readMigrationsInSlices(dir: string, root = process.cwd()): Promise<MigrationFile[]> {
  const reading = scan(dir, root);
  let step = reading.next();
  while (!step.done) {
    await new Promise((resolve) => setImmediate(resolve));
    step = reading.next();
  }
  return step.value;
}

const FILES_PER_SLICE = 64;

/** Reads the folder; yields after every FILES_PER_SLICE files read. */
function* scan(folder: string, root: string): Generator<void, MigrationFile[]> {
  const dir = resolve(folder);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(`Migrations folder not found: ${relative(root, dir) || dir}`, {
      hint: 'Set the `migrations-dir` input to the folder holding the .sql files (relative to the workspace).',
    });
  }
  const base = relative(root, dir);
  const shown = (p: string) =>
    p.startsWith(`${dir}/`)
      ? base
        ? `${base}/${p.slice(dir.length + 1)}`
        : p.slice(dir.length + 1)
      : relative(root, p) || p;
  const entries = new Map<string, Entry>();
  const entry = (version: string, name: string, layout: Entry['layout'], source: string): Entry => {
    const order = BigInt(version);
    const key = order.toString();
    const existing = entries.get(key);
    if (existing && existing.name !== name) {
      throw new UserError(
        `Two migrations have version ${version}: ${shown(existing.source)} and ${shown(source)}. Versions must be unique.`,
      );
    }
    const created = existing ?? { version, order, name, layout, source };
    entries.set(key, created);
    return created;
  };

  // Sorted by name so that errors about duplicates are stable; the result is sorted by version.
  const dirents = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  let count = 0;
  for (const dirent of dirents) {
    if (++count % FILES_PER_SLICE === 0) yield;
    const full = `${dir}/${dirent.name}`;
    if (dirent.isDirectory()) {
      const upPath = join(full, 'up.sql');
      if (!existsSync(upPath)) continue;
      const match = VERSIONED.exec(dirent.name);
      if (!match) throw new UserError(`${shown(full)}: a migration folder name must start with its version number`);
      const e = entry(match[1], match[2] ?? '', 'folders', full);
      e.up = script(shown(upPath), read(upPath));
      const downPath = join(full, 'down.sql');
      if (existsSync(downPath)) e.down = script(shown(downPath), read(downPath));
      continue;
    }
    if (!dirent.name.endsWith('.sql')) continue;
    const base = dirent.name.slice(0, -'.sql'.length);
    const direction = base.endsWith('.down') ? 'down' : 'up';
    const stem = direction === 'down' ? base.slice(0, -5) : base.endsWith('.up') ? base.slice(0, -3) : base;
    const match = VERSIONED.exec(stem);
    if (!match) {
      throw new UserError(
        `${shown(full)}: a migration file name must start with its version number (e.g. 0001_name.sql)`,
      );
    }
    const e = entry(match[1], match[2] ?? '', 'files', full);
    const text = read(full);
    if (direction === 'down') {
      e.down = script(shown(full), text);
    } else if (text.includes('migrate:') && (UP_MARK.test(text) || DOWN_MARK.test(text))) {
      const parts = sections(shown(full), text);
      e.layout = 'sections';
      e.up = parts.up;
      e.down = parts.down ?? e.down;
    } else {
      e.up = script(shown(full), text);
    }
  }

  const files: MigrationFile[] = [];
  for (const e of entries.values()) {
    if (!e.up)
      throw new UserError(`${shown(e.source)}: a down migration without its up migration (version ${e.version})`);
    files.push({
      version: e.version,
      order: e.order,
      name: e.name,
      layout: e.layout,
      up: e.up,
      down: e.down,
      checksum: checksumOfNormalised(e.up.sql),
    });
  }
  return files.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
}

/** Compares two version strings numerically (`0010` > `9`). */
export function compareVersions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
