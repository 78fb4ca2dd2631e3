import { describe, expect, it } from 'vitest';
import { doraFigures, doraJson, doraSummary, type HistoryDeployment } from '../../src/dora';
import { generate, PRODUCTION, SINCE, UNTIL } from './generated';

/**
 * The hand computation behind PRODUCTION:
 * - releases: 200 (rollback deployments are not releases); gate failures i % 10 == 9: 20;
 *   rolled back i % 25 == 12 (12, 37, ..., 187): 8, none of them a gate failure. Failures 28,
 *   change failure rate 28 / 200 = 14% (elite: at most 15%).
 * - verified: 200 - 20 = 180 over 100 days = 1.8 a day (elite: at least daily).
 * - lead time: from the first commit since the previous verified release. Release i after a
 *   verified one: (2 + i % 4) h + 10 min. The 19 releases after a gate failure (10, 20, ..., 190)
 *   bring the failed release's commits too: 20 h (14:00 to 10:00) + 10 min + (2 + (i-1) % 4) h,
 *   that is 23h10m (10 of them) or 25h10m (9). Of the other 161: 2h10m 41, 3h10m 40, 4h10m 40,
 *   5h10m 40. Sorted, the 90th and 91st of 180 are both 4h10m (elite: under a day).
 * - time to restore: a gate failure at 14:05 is restored by the next release at 10:10 the next day,
 *   20h05m (19; release 199 has none after it: open 1); a rollback starts 30 min after its release
 *   and is verified 5 min later: 5 min (8). Of the 27, the 14th is 20h05m (high: under a day).
 */
function history(): HistoryDeployment[] {
  const byHead = new Map<string, number>();
  const generated = generate();
  const out: HistoryDeployment[] = [];
  let lastVerifiedFirst: number | undefined;
  generated.forEach((g, i) => {
    const verified = g.states.some((s) => s.state === 'success');
    // The first commit since the previous verified release: after a failed release, its first commit.
    let first = g.firstCommitAt;
    if (!g.rollback && g.environment === 'production' && lastVerifiedFirst !== undefined)
      first = Math.min(first, lastVerifiedFirst);
    if (!g.rollback && g.environment === 'production')
      lastVerifiedFirst = verified ? undefined : (lastVerifiedFirst ?? g.firstCommitAt);
    byHead.set(g.sha, i);
    out.push({
      id: i + 1,
      environment: g.environment,
      sha: g.sha,
      createdAt: new Date(g.created).toISOString(),
      rollback: g.rollback,
      statuses: g.states.map((s) => ({ state: s.state, createdAt: new Date(s.at).toISOString() })),
      firstCommitAt: verified && !g.rollback ? new Date(first).toISOString() : undefined,
    });
  });
  return out;
}

describe('DORA figures', () => {
  it('gives the hand-computed figures over 200 generated releases', () => {
    const [production, staging] = doraFigures(history(), { since: SINCE, until: UNTIL }, ['production', 'staging']);
    expect(production).toMatchObject({
      environment: 'production',
      days: 100,
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
    expect(production.weeks).toHaveLength(15);
    expect(production.weeks.reduce((n, w) => n + w.deployments, 0)).toBe(180);
    expect(production.weeks.reduce((n, w) => n + w.failures, 0)).toBe(28);
    // Staging: 3 releases, 1 failed (restored by the next, 20 days later), 2 verified.
    expect(staging).toMatchObject({ releases: 3, deployments: 2, failures: 1, timeToRestore: { samples: 1, open: 0 } });
    expect(staging.bands.timeToRestore).toBe('low');
  });

  it('counts only what falls in the period', () => {
    const [production] = doraFigures(
      history(),
      { since: new Date('2026-09-01T00:00:00Z'), until: new Date('2026-09-08T00:00:00Z') },
      ['production'],
    );
    // Days 0-6: releases 0-13; gate failure 9; rollback of 12.
    expect(production).toMatchObject({ releases: 14, deployments: 13, failures: 2 });
  });

  it('renders a summary with a chart per environment, and JSON', () => {
    const figures = doraFigures(history(), { since: SINCE, until: UNTIL });
    const summary = doraSummary(figures).toString();
    expect(summary).toContain(
      '| production | 1.80/day, 180 verified (elite) | 4h10m (elite) | 14.0%: 28 of 200 (elite) | 20h05m (high), 1 not restored |',
    );
    expect(summary.match(/```mermaid\nxychart-beta/g)).toHaveLength(2);
    expect(summary).toContain('  bar [');
    const json = JSON.parse(doraJson(figures));
    expect(json.schema).toBe('deploy-actions/dora@1');
    expect(json.environments.map((e: { environment: string }) => e.environment)).toEqual(['production', 'staging']);
  });
});
