import { readFileSync } from 'node:fs';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'fly-token-9b1d4e7a2c';
let sim: FlySim;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [TOKEN] });
  // Each app: release 1 (v1) then release 2 (v2) on two machines.
  await Promise.all(['shop-ok', 'shop-crash', 'shop-old'].map((app) => sim.seedApp(app, { releases: ['v1', 'v2'] })));
});
afterAll(async () => {
  await sim?.stop();
});

function gate(app: string, inputs: Record<string, string> = {}) {
  return runBundle('health-gate', {
    inputs: {
      url: `${sim.appUrl(app)}/health`,
      'expected-version': 'v2',
      'fly-app': app,
      'fly-release-version': '2',
      'per-machine': 'true',
      interval: '100ms',
      'max-interval': '300ms',
      'request-timeout': '5s',
      timeout: '30s',
      ...inputs,
    },
    env: { ...sim.env, FLY_API_TOKEN: TOKEN },
  });
}

function machines(app: string) {
  return sim.state().apps[app].machines.filter((m) => m.state !== 'destroyed');
}

describe.concurrent('health-gate against fly-sim', () => {
  it('all machines on the release, started and passing: healthy, every machine probed', async () => {
    const r = await gate('shop-ok');
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ healthy: 'true', 'observed-version': 'v2' });
    const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'));
    const ids = machines('shop-ok')
      .map((m) => m.id)
      .sort();
    expect(ids).toHaveLength(2);
    const judged = report.machines.map((m: { id: string; outcome: string }) => [m.id, m.outcome]);
    expect(judged.sort()).toEqual(ids.map((id) => [id, 'pass']));
    const probed = new Set(report.probes.map((p: { machine?: string }) => p.machine));
    expect([...probed].sort()).toEqual(ids);
    expect(r.summary).toContain('### Machines');
    expect(findLeaks(r, [TOKEN])).toEqual([]);
  });

  it('a stopped machine whose events do not say why is reported, not called a crash, while another serves', async () => {
    const [stopped] = machines('shop-crash');
    await sim.patchMachine('shop-crash', stopped.id, { state: 'stopped' });
    const r = await gate('shop-crash');
    expect(r.exitCode).toBe(0);
    expect(r.outputs.healthy).toBe('true');
    const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'));
    expect(report.machines.find((m: { id: string }) => m.id === stopped.id)).toMatchObject({
      outcome: 'down',
      note: 'stopped; its events do not say why',
    });
    expect(r.summary).toContain('stopped; its events do not say why');
    expect(findLeaks(r, [TOKEN])).toEqual([]);
  });

  it('the old release still on one machine: "not yet" until the deadline, never counted as failing', async () => {
    const [old] = machines('shop-old');
    await sim.patchMachine('shop-old', old.id, { releaseVersion: 1, imageRef: 'registry.fly.io/shop-old:v1' });
    const r = await gate('shop-old', { timeout: '2s', 'request-timeout': '3s' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs.healthy).toBe('false');
    expect(r.annotations[0].message).toMatch(/^Health gate timed-out: /);
    const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'));
    expect(report.verdict).toBe('timed-out');
    expect(report.rounds.every((round: { counted: boolean }) => !round.counted)).toBe(true);
    expect(report.machines.find((m: { id: string }) => m.id === old.id)).toMatchObject({
      outcome: 'pending',
      problem: `machine ${old.id} runs release 1, not 2`,
    });
    // Ended by the deadline plus one request timeout (the gate's own clock; the allowance is scheduling slack).
    expect(Number(r.outputs['elapsed-ms'])).toBeLessThanOrEqual(2000 + 3000 + 500);
  });

  it('no Fly token: a clear error naming the input', async () => {
    const r = await runBundle('health-gate', {
      inputs: { url: 'http://127.0.0.1:9/', 'fly-app': 'shop-ok' },
      env: { ...sim.env, FLY_API_TOKEN: undefined, FLY_ACCESS_TOKEN: undefined },
    });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0].message).toContain('No Fly API token: set the `fly-api-token` input');
    expect(r.log).not.toMatch(/\n\s+at /);
  });
});
