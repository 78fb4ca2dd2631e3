import { parseArgs } from '../args';
import { appName, type Ctx, faultError, isoNow, requireApp } from '../context';
import { FlyFail } from '../io';
import { currentRelease, goJson, renderApp, renderImage, renderMachine, renderRelease, renderStatus } from '../render';

const APP = { app: { kind: 'string', aliases: ['a'] }, config: { kind: 'string', aliases: ['c'] } } as const;
const JSON_FLAG = { json: { kind: 'bool', aliases: ['j'] } } as const;

async function common(ctx: Ctx, command: string, app: string): Promise<void> {
  const fault = await ctx.fault(command);
  if (fault === 'hang') await ctx.io.sleep(24 * 3_600_000);
  if (fault) throw faultError(fault, app);
}

/** `--json`, or FLY_JSON truthy (flyctl turns JSON on for every command that has it: superfly/flyctl@v0.4.87 internal/config/config.go). */
export function wantsJson(ctx: Ctx, flag: boolean | undefined): boolean {
  return flag === true || ['1', 'ok', 't', 'true'].includes((ctx.inv.env.FLY_JSON ?? '').toLowerCase());
}

/** `apps create <name> --org <org>` (superfly/flyctl@v0.4.87 internal/command/apps/create.go:37-66; JSON :135, text :138). */
export async function appsCreate(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, {
    name: { kind: 'string' },
    org: { kind: 'string', aliases: ['o'] },
    network: { kind: 'string' },
    'generate-name': { kind: 'bool' },
    save: { kind: 'bool' },
    yes: { kind: 'bool', aliases: ['y'] },
    ...JSON_FLAG,
  });
  const name = p.positionals[0] ?? p.strings.name;
  if (!name) throw new FlyFail('name argument or flag must be specified when not running interactively');
  await common(ctx, 'apps', name);
  const orgs = ctx.world.state.orgs;
  let org = p.strings.org ?? ctx.inv.env.FLY_ORG ?? ctx.inv.env.FLY_ORGANIZATION;
  if (!org) {
    if (orgs.length !== 1) throw new FlyFail('org slug must be specified when not running interactively');
    org = orgs[0];
  }
  if (!orgs.includes(org)) throw new FlyFail(`organization ${org} not found`);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || name.length > 63) {
    throw new FlyFail(`Validation failed: Name ${name} is invalid: use lower-case letters, numbers and dashes`);
  }
  if (ctx.world.app(name)) throw new FlyFail('Validation failed: Name has already been taken');
  const app = { name, id: name, org, createdAt: isoNow(), releases: [], machines: [], secrets: {} };
  ctx.world.state.apps[name] = app;
  ctx.world.save();
  if (wantsJson(ctx, p.bools.json)) ctx.io.raw(goJson(renderApp(app)));
  else ctx.io.out(`New app created: ${name}`);
  return 0;
}

/** `apps destroy <name>... --yes` (superfly/flyctl@v0.4.87 internal/command/apps/destroy.go:33-104: "Destroyed app <name>"). */
export async function appsDestroy(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, { yes: { kind: 'bool', aliases: ['y', 'auto-confirm'] } });
  if (p.positionals.length === 0) throw new FlyFail('requires at least 1 arg(s), only received 0');
  if (!p.bools.yes) throw new FlyFail('yes flag must be specified when not running interactively');
  for (const name of p.positionals) {
    await common(ctx, 'apps', name);
    requireApp(ctx, name);
    delete ctx.world.state.apps[name];
    ctx.world.save();
    await ctx.world.hosts.close(name);
    ctx.io.out(`Destroyed app ${name}`);
  }
  return 0;
}

/** `apps list --json`: []fly.App, PascalCase (superfly/flyctl@v0.4.87 internal/command/apps/list.go:60-67). */
export async function appsList(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, {
    org: { kind: 'string', aliases: ['o'] },
    quiet: { kind: 'bool', aliases: ['q'] },
    ...JSON_FLAG,
  });
  await common(ctx, 'apps', '');
  const apps = Object.values(ctx.world.state.apps)
    .filter((a) => !p.strings.org || a.org === p.strings.org)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (wantsJson(ctx, p.bools.json)) ctx.io.raw(goJson(apps.map(renderApp)));
  else if (p.bools.quiet) for (const a of apps) ctx.io.out(a.name);
  else {
    ctx.io.out('NAME\tOWNER\tSTATUS\tLATEST DEPLOY');
    for (const a of apps)
      ctx.io.out(
        `${a.name}\t${a.org}\t${a.machines.length ? 'deployed' : 'pending'}\t${currentRelease(a)?.createdAt ?? ''}`,
      );
  }
  return 0;
}

