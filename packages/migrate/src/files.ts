import { hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
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
  /** `prisma`: Prisma Migrate's `<timestamp>_<name>/migration.sql` folders (up only). */
  layout: 'files' | 'sections' | 'folders' | 'prisma';
  up: Script;
  down?: Script;
  /** SHA-256 of the up SQL (normalised), hex. */
  checksum: string;
}

export const NO_TRANSACTION = '-- pg-migrate:no-transaction';
const VERSIONED = /^(\d+)(?:[_-](.*))?$/;
/**
 * Section markers: dbmate's `-- migrate:up` / `-- migrate:down` (with options after them), and
 * node-pg-migrate's `-- Up Migration` / `-- Down Migration` (any case, as its sqlMigration.ts
 * matches them: `^\s*--[\s-]*up\s+migration`). Without the second pair, a node-pg-migrate file
 * would run its down SQL as part of its up script.
 */
const UP_MARK = /^(?:--\s*migrate:up\b|[ \t]*--[ \t-]*up[ \t]+migration\b)(.*)$/im;
const DOWN_MARK = /^(?:--\s*migrate:down\b|[ \t]*--[ \t-]*down[ \t]+migration\b)(.*)$/im;
/** Cheap test before the markers are looked for. */
const MAY_HAVE_MARKERS = /migrate:|\bup\s+migration|\bdown\s+migration/i;

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

