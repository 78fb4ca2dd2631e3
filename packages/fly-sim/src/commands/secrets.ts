import { createHash } from 'node:crypto';
import { parseArgs } from '../args';
import { appName, type Ctx, faultError, isoNow, requireApp, versionAtLeast } from '../context';
import { parseSecretsImport, SecretsImportError, SecretsImportPanic } from '../import-parser';
import { FlyFail } from '../io';
import { goJson } from '../render';
import { restartOnly } from '../rollout';
import type { SimApp } from '../state';
import { wantsJson } from './inspect';

const SHARED = {
  app: { kind: 'string', aliases: ['a'] },
  config: { kind: 'string', aliases: ['c'] },
  stage: { kind: 'bool' },
  detach: { kind: 'bool' },
  'dns-checks': { kind: 'bool' },
} as const;

/**
 * The digest fly-sim reports: the first 16 hex characters of SHA-256 of the value (the
 * Machines-API era prints 16 hex characters; Fly does not document its algorithm).
 * Versions before 0.3.178 print MD5 (32 hex), as the GraphQL API did.
 */
export function secretDigest(value: string, version: string): string {
  if (!versionAtLeast(version, '0.3.178')) return createHash('md5').update(value).digest('hex');
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

async function prelude(ctx: Ctx, app: string): Promise<void> {
  const fault = await ctx.fault('secrets');
  if (fault === 'hang') await ctx.io.sleep(24 * 3_600_000);
  if (fault) throw faultError(fault, app);
}

function live(app: SimApp) {
  return app.machines.filter((m) => m.state !== 'destroyed');
}

/** After set/unset/import: stage, or restart machines so they get the new secrets (superfly/flyctl@v0.4.87 internal/command/secrets/secrets.go:64-122: the two messages at :68 and :84). */
async function afterChange(ctx: Ctx, app: SimApp, stage: boolean): Promise<void> {
  if (stage) {
    ctx.io.out(
      'Secrets have been staged, but not set on VMs. Deploy or update machines in this app for the secrets to take effect.',
    );
    return;
  }
  const machines = live(app);
  if (machines.length === 0) {
    ctx.io.out('Secrets are staged for the first deployment');
    return;
  }
  await restart(ctx, app);
}

/** A restart-only deploy takes the secrets onto the machines and makes a release (secrets.go:95-115). */
async function restart(ctx: Ctx, app: SimApp, detach = false): Promise<void> {
  const release = await restartOnly(ctx, app, { detach });
  for (const s of Object.values(app.secrets)) s.deployed = true;
  ctx.world.save();
  // machines_deploymachinesapp.go:140-157 prints the release line for restart-only deploys too.
  if (ctx.inv.env.FLY_EMIT_RELEASE_JSON && versionAtLeast(ctx.version, '0.4.56')) {
    ctx.io.out(JSON.stringify({ id: release.id, version: release.version, image_ref: release.imageRef }));
  }
}

function store(ctx: Ctx, app: SimApp, values: Record<string, string>, stage: boolean): void {
  const now = isoNow();
  for (const [name, value] of Object.entries(values)) {
    const old = app.secrets[name];
    app.secrets[name] = {
      value,
      digest: secretDigest(value, ctx.version),
      createdAt: old?.createdAt ?? now,
      updatedAt: now,
      deployed: !stage && live(app).length > 0,
    };
  }
  ctx.world.save();
}

/** `secrets list --json`: the shape of the version played (superfly/flyctl@v0.4.87 internal/command/secrets/list.go:36-41,93-107; 4fd60abf = v0.4.6, ad0dc5f7 = v0.3.178). */
export async function secretsList(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, { ...SHARED, json: { kind: 'bool', aliases: ['j'] } });
  const name = appName(ctx, p.strings.app);
  await prelude(ctx, name);
  const app = requireApp(ctx, name);
  const entries = Object.entries(app.secrets).sort(([a], [b]) => a.localeCompare(b));
  const hasMachines = live(app).length > 0;
  // list.go:93-160: Deployed, Staged, Partial (some machines have it) or Unknown (release times
  // could not be read); the `secretsStatus` knob makes deployed secrets report the last two.
  const statusOf = (deployed: boolean) =>
    hasMachines && deployed ? (app.knobs?.secretsStatus ?? 'Deployed') : 'Staged';
  if (wantsJson(ctx, p.bools.json)) {
    let rows: unknown[];
    if (!versionAtLeast(ctx.version, '0.3.178')) {
      rows = entries.map(([n, s]) => ({ Name: n, Digest: s.digest, CreatedAt: s.createdAt }));
    } else if (!versionAtLeast(ctx.version, '0.4.6')) {
      rows = entries.map(([n, s]) => ({ name: n, digest: s.digest, updated_at: s.updatedAt, created_at: s.createdAt }));
    } else {
      rows = entries.map(([n, s]) => ({ name: n, digest: s.digest, status: statusOf(s.deployed) }));
    }
    ctx.io.raw(goJson(rows));
    return 0;
  }
  ctx.io.out('NAME\tDIGEST\tSTATUS');
  let staged = 0;
  for (const [n, s] of entries) {
    const status = statusOf(s.deployed);
    if (status === 'Staged') staged++;
    ctx.io.out(`${status === 'Staged' ? '* ' : ''}${n}\t${s.digest}\t${status}`);
  }
  if (staged > 0) {
    ctx.io.out(
      `\nThere ${staged === 1 ? 'is 1 secret' : `are ${staged} secrets`} not deployed. Deploy with \`fly secrets deploy\` or \`fly deploy\`.`,
    );
  }
  return 0;
}

