import { randomBytes } from 'node:crypto';
import { parseArgs } from '../args';
import { appName, type Ctx, faultError, isoNow, requireApp } from '../context';
import { FlyFail } from '../io';
import { goJson } from '../render';
import type { SimIp } from '../state';

/**
 * `flyctl ips list` and `ips allocate-v6` (superfly/flyctl@v0.4.87 internal/command/ips/). The
 * platform gives a new address on every allocation (AllocateIPAddress in allocate.go:151-182
 * never looks for an existing one), so repeating the command adds another: callers list first.
 */

const APP = { app: { kind: 'string', aliases: ['a'] }, config: { kind: 'string', aliases: ['c'] } } as const;

async function common(ctx: Ctx, app: string): Promise<void> {
  const fault = await ctx.fault('ips');
  if (fault === 'hang') await ctx.io.sleep(24 * 3_600_000);
  if (fault) throw faultError(fault, app);
}

/** fly-go@v0.9.5 types.go:484-497: IPAddress has no JSON tags, so its Go field names are the keys. */
function renderIp(ip: SimIp) {
  return {
    ID: ip.id,
    Address: ip.address,
    Type: ip.type,
    Region: ip.region,
    CreatedAt: ip.createdAt,
    ServiceName: '',
    Network: ip.network ? { Name: ip.network, Organization: { Slug: ip.org } } : null,
  };
}

/** The TYPE column of renderListTable (render.go:14-48). */
function typeText(ip: SimIp): string {
  if (ip.type === 'v6') return 'public ingress (dedicated)';
  if (ip.type === 'private_v6') return 'private ingress';
  if (ip.type === 'shared_v4') return 'public ingress (shared)';
  return 'public ingress (dedicated, $2/mo)';
}

/**
 * The table render.Table prints (internal/render/render.go:30-67: tablewriter, no borders, no
 * header line, upper-case headers, left aligned), then an empty line. Nothing parses this text:
 * the suite reads `ips list --json`.
 */
function table(ctx: Ctx, ips: SimIp[]): void {
  const rows = [
    ['VERSION', 'IP', 'TYPE', 'REGION', 'CREATED AT'],
    ...ips.map((ip) => [ip.type.endsWith('v4') ? 'v4' : 'v6', ip.address, typeText(ip), ip.region, 'just now']),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) ctx.io.out(` ${r.map((cell, c) => cell.padEnd(widths[c])).join(' │ ')} `);
  ctx.io.out('');
}

/** `ips list [--json]` (list.go:18-78): the app's addresses; JSON through render.JSON. */
export async function ipsList(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, { ...APP, json: { kind: 'bool', aliases: ['j'] } });
  const name = appName(ctx, p.strings.app);
  await common(ctx, name);
  const app = requireApp(ctx, name);
  const ips = app.ips ?? [];
  if (p.bools.json) ctx.io.raw(goJson(ips.map(renderIp)));
  else {
    table(ctx, ips);
    ctx.io.out(
      'Learn more about Fly.io public, private, shared and dedicated IP addresses in our docs: https://fly.io/docs/networking/services/',
    );
  }
  return 0;
}

/**
 * `ips allocate-v6 [--private] [--org] [--network]` (allocate.go:65-92, 130-182): a dedicated
 * public v6 (type v6), or a private Flycast one (private_v6, an fdaa: address); it has no
 * `--yes` and no `--json` flag, and prints the one-row table.
 */
export async function ipsAllocateV6(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, {
    ...APP,
    region: { kind: 'string', aliases: ['r'] },
    private: { kind: 'bool' },
    org: { kind: 'string', aliases: ['o'] },
    network: { kind: 'string' },
  });
  const name = appName(ctx, p.strings.app);
  await common(ctx, name);
  const app = requireApp(ctx, name);
  const org = p.strings.org;
  if (org && !ctx.world.state.orgs.includes(org)) throw new FlyFail(`organization ${org} not found`);
  const hex = () => randomBytes(2).toString('hex');
  const ip: SimIp = p.bools.private
    ? {
        id: `ip_${hex()}${hex()}`,
        address: `fdaa:0:${hex()}:0:1::${Number.parseInt(hex(), 16) % 64}`,
        type: 'private_v6',
        region: p.strings.region ?? '',
        createdAt: isoNow(),
        org: org ?? app.org,
        network: p.strings.network,
      }
    : {
        id: `ip_${hex()}${hex()}`,
        address: `2a09:8280:1::${hex()}:${hex()}:0`,
        type: 'v6',
        region: p.strings.region ?? 'global',
        createdAt: isoNow(),
        org: app.org,
      };
  app.ips = [...(app.ips ?? []), ip];
  ctx.world.save();
  table(ctx, [ip]);
  return 0;
}
