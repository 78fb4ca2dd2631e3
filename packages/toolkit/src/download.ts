/**
 * Tools we download (flyctl, squawk): where from, proof that the bytes are the published ones,
 * and a copy kept across jobs in the Actions cache.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { UserError } from './errors';
import { log } from './log';

/**
 * The only way to point a download elsewhere (tests serve local copies): a command-line
 * argument to the bundle naming a JSON file of `{name: url}`. The Actions runner starts an
 * action as `node "<main>"` and nothing else (actions/runner
 * src/Runner.Worker/Handlers/NodeScriptActionHandler.cs:135), and no workflow data reaches that
 * command line. An environment variable would not do: any earlier step can set one for the
 * rest of the job through GITHUB_ENV, and then hand the Fly token to a binary of its choosing.
 */
export const TEST_SOURCES_FLAG = '--deploy-actions-test-sources=';

let testSources: Record<string, string> | undefined;

/** `official`, unless the bundle was started with the test flag and its file names `name`. */
export function downloadSource(name: string, official: string, argv: readonly string[] = process.argv): string {
  const flag = argv.find((arg) => arg.startsWith(TEST_SOURCES_FLAG));
  if (!flag) return official;
  testSources ??= JSON.parse(readFileSync(flag.slice(TEST_SOURCES_FLAG.length), 'utf8')) as Record<string, string>;
  return testSources[name] ?? official;
}

/** The SHA-256 of a file, in hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The digest a `sha256sum`-style list (`<hex>  <name>` per line, goreleaser's checksums.txt) gives `name`. */
export function checksumFor(list: string, name: string): string | undefined {
  for (const line of list.split(/\r?\n/)) {
    const match = /^([0-9a-fA-F]{64})\s+\*?(.+?)\s*$/.exec(line);
    if (match && match[2] === name) return match[1].toLowerCase();
  }
  return undefined;
}

/** Refuses a downloaded file whose SHA-256 is not `expected`: nothing from it is installed. */
export async function verifySha256(path: string, expected: string, what: string): Promise<void> {
  const actual = await sha256File(path);
  if (actual !== expected.toLowerCase()) {
    throw new UserError(`The downloaded ${what} does not match its published checksum: not installed`, {
      hint: `Expected SHA-256 ${expected.toLowerCase()}, got ${actual}. The download was altered or incomplete; run the job again, and report it if it persists.`,
    });
  }
}

/**
 * Restores `dir` from the Actions cache (`key` names tool, version and platform). False when
 * the cache service is absent (a local run, a test), holds nothing, or fails: the caller then
 * downloads, so the cache can only save time, never fail a step.
 */
export async function restoreToolCache(dir: string, key: string): Promise<boolean> {
  try {
    const cache = await import('@actions/cache');
    if (!cache.isFeatureAvailable()) return false;
    return (await cache.restoreCache([dir], key)) === key && existsSync(dir);
  } catch (error) {
    log.debug(`Actions cache restore of ${key} failed: ${(error as Error).message}`);
    return false;
  }
}

/** Saves `dir` under `key` for later jobs; a failure (or no cache service) only costs the next job a download. */
export async function saveToolCache(dir: string, key: string): Promise<void> {
  try {
    const cache = await import('@actions/cache');
    if (!cache.isFeatureAvailable()) return;
    await cache.saveCache([dir], key);
  } catch (error) {
    log.debug(`Actions cache save of ${key} failed: ${(error as Error).message}`);
  }
}