/** Index of the first character of `text` outside comments and blanks, or -1 when there is none. */
function firstCode(text: string): number {
  const blank = (comment: string) => comment.replace(/[^\n]/g, ' ');
  return text
    .replace(/\/\*[\s\S]*?\*\//g, blank)
    .replace(/--[^\n]*/g, blank)
    .search(/\S/);
}

const markerCount = (text: string, marker: RegExp) => text.match(new RegExp(marker.source, 'gim'))?.length ?? 0;

/**
 * Splits a `-- migrate:up` / `-- migrate:down` file into its two sections. Anything that would
 * not run (SQL before the up marker, a down marker first, a marker twice) is refused: dbmate
 * refuses such files too, and skipping SQL silently is the worst outcome of a migration.
 */
function sections(path: string, text: string): { up: Script; down?: Script } {
  const up = UP_MARK.exec(text);
  if (!up) throw new UserError(`${path}: has a \`-- migrate:down\` section but no \`-- migrate:up\` section`);
  const down = DOWN_MARK.exec(text);
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  if (markerCount(text, UP_MARK) > 1 || markerCount(text, DOWN_MARK) > 1) {
    throw new UserError(
      `${path}: has more than one \`-- migrate:up\` or \`-- migrate:down\` marker; keep one of each (up first) or split the file into two migrations`,
    );
  }
  if (down && down.index < up.index) {
    throw new UserError(
      `${path}:${lineOf(down.index)}: \`-- migrate:down\` comes before \`-- migrate:up\`; put the up section first`,
    );
  }
  const before = firstCode(text.slice(0, up.index));
  if (before !== -1) {
    throw new UserError(
      `${path}:${lineOf(before)}: SQL before \`-- migrate:up\` would never run; move it below the marker (or delete it)`,
    );
  }
  const upStart = up.index + up[0].length + 1;
  const upEnd = down ? down.index : text.length;
  const upNoTx = /transaction:\s*false/.test(up[1]);
  const upSql = text.slice(upStart, upEnd);
  const result: { up: Script; down?: Script } = {
    up: script(path, upSql, lineOf(upStart), upNoTx || firstLineIsDirective(upSql)),
  };
  if (down) {
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
  /** Where it was found, as shown in messages. */
  source: string;
}

/**
 * Reads every migration in `dir`. Four layouts are recognised, per entry:
 * `0001_name.sql` (+ optional `0001_name.down.sql`, also `.up.sql`), one file with
 * `-- migrate:up` / `-- migrate:down` sections, a folder `0001_name/` holding
 * `up.sql` and `down.sql`, and Prisma Migrate's `20240101120000_name/migration.sql`.
 * Sorted by the numeric value of the leading digits. What would be skipped silently (a
 * second script for one version, `.SQL`, a versioned folder with nothing to run) is refused.
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

/** `.sql` in any case (`.SQL`, `.Up.Sql`): only the lower-case form is read, the others are refused. */
const SQL_ANY_CASE = /(?:\.(?:up|down))?\.sql$/i;

/** True when `path` is a folder (a stat, paid only for versioned names without up.sql). */
function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The error code of a failed file-system call (`ENOENT`, ...). */
const fsCode = (error: unknown) => (error as NodeJS.ErrnoException).code;

/** A file that exists but cannot be read (permissions, ...), named as shown in messages. */
function unreadable(shown: string, error: unknown): UserError {
  return new UserError(`${shown}: cannot be read (${(error as Error).message})`, { cause: error });
}

/** Reads `path`, or undefined when it does not exist (or a part of it is not a folder). */
function readIfExists(path: string, shown: string): string | undefined {
  try {
    return read(path);
  } catch (error) {
    if (fsCode(error) === 'ENOENT' || fsCode(error) === 'ENOTDIR') return undefined;
    throw unreadable(shown, error);
  }
}

/** The names in the migrations folder; a missing folder is the input's mistake. */
function listFolder(dir: string, root: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if (fsCode(error) !== 'ENOENT' && fsCode(error) !== 'ENOTDIR') throw unreadable(relative(root, dir) || dir, error);
    throw new UserError(`Migrations folder not found: ${relative(root, dir) || dir}`, {
      hint: 'Set the `migrations-dir` input to the folder holding the .sql files (relative to the workspace).',
    });
  }
}

/** The scanned entries as migrations sorted by version; each needs an up script. */
function migrationFiles(entries: Iterable<Entry>): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const e of entries) {
    if (!e.up) throw new UserError(`${e.source}: a down migration without its up migration (version ${e.version})`);
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

/**
 * Reads the folder; yields after every FILES_PER_SLICE entries. Written for one pass of cold
 * code over thousands of files, where each step per file shows in a no-op run's time: one
 * `readdir` of names (no file types: a name not ending in `.sql` is tried as a migration
 * folder by reading its `up.sql`), numeric versions as Map keys.
 */
function* scan(folder: string, root: string): Generator<void, MigrationFile[]> {
  const dir = resolve(folder);
  const names = listFolder(dir, root);
  // Paths as shown in messages and annotations: relative to the workspace.
  const base = relative(root, dir);
  const prefix = base ? `${base}/` : '';
  const entries = new Map<bigint, Entry>();
  const entry = (version: string, name: string, layout: Entry['layout'], source: string): Entry => {
    const order = BigInt(version);
    const existing = entries.get(order);
    if (existing && (existing.name !== name || existing.version !== version)) {
      throw new UserError(
        `Two migrations have version ${version}: ${existing.source} and ${source}. Versions must be unique (and written the same way in a migration's files).`,
      );
    }
    const created = existing ?? { version, order, name, layout, source };
    entries.set(order, created);
    return created;
  };
  /** Sets the up or down script of `e`; a second one for the same direction is refused, never dropped. */
  const put = (e: Entry, direction: 'up' | 'down', s: Script | undefined): void => {
    if (!s) return;
    const existing = e[direction];
    if (existing) {
      throw new UserError(
        `Two ${direction} scripts for migration ${migrationLabel(e)}: ${existing.path} and ${s.path}. Keep one of them (one layout per migration).`,
      );
    }
    e[direction] = s;
  };
  const folderEntry = (name: string): void => {
    const shown = `${prefix}${name}`;
    const match = VERSIONED.exec(name);
    let up = readIfExists(`${dir}/${name}/up.sql`, `${shown}/up.sql`);
    let upPath = `${shown}/up.sql`;
    let layout: Entry['layout'] = 'folders';
    if (up === undefined) {
      // ENOTDIR: a file (README.md). A folder without up.sql may be Prisma Migrate's layout.
      const prisma = readIfExists(`${dir}/${name}/migration.sql`, `${shown}/migration.sql`);
      if (prisma !== undefined) {
        up = prisma;
        upPath = `${shown}/migration.sql`;
        layout = 'prisma';
      } else if (match && isFolder(`${dir}/${name}`)) {
        throw new UserError(
          `${shown}/: a versioned folder without up.sql (nothing in it would run). Put the migration in ${shown}/up.sql (and its reverse in down.sql), or move the folder out of the migrations folder.`,
        );
      } else return;
    } else if (readIfExists(`${dir}/${name}/migration.sql`, `${shown}/migration.sql`) !== undefined) {
      throw new UserError(`${shown}/: holds both up.sql and Prisma's migration.sql; keep one of them`);
    }
    if (!match) throw new UserError(`${shown}: a migration folder name must start with its version number`);
    const e = entry(match[1], match[2] ?? '', layout, shown);
    put(e, 'up', script(upPath, up));
    const down = layout === 'folders' ? readIfExists(`${dir}/${name}/down.sql`, `${shown}/down.sql`) : undefined;
    if (down !== undefined) put(e, 'down', script(`${shown}/down.sql`, down));
  };

  // Sorted by name (UTF-16 order) so that errors about duplicates are stable; the result is
  // sorted by version.
  names.sort();
  let count = 0;
  for (const name of names) {
    if (++count % FILES_PER_SLICE === 0) yield;
    if (!name.endsWith('.sql')) {
      if (SQL_ANY_CASE.test(name) && VERSIONED.test(name.slice(0, name.indexOf('.')))) {
        throw new UserError(
          `${prefix}${name}: a migration file must end in lower-case .sql (this one would be skipped); rename it to ${name.replace(SQL_ANY_CASE, (x) => x.toLowerCase())}`,
        );
      }
      folderEntry(name);
      continue;
    }
    const shown = `${prefix}${name}`;
    const direction = name.endsWith('.down.sql') ? 'down' : 'up';
    const suffix = direction === 'down' ? '.down.sql' : name.endsWith('.up.sql') ? '.up.sql' : '.sql';
    const match = VERSIONED.exec(name.slice(0, -suffix.length));
    if (!match) {
      throw new UserError(`${shown}: a migration file name must start with its version number (e.g. 0001_name.sql)`);
    }
    let text: string;
    try {
      text = read(`${dir}/${name}`);
    } catch (error) {
      if (fsCode(error) !== 'EISDIR') throw unreadable(shown, error);
      folderEntry(name);
      continue;
    }
    const e = entry(match[1], match[2] ?? '', 'files', shown);
    if (direction === 'down') {
      put(e, 'down', script(shown, text));
    } else if (MAY_HAVE_MARKERS.test(text) && (UP_MARK.test(text) || DOWN_MARK.test(text))) {
      const parts = sections(shown, text);
      e.layout = 'sections';
      put(e, 'up', parts.up);
      put(e, 'down', parts.down);
    } else {
      put(e, 'up', script(shown, text));
    }
  }

  return migrationFiles(entries.values());
}

/** `0001_users` (or `0001` when the migration has no name): how messages name a migration. */
export const migrationLabel = (m: { version: string; name: string }) => (m.name ? `${m.version}_${m.name}` : m.version);

/** One key per numeric version (`0010` and `10` alike), for maps of rows and files. */
export const versionKey = (version: string) => BigInt(version).toString();

/** Compares two version strings numerically (`0010` > `9`). */
export function compareVersions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
