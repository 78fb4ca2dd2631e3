import { toGoDuration, UserError } from '@deploy-actions/toolkit';
import type { Fly, RunOptions } from './client';
import { assertAppName, assertNotFlag } from './commands';
import { FlyError } from './errors';
import { ENV_NAME, IMAGE_LABEL, IMAGE_REF, imageTag, REGION, STRATEGIES, type Strategy } from './names';
import { type Release, releaseLineSchema } from './schemas';

export interface DeployOptions {
  app: string;
  /** Path to fly.toml, relative to the working directory. */
  config?: string;
  /** Pre-built image to deploy (no build). */
  image?: string;
  /** Tag for the image flyctl builds. */
  imageLabel?: string;
  strategy?: Strategy;
  buildArgs?: Record<string, string>;
  /**
   * BuildKit secrets. flyctl only accepts them as `--build-secret NAME=VALUE` in argv;
   * callers must register the values as secrets so that no echo reaches a log.
   */
  buildSecrets?: Record<string, string>;
  env?: Record<string, string>;
  regions?: readonly string[];
  ha?: boolean;
  waitTimeoutMs?: number;
  /**
   * flyctl's `--deploy-retries`; unset is flyctl's `auto` (a server-side flag decides). Above 0
   * flyctl updates machines on its recovery path (superfly/flyctl@v0.4.87
   * internal/command/deploy/deploy.go:626-645, machines_deploymachinesapp.go:603-610).
   */
  deployRetries?: number;
  remoteOnly?: boolean;
}

export interface NewRelease {
  id: string;
  version: number;
  imageRef: string;
}

/**
 * flyctl's non-interactive status lines start with a status glyph and, with more than one
 * line, an index: `> [1/2] Updating <id> [app]` (superfly/flyctl@v0.4.87
 * internal/statuslogger/noninteractive.go:34-45). Every pattern below allows that prefix.
 */
const STATUS = String.raw`^\s*(?:[>✔✖?]\s+)?(?:\[\d+\/\d+\]\s+)?`;
const ID = '[0-9a-f]{8,}';
const line = (rest: string) => new RegExp(`${STATUS}${rest}`, 'm');

/**
 * Lines flyctl prints once it has changed a machine or run the release command (which may
 * have migrated the database). "Updating existing machines in ..." is not one: on the
 * rolling path leases are taken before it, on the recovery path it comes before them.
 * Each pattern names the flyctl v0.4.87 line it matches (the corpus in test/transcripts
 * holds them in full).
 */
const TOUCHED = [
  // machines_deploymachinesapp.go:185, :948-952: `Updating <id> [group]` (rolling, immediate).
  line(`Updating ${ID}\\b`),
  // :1145, :176: `Machine <id> [group] was created`, `Created machine <id>`; :1179 `... update finished`.
  line(`Machine ${ID} .*(update|created)`),
  line(`Created machine ${ID}\\b`),
  line(`Replacing ${ID} by new machine`),
  // :371, :421, :429: launching machines for a group.
  /launching a new machine/i,
  /Creating a second machine/,
  line(`Creating a standby machine for ${ID}`),
  // machines_releasecommand.go:273: the release command ran (it may have migrated).
  line('Created release_command machine'),
  line('Running S+ release_command:'),
  // Canary and bluegreen machines.
  line('Creating (green|canary) machine'),
  line('Created canary machine'),
  // The recovery path (plan.go:612-715) and its error (plan.go:408).
  line(`(Updat(ing|ed) machine config for|Creating machine for|Destroy(ing|ed) machine) ${ID}`),
  line(`Machine ${ID} (is now in a good state|reached \\w+ state)`),
  /failed to update machine [0-9a-f]{8,}/,
];

/** True once flyctl's output shows that machines were created or updated. */
export function machinesTouched(output: string): boolean {
  return TOUCHED.some((re) => re.test(output));
}

/** The release announced by FLY_EMIT_RELEASE_JSON (flyctl >= 0.4.56), if the output has one. */
export function parseReleaseLine(stdout: string): NewRelease | undefined {
  const lines = stdout.split(/\r?\n/).reverse();
  for (const line of lines) {
    const text = line.trim();
    if (!text.startsWith('{') || !text.includes('"version"')) continue;
    try {
      const parsed = releaseLineSchema.safeParse(JSON.parse(text));
      if (parsed.success) {
        return { id: parsed.data.id, version: parsed.data.version, imageRef: parsed.data.image_ref ?? '' };
      }
    } catch {
      // Not the release line.
    }
  }
  return undefined;
}

/**
 * The parts of an image reference as Docker reads it: `nginx` is
 * `docker.io/library/nginx:latest`. The API may hand a deploy's image back normalised
 * (flyctl deploys the `Ref` the API returns for `--image`: internal/build/imgsrc/remote_image_resolver.go:33-57),
 * or exactly as it was given; comparing normalised forms accepts both.
 */
export function normaliseImageRef(ref: string): { name: string; tag: string; digest: string } {
  const [nameTag, digest = ''] = ref.trim().split('@');
  const slash = nameTag.indexOf('/');
  const first = slash === -1 ? '' : nameTag.slice(0, slash);
  const hasRegistry = first !== '' && (/[.:]/.test(first) || first === 'localhost');
  let registry = hasRegistry ? first : 'docker.io';
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  let path = hasRegistry ? nameTag.slice(slash + 1) : nameTag;
  const colon = path.lastIndexOf(':');
  const tag = colon === -1 ? (digest ? '' : 'latest') : path.slice(colon + 1);
  if (colon !== -1) path = path.slice(0, colon);
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  return { name: `${registry}/${path}`.toLowerCase(), tag, digest: digest.toLowerCase() };
}

