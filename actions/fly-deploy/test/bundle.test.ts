import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { findLeaks, type RunBundleOptions, runBundle } from '@deploy-actions/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'fm2_deploy-token-4f9a1c77e2b04d1c';
const BUILD_SECRET = 'npm_build-secret-value-8c1d3e5f';
let sim: FlySim;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [TOKEN], orgs: ['acme'] });
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

const deployCalls = async (app: string) =>
  (await sim.calls()).filter((c) => c.args[0] === 'deploy' && c.args.includes(app));

const errors = (r: Awaited<ReturnType<typeof run>>) => r.annotations.filter((a) => a.level === 'error');

describe('fly-deploy bundle against fly-sim', () => {
  it('builds and deploys, recording the previous release, and sets every output', async () => {
    await sim.seedApp('shop', { releases: ['v1'] });
    const r = await run(
      { app: 'shop', 'build-secrets': `NPM_TOKEN=${BUILD_SECRET}`, 'build-args': 'NODE_ENV=production' },
      { context: { ref: 'refs/heads/main', sha: 'abcdef0123456789abcdef0123456789abcdef01' } },
    );
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      'app-name': 'shop',
      'release-version': '2',
      'image-ref': 'registry.fly.io/shop:main-abcdef0',
      'previous-release-version': '1',
      'previous-image-ref': 'registry.fly.io/shop:v1',
      'app-url': `${sim.appUrl('shop')}/`,
    });
    expect(r.outputs['release-id']).toMatch(/^RL/);
    // The digest both machines of the release report (image_ref.digest), for the deployment record.
    const listed = await sim.run(['machines', 'list', '--app', 'shop', '--json'], { env: { FLY_API_TOKEN: TOKEN } });
    const digests = JSON.parse(listed.stdout).map((m: { image_ref: { digest: string } }) => m.image_ref.digest);
    expect(digests).toEqual([r.outputs['image-digest'], r.outputs['image-digest']]);
    expect(r.outputs['image-digest']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Number(r.outputs['duration-ms'])).toBeGreaterThan(0);
    const record = JSON.parse(readFileSync(r.outputs['deployment-file'], 'utf8'));
    expect(record).toMatchObject({
      app: 'shop',
      release: { version: 2 },
      image: 'registry.fly.io/shop:main-abcdef0',
      sha: 'abcdef0123456789abcdef0123456789abcdef01',
      ref: 'refs/heads/main',
      actor: 'octocat',
      strategy: 'rolling',
      result: 'success',
      previous: { version: 1, image: 'registry.fly.io/shop:v1' },
    });
    expect(Date.parse(record.finished)).toBeGreaterThanOrEqual(Date.parse(record.started));
    const health = await fetch(`${r.outputs['app-url']}health`).then((res) => res.json());
    expect(health).toEqual({ status: 'ok', version: 'main-abcdef0' });
    expect(r.summary).toContain('shop release v2 deployed; not yet verified');
    expect(r.summary).not.toContain('is live');
    expect(r.summary).toContain('| Previous release | v1 registry.fly.io/shop:v1 |');
    expect(findLeaks(r, [TOKEN, BUILD_SECRET])).toEqual([]);
    // flyctl got the token through its environment only.
    const [call] = (await deployCalls('shop')).slice(-1);
    expect(call.hadToken).toBe(true);
    expect(call.args.join(' ')).not.toContain(TOKEN);
  });

  it('a crashing image fails with flyctl’s message, keeps the known outputs, and points at auto-rollback', async () => {
    await sim.seedApp('crash-app', { releases: ['v1'] });
    const r = await run({ app: 'crash-app', image: 'registry.fly.io/crash-app:v2-crash' });
    expect(r.exitCode).toBe(1);
    // One error annotation, ours, with flyctl's message (flyctl's own annotation is not repeated).
    expect(errors(r)).toHaveLength(1);
    expect(errors(r)[0].message).toMatch(/smoke checks for [0-9a-f]+ failed/);
    expect(r.log).not.toMatch(/\n\s+at /);
    expect(r.outputs).toMatchObject({
      'app-name': 'crash-app',
      'previous-release-version': '1',
      'previous-image-ref': 'registry.fly.io/crash-app:v1',
      // The failed release is named, so auto-rollback knows what failed.
      'release-version': '2',
      'image-ref': 'registry.fly.io/crash-app:v2-crash',
    });
    expect(r.summary).toContain('| Release | v2 failed (');
    expect(r.summary).toContain('Fly deploy failed: crash-app');
    expect(r.summary).toContain('auto-rollback');
    expect(r.summary).toContain('registry.fly.io/crash-app:v1');
    expect(JSON.parse(readFileSync(r.outputs['deployment-file'], 'utf8')).result).toBe('failure');
    expect(await deployCalls('crash-app')).toHaveLength(2); // the seed, then one attempt: no retry
  });

  it('retries transient lease errors that touched no machine', async () => {
    await sim.seedApp('lease-app', { releases: ['v1'] });
    const r = await run(
      { app: 'lease-app', image: 'registry.fly.io/lease-app:v2' },
      { env: { FLY_SIM_FAULTS: 'deploy:lease,deploy:lease' } },
    );
    expect(r.exitCode).toBe(0);
    // Each lease failure left a failed release (flyctl creates it before taking leases).
    expect(r.outputs['release-version']).toBe('4');
    expect(sim.state().apps['lease-app'].releases.map((x) => x.status)).toEqual([
      'complete',
      'failed',
      'failed',
      'complete',
    ]);
    expect(r.annotations.filter((a) => a.level === 'warning')).toHaveLength(2);
    expect(r.summary).toContain('transient failure');
    expect(await deployCalls('lease-app')).toHaveLength(1 + 3);
  });

  it('retries a 429', async () => {
    await sim.seedApp('rate-app', { releases: ['v1'] });
    const r = await run(
      { app: 'rate-app', image: 'registry.fly.io/rate-app:v2' },
      { env: { FLY_SIM_FAULTS: 'deploy:429' } },
    );
    expect(r.exitCode).toBe(0);
    expect(await deployCalls('rate-app')).toHaveLength(1 + 2);
  });

  it('retries reads that hit a transient error', async () => {
    await sim.seedApp('read-app', { releases: ['v1'] });
    const r = await run(
      { app: 'read-app', image: 'registry.fly.io/read-app:v2' },
      { env: { FLY_SIM_FAULTS: 'status:429,releases:reset' } },
    );
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ 'release-version': '2', 'previous-release-version': '1' });
    const reads = (await sim.calls()).filter(
      (c) => ['status', 'releases'].includes(c.args[0]) && c.args.includes('read-app'),
    );
    expect(reads.map((c) => c.exitCode)).toContain(1);
    expect(await deployCalls('read-app')).toHaveLength(1 + 1);
  });

  it('never re-runs a deploy that already updated machines, and gives up when retries run out', async () => {
    await sim.seedApp('touch-app', { releases: ['v1'] });
    const touched = await run(
      { app: 'touch-app', image: 'registry.fly.io/touch-app:v2' },
      { env: { FLY_SIM_FAULTS: 'deploy:update-timeout' } },
    );
    expect(touched.exitCode).toBe(1);
    expect(await deployCalls('touch-app')).toHaveLength(1 + 1);
    expect(touched.summary).toContain('Machines were changed before it failed');
    const exhausted = await run(
      { app: 'touch-app', image: 'registry.fly.io/touch-app:v3', retries: '1' },
      { env: { FLY_SIM_FAULTS: 'deploy:reset,deploy:reset,deploy:reset' } },
    );
    expect(exhausted.exitCode).toBe(1);
    expect(errors(exhausted)[0].message).toContain('connection reset by peer');
    expect(await deployCalls('touch-app')).toHaveLength(2 + 2);
  });

  it('stops retrying when waiting out the lease would pass the timeout', async () => {
    await sim.seedApp('deadline-app', { releases: ['v1'] });
    const r = await run(
      { app: 'deadline-app', image: 'registry.fly.io/deadline-app:v2', timeout: '10s', retries: '5' },
      { env: { FLY_SIM_FAULTS: 'deploy:lease,deploy:lease', FLY_SIM_LEASE_MS: '20000' } },
    );
    expect(r.exitCode).toBe(1);
    expect(errors(r)[0].message).toContain('failed to get lease on VM');
    expect(await deployCalls('deadline-app')).toHaveLength(1 + 1);
  });

  it('deploying the image the app already runs does nothing the second time', async () => {
    await sim.seedApp('same-app', { releases: ['v1'] });
    const first = await run({ app: 'same-app', image: 'registry.fly.io/same-app:v2' });
    const second = await run({ app: 'same-app', image: 'registry.fly.io/same-app:v2' });
    expect(first.outputs['release-version']).toBe('2');
    expect(second.exitCode).toBe(0);
    expect(second.outputs['release-version']).toBe('2');
    expect(second.summary).toContain('nothing to do');
    expect(sim.state().apps['same-app'].releases).toHaveLength(2);
  });

  it('deploys the same image again when a secret waits staged, not because a machine is stopped', async () => {
    await sim.seedApp('staged-app', { releases: ['v1'] });
    await sim.run(['secrets', 'import', '--app', 'staged-app', '--stage'], {
      env: { FLY_API_TOKEN: TOKEN },
      input: 'NEW=1\n',
    });
    const staged = await run({ app: 'staged-app', image: 'registry.fly.io/staged-app:v1' });
    expect(staged.outputs).toMatchObject({ 'release-version': '2', 'previous-release-version': '1' });
    expect(sim.state().apps['staged-app'].secrets.NEW.deployed).toBe(true);
    // A stopped machine of the current release (autostopped, a standby) is no reason to deploy:
    // flyctl would update it with SkipLaunch and leave it stopped (machines_launchinput.go:299-315).
    const [machine] = sim.state().apps['staged-app'].machines;
    await sim.patchMachine('staged-app', machine.id, { state: 'stopped' });
    const settled = await run({ app: 'staged-app', image: 'registry.fly.io/staged-app:v1' });
    expect(settled.summary).toContain('nothing to do');
    expect(settled.outputs.convergence).toBe('deployed');
  });

  it('takes the app and strategy from fly.toml in the working directory', async () => {
    await sim.seedApp('toml-app', { releases: ['v1'] });
    const workspace = mkdtempSync(join(tmpdir(), 'fly-deploy-ws-'));
    mkdirSync(join(workspace, 'web'));
    writeFileSync(join(workspace, 'web', 'fly.toml'), 'app = "toml-app"\n\n[deploy]\n  strategy = "canary"\n');
    const r = await run({ 'working-directory': 'web', 'image-label': 'web-1' }, { cwd: workspace });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ 'app-name': 'toml-app', 'image-ref': 'registry.fly.io/toml-app:web-1' });
    expect(JSON.parse(readFileSync(r.outputs['deployment-file'], 'utf8')).strategy).toBe('canary');
    const [call] = (await deployCalls('toml-app')).slice(-1);
    expect(call.cwd).toBe(join(workspace, 'web'));
    expect(call.args).toEqual(expect.arrayContaining(['--config', 'fly.toml']));
  });

  it('learns the release from `releases --json` on flyctl older than 0.4.56', async () => {
    await sim.seedApp('old-app', { releases: ['v1'] });
    const r = await run(
      { app: 'old-app', image: 'registry.fly.io/old-app:v2', 'flyctl-version': '>=0.4.0' },
      { env: { FLY_SIM_VERSION: '0.4.40' } },
    );
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ 'release-version': '2', 'image-ref': 'registry.fly.io/old-app:v2' });
  });
});

