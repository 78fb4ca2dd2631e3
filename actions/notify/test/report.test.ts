/**
 * notify's `report: dora` bundle under Node 24 against the local GitHub API seeded with a generated
 * history of 200 releases: the figures it writes are the hand-computed ones, with a chart.
 */
import { readFileSync } from 'node:fs';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, PRODUCTION } from '../../../packages/deployments/test/dora/generated';

let api: GitHubApi;

beforeAll(async () => {
  api = await startGitHubApi({ repository: 'acme/shop', rateLimit: 5_000 });
  for (const g of generate()) {
    const date = new Date(g.firstCommitAt).toISOString();
    if (!g.rollback) {
      api.seedCommit({ sha: g.firstSha, message: 'change', date, parents: g.parent ? [g.parent] : [] });
      api.seedCommit({ sha: g.sha, message: 'change', date, parents: [g.firstSha] });
    }
    const d = api.seedDeployment({
      environment: g.environment,
      sha: g.sha,
      task: g.rollback ? 'deploy:rollback' : 'deploy',
      created_at: new Date(g.created).toISOString(),
      payload: { schema: 'deploy-actions/deployment@1', app: 'shop', sha: g.sha, rollback: g.rollback },
    });
    for (const s of g.states)
      api.addStatus(d.id, s.state, { created_at: new Date(s.at).toISOString(), auto_inactive: false });
  }
});
afterAll(async () => {
  await api?.close();
});

describe('notify report: dora', () => {
  it('reports the hand-computed figures per environment with a chart, as a summary and JSON', async () => {
    const r = await runBundle('notify', {
      inputs: { report: 'dora', 'report-days': '100', 'report-until': '2026-12-10' },
      githubToken: api.token,
      context: { repository: 'acme/shop', apiUrl: api.url },
    });
    expect(r.exitCode, r.log).toBe(0);
    const report = JSON.parse(r.outputs.report);
    expect(JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'))).toEqual(report);
    const [production, staging] = report.environments;
    expect(production).toMatchObject({
      environment: 'production',
      releases: PRODUCTION.releases,
      deployments: PRODUCTION.deployments,
      failures: PRODUCTION.failures,
      leadTime: { medianMs: PRODUCTION.leadTimeMedianMs, samples: PRODUCTION.leadTimeSamples },
      timeToRestore: {
        medianMs: PRODUCTION.restoreMedianMs,
        samples: PRODUCTION.restoreSamples,
        open: PRODUCTION.restoreOpen,
      },
      bands: PRODUCTION.bands,
    });
    expect(production.deploymentsPerDay).toBeCloseTo(PRODUCTION.deploymentsPerDay, 10);
    expect(production.changeFailureRate).toBeCloseTo(PRODUCTION.changeFailureRate, 10);
    expect(staging).toMatchObject({ environment: 'staging', releases: 3, failures: 1 });
    expect(r.summary).toContain(
      '| production | 1.80/day, 180 verified (elite) | 4h10m (elite) | 14.0%: 28 of 200 (elite) |',
    );
    expect(r.summary).toContain('```mermaid\nxychart-beta');
    expect(findLeaks(r, [api.token])).toEqual([]);
  });

  it('needs status when no report is asked for, and says so', async () => {
    const r = await runBundle('notify', { inputs: {} });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]?.message).toContain('status (or set report: dora)');
    expect(r.log).not.toMatch(/^\s+at /m);
  });
});