/** True when two references name the same image: same repository, and same digest or (without one) same tag. */
export function sameImage(a: string, b: string): boolean {
  if (!a || !b) return false;
  if (a === b) return true;
  const x = normaliseImageRef(a);
  const y = normaliseImageRef(b);
  if (x.name !== y.name) return false;
  if (x.digest && y.digest) return x.digest === y.digest;
  return x.tag === y.tag || (!x.tag && !!x.digest) || (!y.tag && !!y.digest);
}

/** The newest release whose image is `imageRef` (exact or normalised) or carries `label`. */
export function findReleaseByImage(
  releases: readonly Release[],
  match: { label?: string; imageRef?: string },
): Release | undefined {
  return releases.find(
    (r) =>
      (match.imageRef && sameImage(r.imageRef, match.imageRef)) ||
      (match.label && imageTag(r.imageRef) === match.label),
  );
}

function pairs(flag: string, values: Record<string, string> | undefined, what: string): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(values ?? {})) {
    if (!ENV_NAME.test(name)) throw new UserError(`Invalid ${what} name ${JSON.stringify(name)}`);
    if (value.includes('\n')) throw new UserError(`The ${what} ${name} spans lines; flyctl takes one line per value`);
    out.push(flag, `${name}=${value}`);
  }
  return out;
}

/** The argv of `flyctl deploy` for `options`, every value validated first. */
export function deployArgs(options: DeployOptions): string[] {
  assertAppName(options.app);
  const args = ['deploy', '--app', options.app];
  if (options.config) {
    assertNotFlag(options.config, 'config path');
    args.push('--config', options.config);
  }
  if (options.image) {
    const buildOnly = [
      ['image-label', options.imageLabel],
      ['build-args', Object.keys(options.buildArgs ?? {}).length > 0],
      ['build-secrets', Object.keys(options.buildSecrets ?? {}).length > 0],
    ].filter(([, given]) => given);
    if (buildOnly.length > 0) {
      throw new UserError(
        `Input 'image' deploys a built image, so ${buildOnly.map(([name]) => `'${name}'`).join(' and ')} would be ignored: remove one or the other`,
      );
    }
    if (!IMAGE_REF.test(options.image)) throw new UserError(`Invalid image reference ${JSON.stringify(options.image)}`);
    args.push('--image', options.image);
  } else {
    if (options.imageLabel) {
      if (!IMAGE_LABEL.test(options.imageLabel)) {
        throw new UserError(`Invalid image label ${JSON.stringify(options.imageLabel)}`);
      }
      args.push('--image-label', options.imageLabel);
    }
    // flyctl v0.4.87 builds with Depot (remote) unless told otherwise, even with --local-only:
    // `--depot` defaults to `auto`, which a server-side flag turns on (deploy_build.go:64-97).
    if (options.remoteOnly === false) args.push('--local-only', '--depot=false');
    else args.push('--remote-only');
    args.push(...pairs('--build-arg', options.buildArgs, 'build argument'));
    args.push(...pairs('--build-secret', options.buildSecrets, 'build secret'));
  }
  if (options.strategy) {
    if (!STRATEGIES.includes(options.strategy))
      throw new UserError(`Invalid strategy ${JSON.stringify(options.strategy)}`);
    args.push('--strategy', options.strategy);
  }
  args.push(...pairs('--env', options.env, 'environment variable'));
  if (options.regions && options.regions.length > 0) {
    for (const region of options.regions) {
      if (!REGION.test(region))
        throw new UserError(`Invalid region ${JSON.stringify(region)}: expected a code like iad`);
    }
    args.push('--regions', options.regions.join(','));
  }
  if (options.ha !== undefined) args.push(`--ha=${options.ha}`);
  if (options.waitTimeoutMs !== undefined) args.push('--wait-timeout', toGoDuration(options.waitTimeoutMs));
  if (options.deployRetries !== undefined) {
    if (!Number.isInteger(options.deployRetries) || options.deployRetries < 0) {
      throw new UserError(`Invalid deploy-retries ${options.deployRetries}: expected a whole number, 0 or more`);
    }
    args.push('--deploy-retries', String(options.deployRetries));
  }
  args.push('--yes');
  return args;
}

/** A deploy that failed, and whether it got as far as changing machines. */
export class DeployError extends FlyError {
  override name = 'DeployError';
  readonly machinesTouched: boolean;
  constructor(cause: FlyError, touched: boolean) {
    super({
      command: cause.command,
      flyMessage: cause.flyMessage,
      exitCode: cause.exitCode,
      kind: cause.kind,
      timedOut: cause.timedOut,
      hint: cause.hint,
    });
    this.machinesTouched = touched;
  }
}

export interface DeployResult {
  /** From the FLY_EMIT_RELEASE_JSON line; undefined on flyctl older than 0.4.56. */
  release?: NewRelease;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs one `flyctl deploy`. Throws DeployError saying whether machines were touched. */
export async function deploy(fly: Fly, options: DeployOptions, run: RunOptions = {}): Promise<DeployResult> {
  const args = deployArgs(options);
  const result = await fly.run(args, { ...run, allowFailure: true });
  if (result.code !== 0 || result.timedOut) {
    throw new DeployError(fly.failure(result), machinesTouched(`${result.stdout}\n${result.stderr}`));
  }
  return {
    release: parseReleaseLine(result.stdout),
    stdout: result.stdout,
    stderr: result.stderr,
    durationMs: result.durationMs,
  };
}