/**
 * `status [--json]` (superfly/flyctl@v0.4.87 internal/command/status/status.go:88-97, machines.go).
 * An app created but never deployed is an app like any other: GetAppCompact finds it, ListActive
 * returns no machines and currentReleaseUnprocessed is null, so `--json` prints `"Machines": []`,
 * `"Version": 0` and exits 0 (machines.go:233-287); the text form prints the App table with
 * Image `-` and no Machines table (machines.go:47-71, 165-172). Only a missing app fails.
 */
export async function status(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, { ...APP, ...JSON_FLAG, all: { kind: 'bool' }, watch: { kind: 'bool' } });
  const name = appName(ctx, p.strings.app);
  if (p.bools.watch && p.bools.json) throw new FlyFail('--watch and --json are not supported together');
  await common(ctx, 'status', name);
  const app = ctx.world.app(name);
  // status.go:93-96 wraps GetAppCompact's error.
  if (!app) throw new FlyFail(`failed to get app: Could not find App "${name}"`);
  const view = renderStatus(app);
  if (wantsJson(ctx, p.bools.json)) {
    ctx.io.raw(goJson(view));
    return 0;
  }
  ctx.io.out(
    `App\n  Name     = ${app.name}\n  Owner    = ${app.org}\n  Hostname = ${view.Hostname}\n  Image    = ${statusImage(view.Machines)}\n`,
  );
  if (view.Machines.length === 0) return 0;
  ctx.io.out('Machines\nPROCESS\tID\tVERSION\tREGION\tSTATE\tROLE\tCHECKS\tLAST UPDATED');
  for (const m of view.Machines) {
    const checks = m.checks ?? [];
    const passing = checks.filter((c) => c.status === 'passing').length;
    const summary = checks.length ? `${checks.length} total, ${passing} passing` : '';
    ctx.io.out(
      `${m.config.metadata.fly_process_group ?? m.config.metadata.process_group ?? ''}\t${m.id}\t${m.config.metadata.fly_release_version}\t${m.region}\t${m.state}\t\t${summary}\t${m.updated_at}`,
    );
  }
  return 0;
}

/** getImage: the image of the machine on the highest release, `repository:tag (version)`, or `-` (machines.go:43-71). */
function statusImage(machines: ReturnType<typeof renderStatus>['Machines']): string {
  let best: { version: number; image: string } | undefined;
  for (const m of machines) {
    const version = Number(m.config.metadata.fly_release_version);
    if (!version || (best && best.version >= version)) continue;
    const ref = m.image_ref;
    best = { version, image: `${ref.repository}:${ref.tag} (${ref.labels['fly.version']})` };
  }
  return best?.image ?? '-';
}

/**
 * `releases --json`: the newest 25, by version descending (superfly/flyctl@v0.4.87
 * internal/command/apps/releases.go:56-67); an app never deployed has no release nodes: `[]`, exit 0
 * (fly-go@v0.9.5 resource_releases.go:5-44).
 */
export async function releases(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, { ...APP, ...JSON_FLAG, image: { kind: 'bool' } });
  const name = appName(ctx, p.strings.app);
  await common(ctx, 'releases', name);
  const app = requireApp(ctx, name);
  // Like flyctl: only the 25 most recent, newest first.
  const list = [...app.releases].sort((a, b) => b.version - a.version).slice(0, 25);
  if (wantsJson(ctx, p.bools.json)) {
    ctx.io.raw(goJson(list.map((r) => renderRelease(ctx.world.state, r))));
    return 0;
  }
  ctx.io.out(`VERSION\tSTATUS\tDESCRIPTION\tUSER\tDATE${p.bools.image ? '\tDOCKER IMAGE' : ''}`);
  for (const r of list) {
    ctx.io.out(
      `v${r.version}\t${r.status}\tRelease\t${ctx.world.state.user.email}\t${r.createdAt}${p.bools.image ? `\t${r.imageRef}` : ''}`,
    );
  }
  return 0;
}

/**
 * `machines list --json`: every machine that is not destroyed, release_command ones included
 * (superfly/flyctl@v0.4.87 internal/command/machine/list.go:60-66; text form :69-82). flaps' List starts
 * from an empty slice, so an app without machines prints `[]`, never `null` (fly-go@v0.9.5
 * flaps/flaps_machines.go:149-169).
 */
