/**
 * The rehearsal scenarios inside `npm test`: the reusable workflows executed end to end against
 * fly-sim, an embedded PostgreSQL and local SMTP, webhook and GitHub API servers.
 */
import { join } from 'node:path';
import { runScenario, SCENARIOS } from '@deploy-actions/rehearsal';
import { REPO_ROOT } from '@deploy-actions/runner';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let pg: PgServer;
// CI uploads this folder when a test fails.
const outDir = join(REPO_ROOT, 'rehearsal-output', 'test');

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

describe('rehearsal scenarios', () => {
  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: ${scenario.title}`, { timeout: 240_000 }, async () => {
      const result = await runScenario(scenario, pg, { outDir });
      const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.name}${c.detail ? `: ${c.detail}` : ''}`);
      // Joined, so the failure shows every failed check in full.
      expect(failed.join('\n'), `report: ${result.report?.html}`).toBe('');
      expect(result.checks.length).toBeGreaterThan(5);
    });
  }
});
