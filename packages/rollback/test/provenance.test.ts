/**
 * Where a recorded rollback target came from (its workflow run, against the local GitHub API) and
 * what the machines run after a rollback (against fly-sim).
 */
import { type DeploymentPayload, RECORD_SCHEMA } from '@deploy-actions/deployments';
import { Fly, listMachines } from '@deploy-actions/fly';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { GitHubClient } from '@deploy-actions/github';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runProvenance } from '../src/provenance';
import { runningImageProblem } from '../src/running';

const SHA = 'a'.repeat(40);
const TOKEN = 'fly-token-provenance';
let api: GitHubApi;
let sim: FlySim;
let fly: Fly;

beforeAll(async () => {
  [api, sim] = await Promise.all([startGitHubApi({ repository: 'acme/shop' }), startFlySim({ tokens: [TOKEN] })]);
  fly = new Fly({ token: TOKEN, bin: sim.flyctl, env: { ...process.env, ...sim.env }, timeoutMs: 30_000 });
  await sim.seedApp('shop', { releases: ['v1', 'v2'] });
});
afterAll(async () => {
  await Promise.all([api?.close(), sim?.stop()]);
});
beforeEach(() => api.reset());

const client = () =>
  new GitHubClient({ token: api.token, repository: 'acme/shop', apiUrl: api.url, baseDelayMs: 10, attempts: 1 });
const record = (runId: string | undefined, sha = SHA): DeploymentPayload => ({
  schema: RECORD_SCHEMA,
  app: 'shop',
  image_ref: 'registry.fly.io/shop:v1',
  sha,
  rollback: false,
  run_id: runId,
  repository: 'acme/shop',
});

describe("a record's workflow run", () => {
  it('proves a record written by a run of this repository on the recorded commit', async () => {
    api.seedRun({ id: 501, head_sha: SHA });
    expect(await runProvenance(client(), 'acme/shop')(record('501'))).toBeUndefined();
  });

  it("refuses a record naming no run, another repository's run, a deleted one, or another commit", async () => {
    api.seedRun({ id: 502, head_sha: SHA, repository: 'partner-co/shop' });
    api.seedRun({ id: 503, head_sha: 'b'.repeat(40) });
    const prove = runProvenance(client(), 'acme/shop');
    expect(await prove(record(undefined))).toBe(
      'it names no workflow run, so it cannot be traced to a run of this repository',
    );
    expect(await prove(record('502'))).toBe(
      "its workflow run 502 is not a run of acme/shop (GitHub answers 404: another repository's, or deleted)",
    );
    expect(await prove(record('999'))).toMatch(/^its workflow run 999 is not a run of acme\/shop/);
    expect(await prove(record('503'))).toBe('its workflow run 503 ran commit bbbbbbb, not the recorded aaaaaaa');
  });

  it('refuses, saying which permission is missing, when the token cannot read workflow runs', async () => {
    api.seedRun({ id: 504, head_sha: SHA });
    api.setPermission('actions', 'none');
    const prove = runProvenance(client(), 'acme/shop');
    expect(await prove(record('504'))).toBe(
      'its workflow run 504 cannot be read, so where the record came from is unknown: give the job `permissions: actions: read`',
    );
    // Each run is read once, however many records name it.
    await prove(record('504'));
    expect(api.requests.filter((r) => r.path.endsWith('/actions/runs/504'))).toHaveLength(1);
  });
});

describe('the image the machines run after a rollback', () => {
  it('matches the reference, and the digest when the record carries one', async () => {
    const [machine] = await listMachines(fly, 'shop');
    const digest = machine.image_ref?.digest ?? '';
    expect(digest).toMatch(/^sha256:/);
    const target = { imageRef: 'registry.fly.io/shop:v2' };
    expect(await runningImageProblem(fly, 'shop', target, 2)).toBeUndefined();
    expect(await runningImageProblem(fly, 'shop', { ...target, digest }, 2)).toBeUndefined();

    // The tag now names other bytes than the ones verified when the record was written.
    const other = `sha256:${'0'.repeat(64)}`;
    expect(await runningImageProblem(fly, 'shop', { ...target, digest: other }, 2)).toBe(
      `machine ${machine.id} runs registry.fly.io/shop:v2 with digest ${digest}, not the recorded ${other}`,
    );
    expect(await runningImageProblem(fly, 'shop', { imageRef: 'registry.fly.io/shop:v1' }, 2)).toBe(
      `machine ${machine.id} runs registry.fly.io/shop:v2, not registry.fly.io/shop:v1`,
    );
    expect(await runningImageProblem(fly, 'shop', target, 7)).toBe(
      'no machine of shop runs release v7, so the image cannot be checked',
    );
  });
});