describe('PR preview apps', () => {
  const pr = (action: string) => ({
    eventName: 'pull_request',
    event: { action, number: 17, pull_request: { number: 17, title: 'Add checkout' } },
    context: { repository: 'Acme/Web_Shop', ref: 'refs/pull/17/merge' },
  });

  // pr-<n>-<repo>-<first 6 hex of sha256("acme/web_shop")>: the owner is part of the name.
  const PREVIEW = 'pr-17-web-shop-1c1288';

  it('creates pr-<n>-<repo>-<hash>, deploys it, then destroys it on close (twice: idempotent)', async () => {
    const opened = await run({ preview: 'true', org: 'acme', image: 'registry.fly.io/pr:v1' }, pr('opened'));
    expect(opened.exitCode).toBe(0);
    expect(opened.outputs['app-name']).toBe(PREVIEW);
    expect(opened.outputs['release-version']).toBe('1');
    // A first deploy reports the URL the app has once deployed (fly-sim: its loopback server).
    expect(opened.outputs['app-url']).toBe(`${sim.appUrl(PREVIEW)}/`);
    expect(sim.state().apps[PREVIEW].org).toBe('acme');
    const again = await run({ preview: 'true', org: 'acme', image: 'registry.fly.io/pr:v2' }, pr('synchronize'));
    expect(again.outputs).toMatchObject({ 'release-version': '2', 'previous-release-version': '1' });

    const closed = await run({ preview: 'true', org: 'acme' }, pr('closed'));
    expect(closed.exitCode).toBe(0);
    expect(closed.summary).toContain(`destroyed ${PREVIEW}`);
    expect(sim.state().apps[PREVIEW]).toBeUndefined();
    const closedAgain = await run({ preview: 'true', org: 'acme' }, pr('closed'));
    expect(closedAgain.exitCode).toBe(0);
    expect(closedAgain.summary).toContain('nothing to destroy');
    expect(JSON.parse(readFileSync(closedAgain.outputs['deployment-file'], 'utf8')).result).toBe('destroyed');
  });

  it('never destroys an app named by hand when a pull request closes in preview mode', async () => {
    await sim.seedApp('shop-production', { releases: ['v1'] });
    const r = await run({ preview: 'true', org: 'acme', app: 'shop-production' }, pr('closed'));
    expect(r.exitCode).toBe(1);
    expect(errors(r)[0].message).toContain(`Refusing to destroy shop-production`);
    expect(errors(r)[0].message).toContain(PREVIEW);
    expect(sim.state().apps['shop-production']).toBeDefined();
    expect((await sim.calls()).some((c) => c.args.join(' ') === 'apps destroy shop-production --yes')).toBe(false);
  });

  it('destroys a named app when asked, outside preview mode too', async () => {
    await sim.seedApp('old-feature', { releases: ['v1'] });
    const r = await run({ app: 'old-feature', destroy: 'true' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs['app-name']).toBe('old-feature');
    expect(r.summary).toContain('the `destroy` input is true');
    expect(sim.state().apps['old-feature']).toBeUndefined();
  });

  it('refuses preview mode outside a pull request and without an org', async () => {
    const push = await run({ preview: 'true', org: 'acme' });
    expect(push.exitCode).toBe(1);
    expect(errors(push)[0].message).toContain('Preview mode needs a pull request event');
    const noOrg = await run(
      { preview: 'true', image: 'registry.fly.io/pr:v1' },
      { ...pr('opened'), event: { action: 'opened', number: 18 } },
    );
    expect(noOrg.exitCode).toBe(1);
    expect(errors(noOrg)[0].message).toContain("input 'org' is not set");
  });
});

describe('refusals', () => {
  it('fails clearly without a token and starts no flyctl', async () => {
    const before = (await sim.calls()).length;
    const r = await run({ app: 'shop' }, { env: { FLY_API_TOKEN: undefined } });
    expect(r.exitCode).toBe(1);
    expect(errors(r)[0].message).toContain('No Fly API token: set the `fly-api-token` input or the FLY_API_TOKEN');
    expect(r.log).not.toMatch(/\n\s+at /);
    expect((await sim.calls()).length).toBe(before);
  });

  it('says how to create an app that does not exist', async () => {
    const r = await run({ app: 'ghost-app', image: 'registry.fly.io/ghost-app:v1' });
    expect(r.exitCode).toBe(1);
    expect(errors(r)[0].message).toContain('Could not find App "ghost-app"');
    expect(errors(r)[0].message).toContain('create-app: true');
    expect(r.summary).toContain('Previous release | none');
  });

  it('refuses build inputs next to a built image before running flyctl', async () => {
    const before = (await sim.calls()).length;
    const r = await run({ app: 'shop', image: 'registry.fly.io/shop:v9', 'build-args': 'A=b' });
    expect(r.exitCode).toBe(1);
    expect(errors(r)[0].message).toContain("Input 'image' deploys a built image, so 'build-args' would be ignored");
    expect((await sim.calls()).length).toBe(before);
  });

  it.each([
    ['app', { app: '--help' }],
    ['image-label', { app: 'shop', 'image-label': '-x' }],
    ['image', { app: 'shop', image: '--local-only' }],
    ['regions', { app: 'shop', regions: 'iad,--all' }],
    ['env', { app: 'shop', env: '-X=1' }],
    ['config', { app: 'shop', config: '--dockerfile=/etc/passwd' }],
    ['strategy', { app: 'shop', strategy: '--detach' }],
    ['org', { app: 'shop', org: '--org=evil', 'create-app': 'true' }],
    ['working-directory', { app: 'shop', 'working-directory': '-C' }],
  ])('refuses a value that would smuggle a flag into flyctl: %s', async (input, inputs) => {
    const before = (await sim.calls()).length;
    const r = await run(inputs);
    expect(r.exitCode).toBe(1);
    expect(errors(r)[0].message).toContain(`'${input}'`);
    expect((await sim.calls()).length).toBe(before);
  });

  it('never prints the token or build secrets, even when flyctl fails', async () => {
    await sim.seedApp('leaky', { releases: ['v1'] });
    const r = await run(
      {
        app: 'leaky',
        'fly-api-token': TOKEN,
        'build-secrets': `NPM_TOKEN=${BUILD_SECRET}\nSENTRY_AUTH=${BUILD_SECRET}-two`,
        'image-label': 'v2-crash',
      },
      { env: { FLY_API_TOKEN: undefined } },
    );
    expect(r.exitCode).toBe(1);
    expect(findLeaks(r, [TOKEN, BUILD_SECRET, `${BUILD_SECRET}-two`])).toEqual([]);
    expect(r.log).toContain('smoke checks');
    const record = readFileSync(r.outputs['deployment-file'], 'utf8');
    for (const secret of [TOKEN, BUILD_SECRET]) expect(record).not.toContain(secret);
  });
});
