import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from '../args';
import { appName, type Ctx, faultError, isoNow, versionAtLeast } from '../context';
import { readFlyToml, type SimFlyToml } from '../flytoml';
import * as ids from '../ids';
import { FlyFail, Interrupted } from '../io';
import { type RollOut, rollOut } from '../rollout';
import type { SimApp, SimAppConfig, SimRelease } from '../state';

const STRATEGIES = ['rolling', 'canary', 'bluegreen', 'immediate'];

/**
 * `--wait-timeout`: Go durations or bare seconds, or `none` (superfly/flyctl@v0.4.87
 * internal/command/deploy/deploy.go:481-508 parseDurationFlag).
 */
export function parseGoDuration(text: string): number | undefined {
  if (text === 'none') return Number.POSITIVE_INFINITY;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h' | 'm' | 's' | 'ms'];
    matched = re.lastIndex;
  }
  return matched === text.length && text !== '' ? total : undefined;
}

function readConfig(workdir: string, flag: string | undefined): SimFlyToml | undefined {
  const path = flag ? (isAbsolute(flag) ? flag : join(workdir, flag)) : join(workdir, 'fly.toml');
  // flyctl@v0.4.87 internal/command/command.go:726
  if (!existsSync(path)) {
    if (flag) throw new FlyFail(`failed loading app config from ${path}: open ${path}: no such file or directory`);
    return undefined;
  }
  try {
    return readFlyToml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new FlyFail(`failed loading app config from ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
}

function pairs(list: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new FlyFail(`invalid ${flag} "${item}": must be in the format NAME=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** An app never deployed with a fly.toml gets `fly launch`'s defaults: one `app` group behind an http_service. */
const DEFAULT_CONFIG: SimAppConfig = { processes: ['app'], services: [{ processes: ['app'], autostop: 'stop' }] };

function appConfigOf(toml: SimFlyToml | undefined, app: SimApp): SimAppConfig {
  // Without a fly.toml flyctl deploys with the app's remote config (appconfig.FromRemoteApp, deploy.go:735-741).
  if (!toml) return app.config ?? DEFAULT_CONFIG;
  return { processes: toml.processes, services: toml.services, releaseCommand: toml.releaseCommand };
}

/**
 * `flyctl deploy` (flyctl@v0.4.87 internal/command/deploy): verify the config, find or
 * build the image, create the release (before any lease: machines.go:328), run the release
 * command, launch or update machines per strategy, then print the release line and the
 * Visit line. Every line goes to the stream flyctl writes it to.
 */
export async function deploy(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, {
    app: { kind: 'string', aliases: ['a'] },
    config: { kind: 'string', aliases: ['c'] },
    image: { kind: 'string', aliases: ['i'] },
    'image-label': { kind: 'string' },
    'remote-only': { kind: 'bool' },
    'local-only': { kind: 'bool' },
    depot: { kind: 'string' },
    'build-arg': { kind: 'array' },
    'build-secret': { kind: 'array' },
    env: { kind: 'array', aliases: ['e'] },
    strategy: { kind: 'string' },
    regions: { kind: 'array', aliases: ['only-regions'] },
    'primary-region': { kind: 'string' },
    ha: { kind: 'bool' },
    'wait-timeout': { kind: 'string' },
    'deploy-retries': { kind: 'string' },
    detach: { kind: 'bool' },
    yes: { kind: 'bool', aliases: ['y'] },
    'smoke-checks': { kind: 'bool' },
    'dns-checks': { kind: 'bool' },
    dockerfile: { kind: 'string' },
    'build-target': { kind: 'string' },
    'no-cache': { kind: 'bool' },
  });
  const { io } = ctx;
  const workdir = p.positionals[0] ? resolve(ctx.inv.cwd, p.positionals[0]) : ctx.inv.cwd;
  const toml = readConfig(workdir, p.strings.config);
  const name = appName(ctx, p.strings.app, toml?.app);
  const strategy = p.strings.strategy ?? toml?.strategy ?? 'rolling';
  if (!STRATEGIES.includes(strategy)) {
    throw new FlyFail(`invalid deployment strategy "${strategy}", must be one of: ${STRATEGIES.join(', ')}`);
  }
  const waitRaw = p.strings['wait-timeout'] ?? '5m0s';
  const waitMs = parseGoDuration(waitRaw);
  if (waitMs === undefined) {
    // deploy.go:507
    throw new FlyFail(
      `invalid duration value ${waitRaw} used for --wait-timeout flag: valid options are a number of seconds, number with time unit (i.e.: 5m, 180s) or 'none'`,
    );
  }
  const depot = p.strings.depot ?? 'auto';
  if (!['', 'true', 'false', 'auto'].includes(depot)) {
    // deploy_build.go:67-75
    throw new FlyFail("invalid value for the 'depot' flag. must be 'true', 'false', or ''");
  }
  const buildArgs = pairs(p.arrays['build-arg'], '--build-arg');
  pairs(p.arrays['build-secret'], '--build-secret');
  const env = { ...(toml?.env ?? {}), ...pairs(p.arrays.env, '--env') };

  const app = ctx.world.app(name);
  if (!app) {
    // deploy.go:310-313
    throw new FlyFail(
      `the app name ${name} could not be found, did you create the app or misspell it in the fly.toml file or via -a?`,
    );
  }
  // render.NewTextBlock writes to stderr (internal/render/render.go:134-146): deploy.go:732, :777.
  io.err('==> Verifying app config');
  io.err('--> Verified app config');
  const fault = await ctx.fault('deploy');
  if (fault === 'hang') await io.sleep(24 * 3_600_000);
  if (fault === 'unauthorized') throw faultError(fault, name);

  const imageRef = await findOrBuildImage(ctx, name, p.strings.image, p.strings['image-label'], buildArgs, fault);
  // deploy.go:393
  io.raw(`\nWatch your deployment at https://fly.io/apps/${name}/monitoring\n\n`);
  if (fault === '429' || fault === 'reset' || fault === 'timeout') throw faultError(fault, name);

  const config = appConfigOf(toml, app);
  app.config = config;
  // The release exists before any lease is taken (machines.go:328 createReleaseInBackend),
  // and is set running (machines_deploymachinesapp.go:72).
  const release: SimRelease = {
    id: ids.releaseId(),
    version: Math.max(0, ...app.releases.map((r) => r.version)) + 1,
    status: 'running',
    imageRef,
    strategy,
    createdAt: isoNow(),
  };
  app.releases.push(release);
  ctx.world.save();
  const retriesFlag = p.strings['deploy-retries'];
  const plan: RollOut = {
    strategy,
    env,
    waitMs,
    detach: p.bools.detach === true,
    ha: p.bools.ha ?? true,
    regions: (p.arrays.regions ?? []).flatMap((r) => r.split(',')).filter(Boolean),
    primaryRegion: p.strings['primary-region'] ?? toml?.primaryRegion ?? 'iad',
    config,
    // --deploy-retries defaults to `auto`: the server-side flag decides (deploy.go:621-633).
    deployRetries: retriesFlag && /^\d+$/.test(retriesFlag) ? Number(retriesFlag) : (app.knobs?.deployRetries ?? 0),
    fault,
  };
  try {
    await rollOut(ctx, app, release, plan);
  } catch (error) {
    // machines_deploymachinesapp.go:97-108: interrupted on cancel, failed otherwise.
    release.status = error instanceof Interrupted ? 'interrupted' : 'failed';
    ctx.world.save();
    throw error;
  }
  release.status = 'complete';
  // A deploy takes staged secrets onto the machines.
  for (const secret of Object.values(app.secrets)) secret.deployed = true;
  ctx.world.save();
  // machines_deploymachinesapp.go:140-157: only after a successful deploy, before the Visit line.
  if (ctx.inv.env.FLY_EMIT_RELEASE_JSON && versionAtLeast(ctx.version, '0.4.56')) {
    io.out(JSON.stringify({ id: release.id, version: release.version, image_ref: release.imageRef }));
  }
  // deploy.go:466-470: only for an app with a public http service (appConfig.URL()).
  if (config.services.length > 0) io.raw(`\nVisit your newly deployed app at https://${name}.fly.dev/\n\n`);
  return 0;
}

/** `--image` is looked up remotely; otherwise a pretend remote build. Returns the ref deployed. */
async function findOrBuildImage(
  ctx: Ctx,
  name: string,
  image: string | undefined,
  label: string | undefined,
  buildArgs: Record<string, string>,
  fault: string | undefined,
): Promise<string> {
  const { io } = ctx;
  if (image) {
    // internal/build/imgsrc/remote_image_resolver.go:30, :46 (stderr)
    io.err(`Searching for image '${image}' remotely...`);
    if (image.includes('missing')) {
      // deploy.go:385
      throw new FlyFail(`failed to fetch an image or build from source: Could not find image "${image}"`);
    }
    io.err(`image found: img_${ids.machineId()}`);
    return image;
  }
  // deploy_build.go:90 (stderr text block)
  io.err('==> Building image');
  if (Object.keys(buildArgs).length > 0) io.err(`--> Build args: ${Object.keys(buildArgs).join(', ')}`);
  await io.sleep(20);
  if (fault === 'build-failed') {
    // A build log line that itself starts with `Error:` comes before flyctl's own error.
    io.err('Error: npm ERR! code ELIFECYCLE');
    throw faultError('build-failed', name);
  }
  const ref = `registry.fly.io/${name}:${label ?? `deployment-${ids.ulid()}`}`;
  // internal/build/imgsrc/depot.go:123; deploy_build.go:283-284 (stderr)
  io.err('--> Building image done');
  io.err(`image: ${ref}`);
  io.err('image size: 48 MB');
  return ref;
}