export async function secretsSet(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, SHARED);
  const name = appName(ctx, p.strings.app);
  if (p.positionals.length === 0) throw new FlyFail('requires at least 1 arg(s), only received 0');
  const values: Record<string, string> = {};
  for (const pair of p.positionals) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new FlyFail(`Secrets must be provided as NAME=VALUE pairs (${pair} is invalid)`);
    const key = pair.slice(0, eq);
    let value = pair.slice(eq + 1);
    if (value === '-') {
      if (!ctx.inv.stdin) throw new FlyFail(`secret \`${key}\` expects standard input but none provided`);
      value = ctx.inv.stdin.slice(0, 64 * 1024);
    }
    values[key] = value;
  }
  await prelude(ctx, name);
  const app = requireApp(ctx, name);
  store(ctx, app, values, p.bools.stage === true);
  await afterChange(ctx, app, p.bools.stage === true);
  return 0;
}

/** What a release build of flyctl prints on stdout (aurora.Red, coloured even under NO_COLOR) after a panic. */
const PANIC_MESSAGE = '\u001b[31mOops, something went wrong! Could you try that again?\u001b[0m';

/** `secrets import`: stdin parsed like parser.go, errors as import.go:46-49 (superfly/flyctl@v0.4.87 internal/command/secrets/import.go). */
export async function secretsImport(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, SHARED);
  const name = appName(ctx, p.strings.app);
  // flyctl looks the app up before it reads stdin.
  await prelude(ctx, name);
  const app = requireApp(ctx, name);
  let values: Record<string, string>;
  try {
    values = parseSecretsImport(ctx.inv.stdin ?? '');
  } catch (error) {
    // main.go recovers a panic in release builds: sentry.Recover prints one line, exit code 3.
    if (error instanceof SecretsImportPanic) {
      ctx.io.out(PANIC_MESSAGE);
      return 3;
    }
    if (error instanceof SecretsImportError) throw new FlyFail(`Failed to parse secrets from stdin: ${error.message}`);
    throw error;
  }
  if (Object.keys(values).length === 0) throw new FlyFail('requires at least one SECRET=VALUE pair');
  store(ctx, app, values, p.bools.stage === true);
  await afterChange(ctx, app, p.bools.stage === true);
  return 0;
}

/** `secrets unset NAME...`: a missing name is no error (superfly/flyctl@v0.4.87 internal/appsecrets/secrets.go:26; internal/command/secrets/unset.go). */
export async function secretsUnset(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, SHARED);
  const name = appName(ctx, p.strings.app);
  if (p.positionals.length === 0) throw new FlyFail('requires at least 1 arg(s), only received 0');
  await prelude(ctx, name);
  const app = requireApp(ctx, name);
  // Unsetting a secret that is not there is not an error.
  for (const key of p.positionals) delete app.secrets[key];
  ctx.world.save();
  await afterChange(ctx, app, p.bools.stage === true);
  return 0;
}

/** `secrets deploy`: `no machines available to deploy` without machines (superfly/flyctl@v0.4.87 internal/command/secrets/deploy.go:24-29). */
export async function secretsDeploy(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, { app: SHARED.app, config: SHARED.config, detach: SHARED.detach });
  const name = appName(ctx, p.strings.app);
  await prelude(ctx, name);
  const app = requireApp(ctx, name);
  if (live(app).length === 0) {
    throw new FlyFail('no machines available to deploy', { extra: ["Try 'fly deploy' first"] });
  }
  await restart(ctx, app, p.bools.detach === true);
  return 0;
}
