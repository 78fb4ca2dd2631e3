/**
 * `npm run lockfile`: adds to package-lock.json the platform-specific optional
 * dependencies (biome, squawk, dbmate binaries for other systems) that npm leaves out
 * when the registry it used does not serve them. Without those entries `npm ci` refuses
 * the lockfile as out of sync. Run it after every `npm install` that changes the lockfile;
 * a contract test fails while an entry is missing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './actions';

interface LockPackage {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  optionalDependencies?: Record<string, string>;
}
interface Lockfile {
  packages: Record<string, LockPackage>;
}

export const LOCKFILE = join(ROOT, 'package-lock.json');

/** Where Node would find `dep` from the package at `path`: its own node_modules, then each parent's. */
function resolvesTo(packages: Lockfile['packages'], path: string, dep: string): string | undefined {
  let dir = path;
  for (;;) {
    const candidate = dir === '' ? `node_modules/${dep}` : `${dir}/node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (dir === '') return undefined;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up === -1 ? '' : dir.slice(0, up);
  }
}

/** The optional dependencies npm would report missing: `[where to add it, entry]`. */
export function missingOptionals(lock: Lockfile): [string, LockPackage][] {
  const missing = new Map<string, LockPackage>();
  for (const [path, meta] of Object.entries(lock.packages)) {
    for (const [dep, spec] of Object.entries(meta.optionalDependencies ?? {})) {
      if (resolvesTo(lock.packages, path, dep)) continue;
      const version = spec.replace(/^[\^~=]/, '');
      const hoisted = `node_modules/${dep}`;
      const taken = missing.get(hoisted);
      const where = taken && taken.version !== version ? `${path}/node_modules/${dep}` : hoisted;
      if (!missing.has(where)) missing.set(where, { version, ...(meta.dev ? { dev: true } : {}), optional: true });
    }
  }
  return [...missing];
}

export function completeLockfile(lock: Lockfile): number {
  const missing = missingOptionals(lock);
  for (const [where, entry] of missing) lock.packages[where] = entry;
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  return missing.length;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lock = JSON.parse(readFileSync(LOCKFILE, 'utf8')) as Lockfile;
  const added = completeLockfile(lock);
  writeFileSync(LOCKFILE, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(
    added === 0 ? 'package-lock.json is complete' : `added ${added} optional platform packages to package-lock.json`,
  );
}
