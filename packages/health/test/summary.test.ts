import { Summary } from '@deploy-actions/toolkit';
import { describe, expect, it } from 'vitest';
import { addGateSummary, type HttpRequest, runHealthGate, urlChecks } from '../src/index';

function gateWith(rounds: number, status: (n: number) => number, failureThreshold = 100) {
  let n = 0;
  const checks = urlChecks({ urls: ['http://app.test/health'] });
  checks[0].name = 'health | main';
  return runHealthGate({
    checks,
    timeoutMs: 60_000,
    requestTimeoutMs: 100,
    intervalMs: 1,
    maxIntervalMs: 1,
    successThreshold: rounds,
    failureThreshold,
    probe: async (request: HttpRequest) => ({
      url: request.url,
      status: status(++n),
      headers: {},
      body: '{"version":"v2"}',
      bodyBytes: 16,
      truncated: false,
      redirects: 0,
      latencyMs: 10 + n,
    }),
  });
}

describe('addGateSummary', () => {
  it('verdict, facts, checks table, latency chart and probe timeline', async () => {
    const r = await gateWith(6, () => 200);
    const md = addGateSummary(new Summary(), r.report).toString();
    expect(md).toContain('## Health gate: ✅ Healthy');
    expect(md).toContain('| Rounds | 6 |');
    expect(md).toContain('| health \\| main | GET http://app.test/health | ✅ pass |  |');
    expect(md).toContain('```mermaid\nxychart-beta');
    expect(md).toContain('  line [11, 12, 13, 14, 15, 16]');
    expect(md).toContain('<details><summary>Probe timeline \\(6 probes\\)</summary>');
    expect(md).toMatch(/\| \+\d+ms \| 1 \| health \\\| main \| 200 \| 11 ms \| v2 \| pass \|/);
  });

  it('no chart for a handful of probes; a failure says what to do next', async () => {
    const r = await gateWith(2, () => 500, 3);
    expect(r.verdict).toBe('failed');
    const md = addGateSummary(new Summary(), r.report).toString();
    expect(md).toContain('## Health gate: ❌ Failed');
    expect(md).toContain('**Next:** the new release answered but not correctly.');
    expect(md).toContain(
      '| health \\| main | GET http://app.test/health | ❌ not passing | status 500, expected 200 |',
    );
    expect(md).not.toContain('mermaid');
  });
});
