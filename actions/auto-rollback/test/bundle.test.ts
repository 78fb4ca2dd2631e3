/**
 * auto-rollback's bundle under Node 24 against fly-sim, a local GitHub API and a real
 * PostgreSQL: how it chooses the last known good release, that it verifies it, and
 * that it never loops.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPayload } from '@deploy-actions/deployments';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { migrate } from '@deploy-actions/migrate';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'fly-token-rollback-5c2e91';
const GH_TOKEN = 'ghs_rollbacktoken0042';
const SHA = '0123456789abcdef0123456789abcdef01234567';
let sim: FlySim;
let api: GitHubApi;
let okServer: Server;
const okUrl = () => `http://127.0.0.1:${(okServer.address() as AddressInfo).port}/health`;

const image = (app: string, label: string) => `registry.fly.io/${app}:${label}`;

beforeAll(async () => {
  [sim, api] = await Promise.all([
    startFlySim({ tokens: [TOKEN] }),
    startGitHubApi({ repository: 'acme/shop', token: GH_TOKEN }),
  ]);
  await Promise.all([
    // v1 good, v2 failed to deploy, v3 serves errors.
    sim.seedApp('skip-failed', { releases: ['v1', 'crash-2', 'unhealthy-3'] }),
    // v2 is a config release on the failed image.
    sim.seedApp('same-image', { releases: ['v1', 'unhealthy-2', 'unhealthy-2'] }),
    // v2 was never verified; GitHub records v1 as verified.
    sim.seedApp('recorded', { releases: ['v1', 'v2', 'unhealthy-3'] }),
    // v3 put v1's image back: the failed release is a rollback.
    sim.seedApp('loop', { releases: ['v1', 'v2', 'v1'] }),
    sim.seedApp('first', { releases: ['unhealthy-1'] }),
    // The last known good image is broken too.
    sim.seedApp('still-down', { releases: ['old-unhealthy-1', 'unhealthy-2'] }),
    sim.seedApp('dry', { releases: ['v1', 'unhealthy-2'] }),
    sim.seedApp('with-db', { releases: ['v1', 'unhealthy-2'] }),
    sim.seedApp('forged', { releases: ['v1', 'v2', 'unhealthy-3'] }),
    // GitHub records v1 as verified with a digest; the tag v1 now names other bytes.
    sim.seedApp('repushed', { releases: ['v1', 'unhealthy-2'] }),
    // Apps whose /health says {"ok":true} (no version), and a worker with nothing to probe.
    sim.seedApp('ok-body', { releases: ['v1', 'unhealthy-2'] }),
    sim.seedApp('ok-body-label', { releases: ['v1', 'unhealthy-2'] }),
    sim.seedApp('jobs', { releases: ['v1', 'unhealthy-2'] }),
  ]);
  okServer = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  await new Promise<void>((resolve) => okServer.listen(0, '127.0.0.1', resolve));
  // The workflow runs that wrote the records: one of this repository, one of another.
  api.seedRun({ id: 700, head_sha: SHA });
  api.seedRun({ id: 701, head_sha: SHA, repository: 'partner-co/shop' });
  api.seedDeployment({
    environment: 'production',
    sha: SHA,
    payload: toPayload({
      app: 'recorded',
      image_ref: image('recorded', 'v1'),
      release_version: '1',
      sha: SHA,
      repository: 'acme/shop',
      run_id: '700',
    }),
    states: ['in_progress', 'success'],
  });
  // Newer "verified" records that are not this workflow's: a person's token naming an outside image,
  // and the bot's own name on an image Fly never ran for the app. Neither may be deployed.
  api.seedDeployment({
    environment: 'production',
    sha: SHA,
    creator: 'mallory',
    payload: toPayload({
      app: 'forged',
      image_ref: 'docker.io/attacker/backdoor:latest',
      sha: SHA,
      repository: 'acme/shop',
    }),
    states: ['success'],
  });
  api.seedDeployment({
    environment: 'production',
    sha: SHA,
    payload: toPayload({
      app: 'forged',
      image_ref: image('forged', 'never-ran'),
      sha: SHA,
      repository: 'acme/shop',
      run_id: '700',
    }),
    states: ['success'],
  });
  // The bot's own name and a real release, written by a run of another repository.
  api.seedDeployment({
    environment: 'production',
    sha: SHA,
    payload: toPayload({
      app: 'forged',
      image_ref: image('forged', 'v1'),
      sha: SHA,
      repository: 'acme/shop',
      run_id: '701',
    }),
    states: ['success'],
  });
  api.seedDeployment({
    environment: 'production',
    sha: SHA,
    payload: toPayload({
      app: 'repushed',
      image_ref: image('repushed', 'v1'),
      release_version: '1',
      sha: SHA,
      repository: 'acme/shop',
      run_id: '700',
      image_digest: `sha256:${'5'.repeat(64)}`,
    }),
    states: ['success'],
  });
});
afterAll(async () => {
  await Promise.all([sim?.stop(), api?.close(), new Promise((resolve) => okServer?.close(resolve))]);
});

function rollback(app: string, inputs: Record<string, string> = {}) {
  return runBundle('auto-rollback', {
    inputs: { app, timeout: '20s', 'wait-timeout': '30s', ...inputs },
    env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    context: { apiUrl: api.url, sha: SHA, runId: '777' },
    githubToken: GH_TOKEN,
  });
}

const releases = (app: string) => sim.state().apps[app].releases;
const deploys = async (app: string) =>
  (await sim.calls()).filter((c) => c.args[0] === 'deploy' && c.args.includes(app)).length;

describe.concurrent('verifying the rollback as the app reports health', () => {
  it('an app answering {"ok":true} (no version) is verified by default: the machines run the rollback release', async () => {
    const r = await rollback('ok-body', { 'health-url': okUrl() });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ 'rolled-back': 'true', verified: 'true', 'to-image': image('ok-body', 'v1') });
  });

  it('version-from: image-label asks the answer for the target label: {"ok":true} is then not verified', async () => {
    const r = await rollback('ok-body-label', { 'health-url': okUrl(), 'version-from': 'image-label', timeout: '4s' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ 'rolled-back': 'true', verified: 'false' });
    expect(r.outputs.reason).toMatch(/no version \(field version\)/);
  });

  it('check: machines verifies a worker without any URL', async () => {
    const r = await rollback('jobs', { check: 'machines' });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ 'rolled-back': 'true', verified: 'true', 'to-image': image('jobs', 'v1') });
  });

  it('check: machines with a URL is refused, naming the input', async () => {
    const r = await rollback('jobs', { check: 'machines', 'health-url': okUrl() });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0].message).toMatch(/^Invalid input 'check': machines probes no URL/);
    expect(r.outputs['rolled-back']).toBe('');
  });
});

describe.concurrent('choosing the last known good release', () => {
  it('skips a failed release, redeploys the good image and verifies it', async () => {
    const r = await rollback('skip-failed');
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({
      'rolled-back': 'true',
      verified: 'true',
      'from-image': image('skip-failed', 'unhealthy-3'),
      'to-image': image('skip-failed', 'v1'),
      'to-release-version': '1',
      'new-release-version': '4',
    });
    expect(r.env.DEPLOY_ACTIONS_ROLLED_BACK).toBe('skip-failed');
    expect(r.summary).toContain('Rolled back and verified');
    expect(r.summary).toContain('status failed');
    expect(releases('skip-failed').at(-1)).toMatchObject({ imageRef: image('skip-failed', 'v1'), status: 'complete' });
    expect(findLeaks(r, [TOKEN, GH_TOKEN])).toEqual([]);
  });

  it('skips a release that runs the failed image', async () => {
    const r = await rollback('same-image', { 'failed-release-version': 'v3' });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs['to-image']).toBe(image('same-image', 'v1'));
    expect(r.summary).toContain('same image as the failed release');
  });

  it('prefers the GitHub-recorded verified release over a newer, never verified one', async () => {
    const r = await rollback('recorded');
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ 'to-image': image('recorded', 'v1'), verified: 'true' });
    expect(r.outputs.reason).toContain('recorded as verified healthy in production');
  });

  it('refuses GitHub records it cannot prove: another author, or an image Fly never ran for the app', async () => {
    const r = await rollback('forged');
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs['to-image']).toBe(image('forged', 'v2'));
    expect(r.outputs.reason).toContain('3 unproven GitHub deployment record(s) refused');
    const warnings = r.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings.join('\n')).toMatch(/backdoor:latest as verified, but it is not proven: it was created by mallory/);
    expect(warnings.join('\n')).toMatch(
      /never-ran as verified, but it is not proven: Fly's release history of forged has no release/,
    );
    expect(warnings.join('\n')).toMatch(
      /forged:v1 as verified, but it is not proven: its workflow run 701 is not a run of acme\/shop/,
    );
    expect(r.summary).toContain('refused, not proven');
    const deployed = (await sim.calls()).filter((c) => c.args[0] === 'deploy' && c.args.includes('forged'));
    expect(deployed.map((c) => c.args.join(' ')).join('\n')).not.toMatch(/attacker|never-ran/);
  });

  it('fails verification when the machines do not run the digest the record verified', async () => {
    const r = await rollback('repushed');
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ 'rolled-back': 'true', verified: 'false', 'to-image': image('repushed', 'v1') });
    expect(r.outputs.reason).toMatch(
      /runs registry.fly.io\/repushed:v1 with digest sha256:\w+, not the recorded sha256:5{64}/,
    );
    // The gate never ran: the service may well be up, so nothing says it is down.
    expect(r.annotations.find((a) => a.level === 'error')?.message).toMatch(/could not be verified: page a human/);
    expect(r.summary).toContain('Rolled back, NOT verified (see why below): page a human');
    expect(r.summary).not.toContain('still down');
  });

  it('refuses to roll back a rollback', async () => {
    const before = releases('loop').length;
    const r = await rollback('loop');
    expect(r.exitCode).toBe(1);
    expect(
      r.annotations
        .filter((a) => a.level === 'error')
        .map((a) => a.message)
        .join(),
    ).toMatch(/is itself a rollback/);
    expect(r.outputs['rolled-back']).toBe('false');
    expect(releases('loop')).toHaveLength(before);
  });

  it('says what to do when there is no candidate', async () => {
    const r = await rollback('first');
    expect(r.exitCode).toBe(1);
    expect(r.log).toMatch(/No last known good release.*\n?.*target: <image ref>/);
    expect(r.log).not.toMatch(/^\s+at /m);
  });

  it('fails loudly when the rolled-back release does not serve, without trying another', async () => {
    const before = await deploys('still-down');
    const r = await rollback('still-down', { timeout: '4s' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({
      'rolled-back': 'true',
      verified: 'false',
      'to-image': image('still-down', 'old-unhealthy-1'),
    });
    expect(r.annotations.find((a) => a.level === 'error')?.message).toMatch(/still down: page a human/);
    expect(await deploys('still-down')).toBe(before + 1);
  });

  it('dry-run names the target and why, and changes nothing', async () => {
    const before = releases('dry').length;
    const r = await rollback('dry', { 'dry-run': 'true' });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs).toMatchObject({ 'rolled-back': 'false', 'to-image': image('dry', 'v1'), verified: 'false' });
    expect(r.outputs.reason).toMatch(/^dry run: would roll back to/);
    expect(r.summary).toContain('Dry run: nothing was changed');
    expect(releases('dry')).toHaveLength(before);
  });

  it('refuses a second rollback of the same app in one job', async () => {
    const r = await runBundle('auto-rollback', {
      inputs: { app: 'dry' },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN, DEPLOY_ACTIONS_ROLLED_BACK: 'dry' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.log).toContain('dry was already rolled back in this run');
  });

  it('refuses an explicit target equal to the failed image, and a missing token', async () => {
    const same = await rollback('dry', { target: image('dry', 'unhealthy-2') });
    expect(same.exitCode).toBe(1);
    expect(same.log).toContain('is the image that failed');
    const noToken = await runBundle('auto-rollback', {
      inputs: { app: 'dry' },
      env: { ...sim.env, FLY_API_TOKEN: undefined },
    });
    expect(noToken.exitCode).toBe(1);
    expect(noToken.annotations[0]?.message).toMatch(/No Fly API token/);
  });
});

describe('rolling back migrations', () => {
  let pg: PgServer;
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('reverts the database to migrate-to with the down files before redeploying', async () => {
    const db = await pg.createDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'rollback-migrations-'));
    mkdirSync(join(dir, 'migrations'));
    const files: Record<string, string> = {
      '0001_users.sql': 'CREATE TABLE users (id bigint);',
      '0001_users.down.sql': 'DROP TABLE users;',
      '0002_orders.sql': 'CREATE TABLE orders (id bigint);',
      '0002_orders.down.sql': 'DROP TABLE orders;',
      '0003_notes.sql': 'ALTER TABLE users ADD COLUMN note text;',
      '0003_notes.down.sql': 'ALTER TABLE users DROP COLUMN note;',
    };
    for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, 'migrations', name), sql);
    await migrate({ databaseUrl: db.url, dir: join(dir, 'migrations') });

    const r = await runBundle('auto-rollback', {
      inputs: {
        app: 'with-db',
        'rollback-migrations': 'true',
        'database-url': db.url,
        'migrations-dir': 'migrations',
        'migrate-to': '0001',
        timeout: '20s',
      },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
      cwd: dir,
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs.verified).toBe('true');
    const tables = await pg.query(
      db.name,
      "SELECT table_name FROM information_schema.tables WHERE table_name IN ('users','orders')",
    );
    expect(tables.map((t) => t.table_name)).toEqual(['users']);
    expect(r.summary).toContain('reverted 0003, 0002');
    expect(findLeaks(r, [TOKEN, db.url, new URL(db.url).password])).toEqual([]);
  });

  it('needs database-url and migrate-to', async () => {
    const r = await runBundle('auto-rollback', { inputs: { app: 'with-db', 'rollback-migrations': 'true' } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]?.message).toContain("Input 'database-url' is required with rollback-migrations: true");
  });
});
