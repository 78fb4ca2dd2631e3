import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  checksumFor,
  downloadSource,
  log,
  requestWithRetry,
  restoreToolCache,
  runProcess,
  saveToolCache,
  UserError,
  verifySha256,
} from '@deploy-actions/toolkit';
import { DEFAULT_FLYCTL_VERSION } from './names';

/**
 * Where release archives live, with the release's `checksums.txt` beside them
 * (superfly/flyctl@v0.4.87 .goreleaser.yml:96-97). Tests point it at a local server only
 * through toolkit's `downloadSource` (a bundle argument, never the environment).
 */
export const DEFAULT_DOWNLOAD_BASE_URL = 'https://github.com/superfly/flyctl/releases/download';

export interface VersionRequest {
  /** `exact` wants that version; `minimum` accepts it or anything newer; `latest` takes any on PATH, else the newest release. */
  mode: 'exact' | 'minimum' | 'latest';
  version: string;
}

/** Where `latest` is resolved, as flyctl's own updater does (superfly/flyctl@v0.4.87 internal/update/update.go:134). */
export const DEFAULT_RELEASES_URL = 'https://api.fly.io/app/flyctl_releases';

/** Where downloads come from; tests pass local servers (see DEFAULT_DOWNLOAD_BASE_URL). */
export interface FlyctlSources {
  download: string;
  releases: string;
}

function officialSources(): FlyctlSources {
  return {
    download: downloadSource('flyctl-download', DEFAULT_DOWNLOAD_BASE_URL),
    releases: downloadSource('flyctl-releases', DEFAULT_RELEASES_URL),
  };
}

const SEMVER = /^\d+\.\d+\.\d+$/;

