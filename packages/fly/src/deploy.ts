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
  remoteOnly?: boolean;
}

export interface NewRelease {
  id: string;
  version: number;
  imageRef: string;
}

/**
 * Lines flyctl prints once it has changed a machine (or created a release_command machine).
 * "Updating existing machines in ..." is not one: leases are taken after it, and a lease
 * conflict there has changed nothing.
 */
const TOUCHED = [
  /^\s*Updating [0-9a-f]{8,}\b/m,
  /^\s*Creating machine [0-9a-f]{8,}\b/m,
  /^\s*(?:\S+\s+)?(?:\[\d+\/\d+\]\s+)?Machine [0-9a-f]{8,} .*(update|created)/im,
  /launching a new machine/i,
  /Creating a second machine/,
  /^\s*Created release_command machine/m,
  /^\s*Creating (green|canary) machine/im,
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

/** For older flyctl: the newest release whose image carries `label` (or equals `imageRef`). */
export function findReleaseByImage(
  releases: readonly Release[],
  match: { label?: string; imageRef?: string },
): Release | undefined {
  return releases.find(
    (r) => (match.imageRef && r.imageRef === match.imageRef) || (match.label && imageTag(r.imageRef) === match.label),
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
    if (options.remoteOnly !== false) args.push('--remote-only');
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
