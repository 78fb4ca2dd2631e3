import { GitHubApiError, GitHubClient } from '@deploy-actions/github';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createDeployment,
  createDeploymentStatus,
  deactivateEnvironment,
  findLastKnownGood,
  findRunDeployment,
  isProductionEnvironment,
  isTransientEnvironment,
  parseDeploymentPayload,
  RECORD_SCHEMA,
} from '../src/index';

const SHA1 = 'a'.repeat(40);
const SHA2 = 'b'.repeat(40);
const SHA3 = 'c'.repeat(40);

function record(sha: string, image: string, extra: Record<string, unknown> = {}) {
  return { schema: RECORD_SCHEMA, app: 'shop', image_ref: image, release_version: '7', sha, rollback: false, ...extra };
}

let api: GitHubApi;
let client: GitHubClient;

beforeAll(async () => {
  api = await startGitHubApi({ repository: 'acme/shop' });
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.reset();
  client = new GitHubClient({
    token: api.token,
    repository: 'acme/shop',
    apiUrl: api.url,
    baseDelayMs: 10,
    writeIntervalMs: 10,
  });
});

describe('deployment record', () => {
  it('round-trips a complete record through a deployment payload', async () => {
    const created = await createDeployment(client, {
      environment: 'production',
      record: {
        app: 'shop',
        sha: SHA1,
        image_ref: 'registry.fly.io/shop@sha256:1',
        release_version: '12',
        run_id: '9',
      },
    });
    const sent = api.state.deployments[0];
    expect(sent.ref).toBe(SHA1);
    expect(sent.production_environment).toBe(true);
    expect(sent.transient_environment).toBe(false);
    expect(sent.required_contexts).toEqual([]);
    expect(sent.auto_merge).toBe(false);
    expect(sent.task).toBe('deploy');
    expect(created.record).toEqual({
      schema: RECORD_SCHEMA,
      app: 'shop',
      sha: SHA1,
      image_ref: 'registry.fly.io/shop@sha256:1',
      release_version: '12',
      run_id: '9',
      rollback: false,
    });
  });

  it('marks previews transient and rollbacks with their own task', async () => {
    await createDeployment(client, {
      environment: 'preview/pr-12',
      record: { app: 'shop-pr-12', sha: SHA1, image_ref: 'img:1', rollback: true },
    });
    const sent = api.state.deployments[0];
    expect(sent.transient_environment).toBe(true);
    expect(sent.production_environment).toBe(false);
    expect(sent.task).toBe('deploy:rollback');
  });

  it('does not accept incomplete or foreign payloads as records', () => {
    expect(parseDeploymentPayload(JSON.stringify(record(SHA1, 'img')))).toMatchObject({ image_ref: 'img' });
    expect(parseDeploymentPayload({ ...record(SHA1, 'img'), image_ref: undefined })).toBeUndefined();
    expect(parseDeploymentPayload({ ...record(SHA1, 'img'), schema: 'someone-else' })).toBeUndefined();
    expect(parseDeploymentPayload({ ...record('not-a-sha', 'img') })).toBeUndefined();
    expect(parseDeploymentPayload('{not json')).toBeUndefined();
    expect(parseDeploymentPayload(null)).toBeUndefined();
  });

  it('classifies environment names', () => {
    expect(['production', 'Production', 'prod', 'production-eu'].map(isProductionEnvironment)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['staging', 'products', 'preview'].map(isProductionEnvironment)).toEqual([false, false, false]);
    expect(['preview', 'pr-12', 'pr12', 'review/feature'].map(isTransientEnvironment)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['production', 'staging', 'prod', 'preprod'].map(isTransientEnvironment)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('deployment statuses', () => {
  it('shortens descriptions to what GitHub accepts and sends log and environment URLs', async () => {
    const d = await createDeployment(client, { environment: 'staging', record: { app: 'shop', sha: SHA1 } });
    const status = await createDeploymentStatus(client, d.id, {
      state: 'success',
      description: 'x'.repeat(500),
      environmentUrl: 'https://shop.fly.dev',
      logUrl: 'https://github.com/acme/shop/actions/runs/1',
    });
    expect(status.description).toHaveLength(140);
    const stored = api.latestStatus(d.id)!;
    expect(stored).toMatchObject({
      state: 'success',
      environment_url: 'https://shop.fly.dev',
      log_url: 'https://github.com/acme/shop/actions/runs/1',
      auto_inactive: true,
    });
  });

  it('retries server errors and gives up on refused tokens with a hint', async () => {
    api.failNext({ status: 502, body: { message: 'Bad gateway' } }, { times: 2, method: 'POST' });
    const d = await createDeployment(client, { environment: 'staging', record: { app: 'shop', sha: SHA1 } });
    expect(d.id).toBeGreaterThan(0);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(3);

    const bad = new GitHubClient({ token: 'wrong', repository: 'acme/shop', apiUrl: api.url, baseDelayMs: 10 });
    const error = await createDeploymentStatus(bad, d.id, { state: 'success' }).catch((e) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error.status).toBe(401);
    expect(error.message).toContain('Bad credentials');
    expect(error.hint).toContain('github-token');

    api.failNext({ status: 403, body: { message: 'Resource not accessible by integration' } });
    const denied = await createDeploymentStatus(client, d.id, { state: 'success' }).catch((e) => e);
    expect(denied.message).toContain('Resource not accessible by integration');
    expect(denied.hint).toContain('deployments: write');
  });

  it('waits out the primary rate limit until its reset when the reset is near', async () => {
    api.setRate(0, 1_000);
    await expect(findLastKnownGood(client, { environment: 'production' })).resolves.toBeUndefined();
    expect(api.requests.map((r) => r.status)).toEqual([403, 200]);
  });
});

describe('last known good', () => {
  it('is the newest deployment whose latest status is success with a complete record', async () => {
    const good = api.seedDeployment({
      environment: 'production',
      sha: SHA1,
      payload: record(SHA1, 'img:1'),
      states: ['in_progress', 'success'],
    });
    // Newer: another app, a foreign payload, an incomplete record, a failure, and one still in progress.
    api.seedDeployment({
      environment: 'production',
      sha: SHA2,
      payload: record(SHA2, 'other:1', { app: 'admin' }),
      states: ['success'],
    });
    api.seedDeployment({ environment: 'production', sha: SHA2, payload: { foo: 1 }, states: ['success'] });
    api.seedDeployment({
      environment: 'production',
      sha: SHA2,
      payload: { ...record(SHA2, 'x'), image_ref: undefined },
      states: ['success'],
    });
    api.seedDeployment({
      environment: 'production',
      sha: SHA3,
      payload: record(SHA3, 'img:3'),
      states: ['in_progress', 'success', 'failure'],
    });
    api.seedDeployment({
      environment: 'production',
      sha: SHA3,
      payload: record(SHA3, 'img:4'),
      states: ['in_progress'],
    });
    api.seedDeployment({ environment: 'staging', sha: SHA3, payload: record(SHA3, 'img:5'), states: ['success'] });

    const lkg = await findLastKnownGood(client, { environment: 'production', app: 'shop' });
    expect(lkg?.deployment.id).toBe(good.id);
    expect(lkg?.record.image_ref).toBe('img:1');
    expect(lkg?.status.state).toBe('success');

    const none = await findLastKnownGood(client, {
      environment: 'production',
      app: 'shop',
      exclude: (r) => r.image_ref === 'img:1',
    });
    expect(none).toBeUndefined();
  });

  it('stays on the newest verified release as statuses come and go (auto_inactive outside production)', async () => {
    const status = (id: number, state: 'in_progress' | 'success' | 'failure') =>
      createDeploymentStatus(client, id, { state });
    const first = await createDeployment(client, {
      environment: 'staging',
      record: { app: 'shop', sha: SHA1, image_ref: 'img:1' },
    });
    await status(first.id, 'success');
    const second = await createDeployment(client, {
      environment: 'staging',
      record: { app: 'shop', sha: SHA2, image_ref: 'img:2' },
    });
    await status(second.id, 'in_progress');
    expect((await findLastKnownGood(client, { environment: 'staging' }))?.record.image_ref).toBe('img:1');
    await status(second.id, 'success');
    // GitHub marks the earlier success inactive: the newer one is now the only success.
    expect(api.latestStatus(first.id)?.state).toBe('inactive');
    expect((await findLastKnownGood(client, { environment: 'staging' }))?.record.image_ref).toBe('img:2');
    const third = await createDeployment(client, {
      environment: 'staging',
      record: { app: 'shop', sha: SHA3, image_ref: 'img:3' },
    });
    await status(third.id, 'failure');
    expect((await findLastKnownGood(client, { environment: 'staging' }))?.record.image_ref).toBe('img:2');
    expect(
      await findLastKnownGood(client, { environment: 'staging', exclude: (r) => r.image_ref === 'img:2' }),
    ).toBeUndefined();
  });

  it('looks past the first page of deployments', async () => {
    api.seedDeployment({ environment: 'production', sha: SHA1, payload: record(SHA1, 'img:old'), states: ['success'] });
    for (let i = 0; i < 120; i++) {
      api.seedDeployment({
        environment: 'production',
        sha: SHA2,
        payload: record(SHA2, `img:${i}`),
        states: ['error'],
      });
    }
    const lkg = await findLastKnownGood(client, { environment: 'production', limit: 200 });
    expect(lkg?.record.image_ref).toBe('img:old');
    expect(await findLastKnownGood(client, { environment: 'production', limit: 100 })).toBeUndefined();
  });

  it("finds this run's deployment again, and not another run's or a rollback's", async () => {
    api.seedDeployment({ environment: 'staging', sha: SHA1, payload: record(SHA1, 'a', { run_id: '1' }) });
    const mine = api.seedDeployment({
      environment: 'staging',
      sha: SHA1,
      payload: { schema: RECORD_SCHEMA, app: 'shop', sha: SHA1, rollback: false, run_id: '2' },
    });
    api.seedDeployment({
      environment: 'staging',
      sha: SHA1,
      payload: record(SHA1, 'a', { run_id: '2', rollback: true }),
    });
    const found = await findRunDeployment(client, { environment: 'staging', sha: SHA1, runId: '2', rollback: false });
    expect(found?.id).toBe(mine.id);
    expect(await findRunDeployment(client, { environment: 'staging', sha: SHA1, runId: '3', rollback: false })).toBe(
      undefined,
    );
  });
});

describe('an environment that is gone', () => {
  it('marks every live deployment of it inactive, and only those', async () => {
    const payload = record(SHA1, 'registry.fly.io/pr-7-shop:1');
    const opened = api.seedDeployment({ environment: 'pr-7', sha: SHA1, payload, states: ['in_progress', 'success'] });
    const synced = api.seedDeployment({ environment: 'pr-7', sha: SHA2, payload, states: ['in_progress', 'success'] });
    const failed = api.seedDeployment({ environment: 'pr-7', sha: SHA2, payload, states: ['in_progress', 'failure'] });
    const running = api.seedDeployment({ environment: 'pr-7', sha: SHA3, payload, states: ['in_progress'] });
    const other = api.seedDeployment({ environment: 'pr-8', sha: SHA1, payload, states: ['success'] });
    const latest = (id: number) => api.state.statuses.filter((st) => st.deployment_id === id).at(-1);

    const { marked } = await deactivateEnvironment(client, 'pr-7', {
      description: 'Preview destroyed',
      logUrl: 'https://github.com/acme/shop/actions/runs/5',
    });
    expect(marked.sort()).toEqual([opened.id, synced.id, running.id].sort());
    for (const id of marked) {
      expect(latest(id)).toMatchObject({ state: 'inactive', description: 'Preview destroyed' });
    }
    expect(latest(failed.id)?.state).toBe('failure');
    expect(latest(other.id)?.state).toBe('success');
    // Nothing is live any more: a second run marks nothing.
    expect(await deactivateEnvironment(client, 'pr-7')).toEqual({ marked: [], left: [] });
  });

  it('looks at every deployment of a long-lived pull request, a few requests at a time', async () => {
    const payload = record(SHA1, 'registry.fly.io/pr-9-shop:1');
    const seeded = Array.from({ length: 25 }, () =>
      api.seedDeployment({ environment: 'pr-9', sha: SHA1, payload, states: ['success'] }),
    );
    const { marked } = await deactivateEnvironment(client, 'pr-9');
    expect(marked.sort((a, b) => a - b)).toEqual(seeded.map((d) => d.id).sort((a, b) => a - b));
  });
});