/** Parses `0.4.87`, `v0.4.87` or `>=0.4.56`; undefined when it is none of these. */
export function parseVersionRequest(text: string): VersionRequest | undefined {
  const value = text.trim();
  if (value === 'latest') return { mode: 'latest', version: '' };
  const minimum = /^>=\s*v?(\d+\.\d+\.\d+)$/.exec(value);
  if (minimum) return { mode: 'minimum', version: minimum[1] };
  const exact = value.replace(/^v/, '');
  return SEMVER.test(exact) ? { mode: 'exact', version: exact } : undefined;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

export function satisfies(version: string, request: VersionRequest): boolean {
  if (request.mode === 'latest') return true;
  return request.mode === 'exact' ? version === request.version : compareVersions(version, request.version) >= 0;
}

/** The version in `flyctl version` output (`flyctl v0.4.87 linux/amd64 Commit: ...`). */
export function parseFlyctlVersion(output: string): string | undefined {
  return /\bv?(\d+\.\d+\.\d+)\b/.exec(output)?.[1];
}

/** Asks a flyctl binary for its version; undefined when it is not there or says nothing usable. */
export async function flyctlVersion(bin: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  try {
    const result = await runProcess(bin, ['version'], {
      env: { ...env, FLY_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      timeoutMs: 15_000,
    });
    return result.code === 0 ? parseFlyctlVersion(result.stdout) : undefined;
  } catch {
    return undefined;
  }
}

/** Go's names for this platform (GOOS/GOARCH), which the releases endpoint takes. */
function goPlatform(): { os: string; arch: string } {
  return { os: process.platform, arch: process.arch === 'x64' ? 'amd64' : process.arch };
}

/**
 * The version in the releases endpoint's answer: JSON `{"version": ..., "download_url": ...}`
 * (update.go:28-33, asked for with `Accept: application/json`), or, from an older answer, a
 * download URL or version in plain text.
 */
export function versionFromReleasesAnswer(body: string): string | undefined {
  try {
    const json = JSON.parse(body) as { version?: unknown; download_url?: unknown };
    const fromJson = [json.version, json.download_url].find((v): v is string => typeof v === 'string');
    if (fromJson) return /(\d+\.\d+\.\d+)/.exec(fromJson)?.[1];
  } catch {
    // Not JSON: plain text.
  }
  return /\/v(\d+\.\d+\.\d+)\//.exec(body)?.[1] ?? /(\d+\.\d+\.\d+)/.exec(body)?.[1];
}

/**
 * Asks Fly which release is newest, at `<base>/<GOOS>/<GOARCH>/latest` as flyctl's updater asks
 * (update.go:134): `linux/amd64`, `linux/arm64` (Go says arm64, never aarch64).
 */
async function resolveLatest(sources: FlyctlSources): Promise<string> {
  const { os, arch } = goPlatform();
  const url = `${sources.releases.replace(/\/+$/, '')}/${os}/${arch}/latest`;
  try {
    // Fly's releases endpoint may redirect; 5xx, 429 and network errors are retried.
    const { text } = await requestWithRetry(url, {
      label: 'The flyctl releases endpoint',
      method: 'GET',
      headers: { accept: 'application/json' },
      redirect: 'follow',
      attempts: 4,
      timeoutMs: 60_000,
    });
    const version = versionFromReleasesAnswer(text.trim());
    if (version) return version;
    throw new Error(`no version in its answer: ${text.trim().slice(0, 200)}`);
  } catch (error) {
    throw new UserError(`Could not find the latest flyctl release at ${url}: ${(error as Error).message}`, {
      hint: 'Set the `flyctl-version` input to a version such as 0.4.87.',
    });
  }
}

/** The release archive's name (.goreleaser.yml:61-67: `Linux`/`macOS`, `x86_64` for amd64, else Go's arch). */
export function archiveName(version: string): string {
  const os = process.platform === 'linux' ? 'Linux' : process.platform === 'darwin' ? 'macOS' : undefined;
  const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'arm64' : undefined;
  if (!os || !arch)
    throw new UserError(`flyctl cannot be installed on ${process.platform}/${process.arch} by this action`);
  return `flyctl_${version}_${os}_${arch}.tar.gz`;
}

export interface InstalledFlyctl {
  /** Absolute path of the flyctl executable (or `flyctl` when taken from PATH). */
  bin: string;
  version: string;
  source: 'path' | 'cache' | 'download';
}

/** Text of a small file from a release (its checksums.txt), or a user error naming it. */
async function fetchText(url: string, what: string): Promise<string> {
  try {
    return (
      await requestWithRetry(url, { label: what, method: 'GET', redirect: 'follow', attempts: 4, timeoutMs: 60_000 })
    ).text;
  } catch (error) {
    throw new UserError(`Could not download ${what} from ${url}: ${(error as Error).message}`, {
      hint: 'Check the `flyctl-version` input: it must name a published flyctl release.',
    });
  }
}

/**
 * Downloads the release archive and its checksums.txt, refuses an archive whose SHA-256 is
 * not the published one, and extracts `flyctl`. Returns the folder holding it.
 */
async function downloadVerified(version: string, sources: FlyctlSources, onPath: string | undefined): Promise<string> {
  const tc = await import('@actions/tool-cache');
  const name = archiveName(version);
  const release = `${sources.download.replace(/\/+$/, '')}/v${version}`;
  const url = `${release}/${name}`;
  log.info(`Downloading flyctl ${version}${onPath ? ` (found ${onPath} on PATH)` : ''} from ${url}`);
  const checksums = await fetchText(`${release}/checksums.txt`, `the checksums of flyctl ${version}`);
  const expected = checksumFor(checksums, name);
  if (!expected) throw new UserError(`The checksums.txt of flyctl ${version} lists no ${name}: not installed`);
  let archive: string;
  try {
    archive = await tc.downloadTool(url);
  } catch (error) {
    throw new UserError(`Could not download flyctl ${version} from ${url}: ${(error as Error).message}`, {
      hint: 'Check the `flyctl-version` input: it must name a published flyctl release.',
    });
  }
  await verifySha256(archive, expected, `flyctl ${version} archive (${name})`);
  const extracted = await tc.extractTar(archive);
  const bin = join(extracted, 'flyctl');
  if (!existsSync(bin)) throw new UserError(`The flyctl ${version} archive holds no \`flyctl\` executable`);
  chmodSync(bin, 0o755);
  // Kept with the binary, so a cached copy says what it was verified against.
  writeFileSync(join(extracted, 'flyctl.sha256'), `${expected}  ${name}\n`);
  return extracted;
}

/** The runner's tool-cache folder for this flyctl, where both caches put it. */
function toolDir(version: string): string {
  const root = process.env.RUNNER_TOOL_CACHE ?? '';
  return join(root, 'flyctl', version, process.arch);
}

/**
 * Makes the requested flyctl available: the one on PATH when its version satisfies the
 * request (trusted as the runner's own tools are), else the runner's tool cache, else the
 * Actions cache (kept across jobs, keyed by version and platform), else a download verified
 * against the release's checksums.txt, then kept in both caches. Added to PATH.
 */
export async function ensureFlyctl(
  requested: string = DEFAULT_FLYCTL_VERSION,
  env: NodeJS.ProcessEnv = process.env,
  sources: FlyctlSources = officialSources(),
): Promise<InstalledFlyctl> {
  const request = parseVersionRequest(requested);
  if (!request) {
    throw new UserError(
      `Invalid input 'flyctl-version': got ${JSON.stringify(requested)}; expected a version like 0.4.87, >=0.4.56 or latest`,
    );
  }
  const onPath = await flyctlVersion('flyctl', env);
  if (onPath && satisfies(onPath, request)) return { bin: 'flyctl', version: onPath, source: 'path' };

  // A minimum request downloads the pinned release when that is new enough.
  const version =
    request.mode === 'latest'
      ? await resolveLatest(sources)
      : request.mode === 'minimum' && compareVersions(DEFAULT_FLYCTL_VERSION, request.version) >= 0
        ? DEFAULT_FLYCTL_VERSION
        : request.version;
  const tc = await import('@actions/tool-cache');
  const { addPath } = await import('@actions/core');
  const arch = process.arch;
  const cached = tc.find('flyctl', version, arch);
  if (cached && existsSync(join(cached, 'flyctl'))) {
    addPath(cached);
    return { bin: join(cached, 'flyctl'), version, source: 'cache' };
  }
  const key = `deploy-actions-flyctl-${version}-${process.platform}-${arch}`;
  const dir = toolDir(version);
  if (process.env.RUNNER_TOOL_CACHE && (await restoreToolCache(dir, key)) && existsSync(join(dir, 'flyctl'))) {
    addPath(dir);
    return { bin: join(dir, 'flyctl'), version, source: 'cache' };
  }
  const extracted = await downloadVerified(version, sources, onPath);
  const installed = await tc.cacheDir(extracted, 'flyctl', version, arch);
  // The Actions cache restores to the path it saved: the same tool-cache folder next time.
  if (installed === dir) await saveToolCache(dir, key);
  addPath(installed);
  return { bin: join(installed, 'flyctl'), version, source: 'download' };
}
