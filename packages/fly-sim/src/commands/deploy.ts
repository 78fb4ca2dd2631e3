import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from '../args';
import { appName, type Ctx, faultError, isoNow, versionAtLeast } from '../context';
import { readFlyToml, type SimFlyToml } from '../flytoml';
import * as ids from '../ids';
import { FlyFail, Interrupted } from '../io';
import { splitImageRef } from '../render';
import type { SimApp, SimMachine, SimRelease } from '../state';

const STRATEGIES = ['rolling', 'canary', 'bluegreen', 'immediate'];

/** Go duration or bare seconds, as `--wait-timeout` accepts; `none` means no limit. */
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
  // superfly/flyctl@v0.4.87 internal/command/command.go:726
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

/** What an image label asks the simulated app to do. */
function behaviour(imageRef: string) {
  const label = splitImageRef(imageRef).tag;
  return { crash: label.includes('crash'), unhealthy: label.includes('unhealthy'), slow: label.includes('slow') };
}

/**
 * `flyctl deploy`: build (pretend) or find the image, create a release, update or
 * launch machines, wait for checks per strategy, and print what flyctl prints.
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
    throw new FlyFail(`invalid argument "${waitRaw}" for "--wait-timeout" flag: time: invalid duration "${waitRaw}"`);
  }
  const buildArgs = pairs(p.arrays['build-arg'], '--build-arg');
  pairs(p.arrays['build-secret'], '--build-secret');
  const env = { ...(toml?.env ?? {}), ...pairs(p.arrays.env, '--env') };

  const app = ctx.world.app(name);
  if (!app) {
    throw new FlyFail(
      `the app name ${name} could not be found, did you create the app or misspell it in the fly.toml file or via -a?`,
    );
  }
  io.out('==> Verifying app config');
  io.out('--> Verified app config');
  const fault = await ctx.fault('deploy');
  if (fault === 'hang') await io.sleep(24 * 3_600_000);
  if (fault === 'unauthorized') throw faultError(fault, name);

  // Image: a given reference, or a pretend remote build.
  let imageRef: string;
  if (p.strings.image) {
    imageRef = p.strings.image;
    io.out(`Searching for image '${imageRef}' remotely...`);
    if (imageRef.includes('missing')) {
      throw new FlyFail(`failed to fetch an image or build from source: Could not find image "${imageRef}"`);
    }
    io.out(`image found: img_${ids.machineId()}`);
  } else {
    io.out('==> Building image');
    if (Object.keys(buildArgs).length > 0) io.out(`--> Build args: ${Object.keys(buildArgs).join(', ')}`);
    await io.sleep(20);
    if (fault === 'build-failed') throw faultError(fault, name);
    const label = p.strings['image-label'] ?? `deployment-${ids.ulid()}`;
    imageRef = `registry.fly.io/${name}:${label}`;
    io.out('--> Building image done');
    io.out('==> Pushing image to fly');
    io.out('--> Pushing image done');
    io.out(`image: ${imageRef}`);
    io.out('image size: 48 MB');
  }
  io.out('');
  io.out(`Watch your deployment at https://fly.io/apps/${name}/monitoring`);
  io.out('');

  const live = app.machines.filter((m) => m.state !== 'destroyed');
  if (fault === 'lease') {
    if (live.length > 0) io.out(`Updating existing machines in '${name}' with ${strategy} strategy`);
    throw faultError(fault, name, Number(ctx.inv.env.FLY_SIM_LEASE_MS || 13_000));
  }
  if (fault === '429' || fault === 'reset' || fault === 'timeout') throw faultError(fault, name);

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
  try {
    await rollOut(ctx, app, release, {
      strategy,
      env,
      waitMs,
      detach: p.bools.detach === true,
      ha: p.bools.ha ?? true,
      regions: (p.arrays.regions ?? []).flatMap((r) => r.split(',')).filter(Boolean),
      primaryRegion: p.strings['primary-region'] ?? toml?.primaryRegion ?? 'iad',
      fault,
    });
  } catch (error) {
    release.status = error instanceof Interrupted ? 'interrupted' : 'failed';
    ctx.world.save();
    throw error;
  }
  release.status = 'complete';
  // A deploy takes staged secrets onto the machines.
  for (const secret of Object.values(app.secrets)) secret.deployed = true;
  ctx.world.save();
  io.out('');
  io.out(`Visit your newly deployed app at https://${name}.fly.dev/`);
  if (ctx.inv.env.FLY_EMIT_RELEASE_JSON && versionAtLeast(ctx.version, '0.4.56')) {
    io.out(JSON.stringify({ id: release.id, version: release.version, image_ref: release.imageRef }));
  }
  return 0;
}

interface RollOut {
  strategy: string;
  env: Record<string, string>;
  waitMs: number;
  detach: boolean;
  ha: boolean;
  regions: string[];
  primaryRegion: string;
  fault: string | undefined;
}

async function rollOut(ctx: Ctx, app: SimApp, release: SimRelease, o: RollOut): Promise<void> {
  const { io, world } = ctx;
  const slowMs = Number(ctx.inv.env.FLY_SIM_SLOW_MS || 1500);
  const b = behaviour(release.imageRef);
  const now = isoNow();
  const apply = (m: SimMachine) => {
    m.imageRef = release.imageRef;
    m.releaseId = release.id;
    m.releaseVersion = release.version;
    m.env = { ...o.env };
    m.state = b.crash ? 'stopped' : 'started';
    m.readyAt = b.slow ? Date.now() + slowMs : undefined;
    m.unhealthy = b.unhealthy || undefined;
    m.updatedAt = now;
  };

  if (o.fault === 'release-command-failed') {
    io.out(`Running ${app.name} release_command: bin/release`);
    io.out(`  Created release_command machine ${ids.machineId()}`);
    await io.sleep(20);
    throw faultError('release-command-failed', app.name);
  }

  const existing = app.machines.filter((m) => m.state !== 'destroyed');
  const targets = existing.filter((m) => o.regions.length === 0 || o.regions.includes(m.region));
  const fresh: SimMachine[] = [];
  if (existing.length === 0) {
    const count = o.ha ? 2 : 1;
    io.out('This deployment will:');
    io.out(` * create ${count} "app" machine${count > 1 ? 's' : ''}`);
    io.out('');
    io.out('No machines in group app, launching a new machine');
    for (let i = 0; i < count; i++) {
      const m: SimMachine = {
        id: ids.machineId(),
        name: ids.machineName(),
        region: o.primaryRegion,
        state: 'created',
        imageRef: '',
        releaseId: '',
        releaseVersion: 0,
        instanceId: ids.instanceId(),
        privateIp: ids.privateIp(),
        env: {},
        createdAt: now,
        updatedAt: now,
      };
      if (i === 1) io.out('Creating a second machine for high availability and zero downtime deployments.');
      fresh.push(m);
    }
  } else {
    io.out(`Updating existing machines in '${app.name}' with ${o.strategy} strategy`);
  }

  const rollback = o.strategy === 'bluegreen' && b.crash && !o.detach;
  const all = [...targets, ...fresh];
  for (const m of all) {
    io.out(fresh.includes(m) ? `Creating machine ${m.id} [app]` : `Updating ${m.id} [app]`);
    await io.sleep(10);
    if (o.fault === 'update-timeout') {
      apply(m);
      if (fresh.includes(m)) app.machines.push(m);
      world.save();
      throw new FlyFail(
        `failed to update machine ${m.id}: Post "https://api.machines.dev/v1/apps/${app.name}/machines/${m.id}": net/http: timeout awaiting response headers`,
      );
    }
    if (!rollback) apply(m);
  }
  if (!rollback) app.machines.push(...fresh);
  app.port = await world.hosts.ensure(app);
  world.save();

  const waits = o.strategy !== 'immediate' && !o.detach;
  if (b.crash && (waits || rollback)) {
    await io.sleep(50);
    const first = all[0];
    if (rollback) io.out('Rolling back failed deployment: destroying green machines');
    throw new FlyFail(`smoke checks for ${first.id} failed: the app appears to be crashing`, {
      extra: [
        "Check its logs: here are the last lines below, or run 'fly logs -n':",
        '  Machine started, then exited with code 1',
      ],
    });
  }
  if (waits) for (const m of all) io.out(`Waiting for ${m.id} to become healthy`);
  if (b.slow && waits) {
    const waited = Math.min(slowMs, o.waitMs);
    await io.sleep(waited);
    if (slowMs > o.waitMs) {
      const first = all[0];
      throw new FlyFail(
        `timeout reached waiting for health checks to pass for machine ${first.id}: failed to get VM ${first.id}: Get "https://api.machines.dev/v1/apps/${app.name}/machines/${first.id}": net/http: request canceled`,
        { extra: ['You can try increasing the timeout with the --wait-timeout flag'] },
      );
    }
  }
  for (const m of all) {
    io.out(`Machine ${m.id} [app] update ${fresh.includes(m) ? 'finished: success' : 'succeeded'}`);
  }
}
