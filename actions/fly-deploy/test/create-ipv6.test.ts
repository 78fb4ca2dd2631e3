/**
 * fly-deploy's first deploy of a new app (`create-app`, `org`), its IPv6 address (`ipv6`), and what
 * it reports for the health gate (`has-services`, `image-label`): the bundle under Node 24 against
 * fly-sim, whose `apps create` and `ips` follow flyctl v0.4.87.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { findLeaks, type RunBundleOptions, runBundle } from '@deploy-actions/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'fm2_deploy-token-ipv6-71c0d2a9';
let sim: FlySim;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [TOKEN], orgs: ['personal', 'hotdash'] });
});
afterAll(async () => {
  await sim?.stop();
});

function run(inputs: RunBundleOptions['inputs'], options: Omit<RunBundleOptions, 'inputs'> = {}) {
  return runBundle('fly-deploy', {
    ...options,
    inputs,
    env: { ...sim.env, FLY_API_TOKEN: TOKEN, FLY_SIM_LEASE_MS: '100', ...options.env },
  });
}

function workspace(toml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fly-deploy-new-'));
  writeFileSync(join(dir, 'fly.toml'), toml);
  return dir;
}

const ipsOf = (app: string) => sim.state().apps[app].ips ?? [];
const allocations = async (app: string) =>
  (await sim.calls()).filter((c) => c.args.join(' ').startsWith('ips allocate-v6') && c.args.includes(app));

describe.concurrent('fly-deploy: a new app, its IPv6, and what the gate needs to know', () => {
  it('create-app with org creates the app in that org, deploys it, and says it has services', async () => {
    const cwd = workspace('app = "hotdash-production"\n[http_service]\n  internal_port = 8080\n');
    const r = await run({ 'create-app': 'true', org: 'hotdash', 'image-label': 'v1.4.0' }, { cwd });
    expect(r.exitCode, r.log).toBe(0);
    expect(sim.state().apps['hotdash-production'].org).toBe('hotdash');
    expect(r.outputs).toMatchObject({ 'release-version': '1', 'image-label': 'v1.4.0', 'has-services': 'true' });
    const again = await run({ 'create-app': 'true', org: 'hotdash', 'image-label': 'v1.4.1' }, { cwd });
    expect(again.exitCode, again.log).toBe(0);
    expect(again.outputs['release-version']).toBe('2');
    expect(findLeaks(r, [TOKEN])).toEqual([]);
  });

  it('create-app on an app created but never deployed: it exists, so no `apps create`, and the first release', async () => {
    const env = { FLY_API_TOKEN: TOKEN };
    expect((await sim.run(['apps', 'create', 'ignition-fresh', '--org', 'hotdash'], { env })).code).toBe(0);
    const cwd = workspace('app = "ignition-fresh"\n[http_service]\n  internal_port = 8080\n');
    const r = await run({ 'create-app': 'true', org: 'hotdash', 'image-label': 'v1.0.0' }, { cwd });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs['release-version']).toBe('1');
    const calls = (await sim.calls()).filter((c) => c.args.includes('ignition-fresh')).map((c) => c.args.join(' '));
    // The bundle's first question is `status --json`, which answers for an app with no machines;
    // the only `apps create` is the test's own.
    expect(calls[1]).toBe('status --app ignition-fresh --json');
    expect(calls.filter((c) => c.startsWith('apps create'))).toEqual(['apps create ignition-fresh --org hotdash']);
    expect(r.log).not.toContain('Created app');
  });

  it('a worker (no service) reports has-services false', async () => {
    const cwd = workspace('app = "ampel-worker"\n[processes]\n  worker = "/app/ampel-worker"\n');
    const r = await run(
      { 'create-app': 'true', org: 'personal', image: 'registry.fly.io/ampel-worker:main-1a2b3c4' },
      { cwd },
    );
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ 'has-services': 'false', 'image-label': 'main-1a2b3c4', 'ipv6-address': '' });
    expect(ipsOf('ampel-worker')).toEqual([]);
  });

  it('ipv6: public keeps a v6 the app already has, and allocates none', async () => {
    await sim.seedApp('shop-v6', { releases: ['v1'] });
    expect((await sim.run(['ips', 'allocate-v6', '--app', 'shop-v6'], { env: { FLY_API_TOKEN: TOKEN } })).code).toBe(0);
    const [v6] = ipsOf('shop-v6');
    const r = await run({ app: 'shop-v6', image: 'registry.fly.io/shop-v6:v2', ipv6: 'public' });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs['ipv6-address']).toBe(v6.address);
    expect(await allocations('shop-v6')).toHaveLength(1);
  });

  it('ipv6: public allocates one for an app without, and only once over two deploys', async () => {
    const cwd = workspace('app = "hd-jobs"\n[processes]\n  jobs = "bin/jobs"\n');
    for (const label of ['v1', 'v2']) {
      const r = await run({ 'create-app': 'true', org: 'hotdash', 'image-label': label, ipv6: 'public' }, { cwd });
      expect(r.exitCode, r.log).toBe(0);
      expect(r.outputs['ipv6-address']).toBe(ipsOf('hd-jobs')[0].address);
    }
    expect(ipsOf('hd-jobs').map((ip) => ip.type)).toEqual(['v6']);
    expect(await allocations('hd-jobs')).toHaveLength(1);
  });

  it('ipv6: private allocates a private (Flycast, fdaa:) address with --private, once', async () => {
    await sim.seedApp('db-proxy', { releases: ['v1'] });
    for (const label of ['v2', 'v3']) {
      const r = await run({ app: 'db-proxy', image: `registry.fly.io/db-proxy:${label}`, ipv6: 'private' });
      expect(r.exitCode, r.log).toBe(0);
      expect(r.outputs['ipv6-address']).toMatch(/^fdaa:/);
    }
    const calls = await allocations('db-proxy');
    expect(calls).toHaveLength(1);
    expect(calls[0].args).toContain('--private');
    expect(ipsOf('db-proxy').map((ip) => ip.type)).toEqual(['private_v6']);
  });

  it('a failed deploy allocates nothing', async () => {
    await sim.seedApp('broken-v6', { releases: ['v1'] });
    const r = await run({ app: 'broken-v6', image: 'registry.fly.io/broken-v6:crash', ipv6: 'public' });
    expect(r.exitCode).toBe(1);
    expect(await allocations('broken-v6')).toHaveLength(0);
  });

  it('refuses an unknown ipv6 kind, naming the input', async () => {
    const r = await run({ app: 'shop-v6', ipv6: 'yes' });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0].message).toMatch(
      /^Invalid input 'ipv6': got "yes"; expected one of `none`, `public`, `private`/,
    );
    expect(r.log).not.toMatch(/\n\s+at /);
  });
});
