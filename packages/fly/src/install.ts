import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { log, requestWithRetry, runProcess, UserError } from '@deploy-actions/toolkit';
import { DEFAULT_FLYCTL_VERSION } from './names';

/** Where release archives live; `FLYCTL_DOWNLOAD_BASE_URL` overrides it (tests serve a local tarball). */
export const DEFAULT_DOWNLOAD_BASE_URL = 'https://github.com/superfly/flyctl/releases/download';

export interface VersionRequest {
  /** `exact` wants that version; `minimum` accepts it or anything newer; `latest` takes any on PATH, else the newest release. */
  mode: 'exact' | 'minimum' | 'latest';
  version: string;
}

/** Where `latest` is resolved (as superfly/setup-flyctl does); `FLYCTL_RELEASES_URL` overrides it. */
export const DEFAULT_RELEASES_URL = 'https://api.fly.io/app/flyctl_releases';

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

/** Asks Fly which release is newest: the answer is its download URL, which names the version. */
async function resolveLatest(env: NodeJS.ProcessEnv): Promise<string> {
  const base = (env.FLYCTL_RELEASES_URL || DEFAULT_RELEASES_URL).replace(/\/+$/, '');
  const url = `${base}/Linux/${process.arch === 'arm64' ? 'arm64' : 'x86_64'}/latest`;
  try {
    // Fly's releases endpoint may redirect; 5xx, 429 and network errors are retried.
    const { text } = await requestWithRetry(url, {
      label: 'The flyctl releases endpoint',
      method: 'GET',
      redirect: 'follow',
      attempts: 4,
      timeoutMs: 60_000,
    });
    const body = text.trim();
    const version = /\/v(\d+\.\d+\.\d+)\//.exec(body)?.[1] ?? /(\d+\.\d+\.\d+)/.exec(body)?.[1];
    if (version) return version;
    throw new Error(`no version in its answer: ${body.slice(0, 200)}`);
  } catch (error) {
    throw new UserError(`Could not find the latest flyctl release at ${url}: ${(error as Error).message}`, {
      hint: 'Set the `flyctl-version` input to a version such as 0.4.87.',
    });
  }
}

function archiveName(version: string): string {
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

/**
 * Makes the requested flyctl available: the one on PATH when its version satisfies
 * the request, else a cached or freshly downloaded release (added to PATH).
 */
export async function ensureFlyctl(
  requested: string = DEFAULT_FLYCTL_VERSION,
  env: NodeJS.ProcessEnv = process.env,
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
      ? await resolveLatest(env)
      : request.mode === 'minimum' && compareVersions(DEFAULT_FLYCTL_VERSION, request.version) >= 0
        ? DEFAULT_FLYCTL_VERSION
        : request.version;
  const tc = await import('@actions/tool-cache');
  const arch = process.arch;
  const cached = tc.find('flyctl', version, arch);
  if (cached && existsSync(join(cached, 'flyctl'))) {
    const { addPath } = await import('@actions/core');
    addPath(cached);
    return { bin: join(cached, 'flyctl'), version, source: 'cache' };
  }
  const base = (env.FLYCTL_DOWNLOAD_BASE_URL || DEFAULT_DOWNLOAD_BASE_URL).replace(/\/+$/, '');
  const url = `${base}/v${version}/${archiveName(version)}`;
  log.info(`Downloading flyctl ${version}${onPath ? ` (found ${onPath} on PATH)` : ''} from ${url}`);
  let archive: string;
  try {
    archive = await tc.downloadTool(url);
  } catch (error) {
    throw new UserError(`Could not download flyctl ${version} from ${url}: ${(error as Error).message}`, {
      hint: 'Check the `flyctl-version` input: it must name a published flyctl release.',
    });
  }
  const extracted = await tc.extractTar(archive);
  const bin = join(extracted, 'flyctl');
  if (!existsSync(bin)) throw new UserError(`The flyctl ${version} archive holds no \`flyctl\` executable`);
  chmodSync(bin, 0o755);
  const dir = await tc.cacheDir(extracted, 'flyctl', version, arch);
  const { addPath } = await import('@actions/core');
  addPath(dir);
  return { bin: join(dir, 'flyctl'), version, source: 'download' };
}
