/**
 * `npm run lockfile`: adds to package-lock.json the platform-specific optional dependencies
 * (biome, squawk, dbmate binaries for other systems) that npm leaves out when the registry it
 * used does not serve them. Without those entries `npm ci` refuses the lockfile as out of sync.
 *
 * Each added entry carries the package's `os`, `cpu` (and `libc`) fields: with them `npm ci`
 * installs only the binary for the machine it runs on; without them it installs every platform's
 * (about 740 MB of biome alone). The fields come from the registry's metadata for that version,
 * or, when the registry does not serve it, from the `<os>-<cpu>[-musl]` name these packages share.
 * Run it after every `npm install` that changes the lockfile; a contract test fails while an
 * entry is missing or has no platform.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './actions';

export interface LockPackage {
  version?: string;
  integrity?: string;
  dev?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  engines?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
export interface Lockfile {
  packages: Record<string, LockPackage>;
}
export interface Platform {
  os: string[];
  cpu: string[];
  libc?: string[];
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

/** The package name at a lockfile path (`node_modules/a/node_modules/@s/b` -> `@s/b`). */
export function packageName(where: string): string {
  return where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** Entries npm wrote from a name and version alone (no integrity) that say nothing of their platform. */
export function platformlessStubs(lock: Lockfile): string[] {
  return Object.entries(lock.packages)
    .filter(([where, meta]) => where !== '' && meta.optional && !meta.integrity && (!meta.os || !meta.cpu))
    .map(([where]) => where);
}

const OS = new Set(['aix', 'android', 'darwin', 'freebsd', 'linux', 'openbsd', 'sunos', 'win32']);
const CPU = new Set(['arm', 'arm64', 'ia32', 'loong64', 'ppc64', 's390x', 'x64']);

/** `@biomejs/cli-linux-x64-musl` -> linux / x64 / musl: the naming every per-platform binary package here uses. */
export function platformFromName(name: string): Platform | undefined {
  const parts = name.split('/').pop()!.split('-');
  for (let i = 0; i + 1 < parts.length; i++) {
    if (!OS.has(parts[i]) || !CPU.has(parts[i + 1])) continue;
    const rest = parts.slice(i + 2);
    if (rest.length === 0) return { os: [parts[i]], cpu: [parts[i + 1]] };
    if (rest.length === 1 && (rest[0] === 'musl' || rest[0] === 'gnu'))
      return { os: [parts[i]], cpu: [parts[i + 1]], libc: [rest[0] === 'gnu' ? 'glibc' : 'musl'] };
  }
  return undefined;
}

/** The published `os`/`cpu`/`libc` of one version, asked of the registry with npm itself. */
function platformFromRegistry(name: string, version: string): Platform | undefined {
  try {
    const out = execFileSync('npm', ['view', `${name}@${version}`, 'os', 'cpu', 'libc', '--json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 60_000,
    });
    const meta = JSON.parse(out) as Partial<Platform>;
    if (!meta.os || !meta.cpu) return undefined;
    return { os: meta.os, cpu: meta.cpu, ...(meta.libc ? { libc: meta.libc } : {}) };
  } catch {
    return undefined;
  }
}

export type PlatformLookup = (name: string, version: string) => Platform | undefined;

/** Registry first; the name when the registry does not serve that version. */
export const lookupPlatform: PlatformLookup = (name, version) =>
  platformFromRegistry(name, version) ?? platformFromName(name);

/**
 * Adds the missing optional entries and gives every platform-less stub its platform. Returns what
 * changed; throws, naming them, for packages whose platform cannot be found (npm would install them
 * everywhere).
 */
export function completeLockfile(lock: Lockfile, lookup: PlatformLookup = lookupPlatform) {
  const missing = missingOptionals(lock);
  for (const [where, entry] of missing) lock.packages[where] = entry;
  const stubs = platformlessStubs(lock);
  const unknown: string[] = [];
  for (const where of stubs) {
    const entry = lock.packages[where];
    const platform = lookup(packageName(where), entry.version ?? '');
    if (!platform) unknown.push(`${packageName(where)}@${entry.version}`);
    else lock.packages[where] = withVersionFirst({ ...entry, ...platform });
  }
  if (unknown.length > 0) {
    throw new Error(
      `no os/cpu found for ${unknown.join(', ')} (the registry does not serve them and their names are not <os>-<cpu>); ` +
        'add their "os" and "cpu" to package-lock.json by hand',
    );
  }
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  return { added: missing.length, platformed: stubs.length };
}

/** A stub's keys as npm orders an entry's: version first, then alphabetical. */
function withVersionFirst(meta: LockPackage): LockPackage {
  const rank = (key: string) => (key === 'version' ? '' : key);
  return Object.fromEntries(Object.entries(meta).sort(([a], [b]) => rank(a).localeCompare(rank(b)))) as LockPackage;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lock = JSON.parse(readFileSync(LOCKFILE, 'utf8')) as Lockfile;
  const { added, platformed } = completeLockfile(lock);
  writeFileSync(LOCKFILE, `${JSON.stringify(lock, null, 2)}\n`);
  console.log(
    added + platformed === 0
      ? 'package-lock.json is complete'
      : `package-lock.json: ${added} optional platform packages added, ${platformed} given their os/cpu`,
  );
}