export async function machinesList(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, { ...APP, ...JSON_FLAG, quiet: { kind: 'bool', aliases: ['q'] } });
  const name = appName(ctx, p.strings.app);
  await common(ctx, 'machines', name);
  const app = requireApp(ctx, name);
  const machines = app.machines.filter((m) => m.state !== 'destroyed');
  if (wantsJson(ctx, p.bools.json)) ctx.io.raw(goJson(machines.map((m) => renderMachine(m))));
  else if (p.bools.quiet) for (const m of machines) ctx.io.out(m.id);
  else if (machines.length === 0)
    ctx.io.out(`No machines are available on this app ${name}`); // list.go:69-75
  else {
    ctx.io.out(`${machines.length} machines have been retrieved from app ${name}.`);
    ctx.io.out('ID\tNAME\tSTATE\tREGION\tIMAGE\tCREATED\tUPDATED');
    for (const m of machines)
      ctx.io.out(`${m.id}\t${m.name}\t${m.state}\t${m.region}\t${m.imageRef}\t${m.createdAt}\t${m.updatedAt}`);
  }
  return 0;
}

/** `image show --json`: string maps per machine, `null` without machines (superfly/flyctl@v0.4.87 internal/command/image/show.go:190-241). */
export async function imageShow(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, { ...APP, ...JSON_FLAG });
  const name = appName(ctx, p.strings.app);
  await common(ctx, 'image', name);
  const app = requireApp(ctx, name);
  const machines = app.machines.filter((m) => m.state !== 'destroyed');
  const only = p.positionals[0];
  if (only) {
    const machine = machines.find((m) => m.id === only);
    if (!machine) throw new FlyFail(`failed to get machine ${only}: machine not found`);
    if (wantsJson(ctx, p.bools.json)) ctx.io.raw(goJson(renderImage(machine)));
    else ctx.io.out(`Image Details\n  MachineID  = ${machine.id}\n  Tag        = ${renderImage(machine).Tag}`);
    return 0;
  }
  if (wantsJson(ctx, p.bools.json)) {
    ctx.io.raw(goJson(machines.length === 0 ? null : machines.map(renderImage)));
    return 0;
  }
  if (machines.length === 0) {
    ctx.io.out('No image details available');
    return 0;
  }
  ctx.io.out('Image Details\nMACHINE ID\tREGISTRY\tREPOSITORY\tTAG\tVERSION\tDIGEST');
  for (const m of machines) {
    const i = renderImage(m);
    ctx.io.out(`${i.MachineID}\t${i.Registry}\t${i.Repository}\t${i.Tag}\t${i.Version}\t${i.Digest}`);
  }
  return 0;
}

/** aurora's SGR codes: flyctl never turns aurora off, so these survive NO_COLOR (internal/render/logs.go). */
const faint = (s: string) => `\u001b[2m${s}\u001b[0m`;
const green = (s: string) => `\u001b[32m${s}\u001b[0m`;
const LEVEL_COLOR: Record<string, number> = { debug: 36, info: 34, warn: 33, warning: 33 };

/**
 * `flyctl logs --no-tail [--machine <id>]`: the buffered lines, each rendered by
 * render.LogEntry with HideAllocID, RemoveNewlines and HideRegion (flyctl@v0.4.87
 * internal/command/logs/logs.go:226-247; internal/render/logs.go:46-112): time, provider[instance],
 * region, [level] and the message right after the bracket.
 */
export async function logs(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, {
    ...APP,
    ...JSON_FLAG,
    machine: { kind: 'string', aliases: ['instance', 'i'] },
    region: { kind: 'string', aliases: ['r'] },
    'no-tail': { kind: 'bool', aliases: ['n'] },
    select: { kind: 'bool', aliases: ['s'] },
  });
  const name = appName(ctx, p.strings.app);
  await common(ctx, 'logs', name);
  const app = requireApp(ctx, name);
  if (!p.bools['no-tail']) throw new FlyFail('fly-sim supports only `logs --no-tail`');
  const machines = app.machines.filter((m) => !p.strings.machine || m.id === p.strings.machine);
  const entries = machines
    .flatMap((m) => (m.logs ?? []).map((l) => ({ ...l, instance: m.id, region: m.region })))
    .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  for (const e of entries) {
    const ts = e.timestamp.replace(/\.\d+Z$/, 'Z');
    const level = `\u001b[${LEVEL_COLOR[e.level] ?? 31}m${e.level}\u001b[0m`;
    ctx.io.out(
      `${faint(ts)} ${e.provider}[${e.instance}] ${green(e.region)} [${level}]${e.message.replace(/\n/g, ' ')}`,
    );
  }
  return 0;
}
