import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'fly-token-9b1d4e7a2c';
let sim: FlySim;
let projects: string;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [TOKEN] });
  // Each app: release 1 (v1) then release 2 (v2) on two machines.
  await Promise.all(['shop-ok', 'shop-crash', 'shop-old'].map((app) => sim.seedApp(app, { releases: ['v1', 'v2'] })));
  projects = mkdtempSync(join(tmpdir(), 'health-gate-fly-'));
});
afterAll(async () => {
  await sim?.stop();
  if (projects) rmSync(projects, { recursive: true, force: true });
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

/** `flyctl deploy --image` through fly-sim, as fly-deploy runs it; returns the new release's number. */
async function deploy(app: string, label: string, options: { env?: Record<string, string>; toml?: string } = {}) {
  let cwd: string | undefined;
  if (options.toml) {
    cwd = mkdtempSync(join(projects, `${app}-`));
    writeFileSync(join(cwd, 'fly.toml'), options.toml);
  }
  const r = await sim.run(['deploy', '--app', app, '--image', `registry.fly.io/${app}:${label}`, '--yes'], {
    env: { FLY_API_TOKEN: TOKEN, ...options.env },
    cwd,
  });
  expect([r.code, r.stderr]).toEqual([0, expect.any(String)]);
  return Math.max(...sim.state().apps[app].releases.map((release) => release.version));
}

async function waitFor(done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error('fly-sim did not get there in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The gate with the action's own waits (interval 1s, max-interval 3s, thresholds 3/5). */
function gateWithDefaults(app: string, release: number, version: string) {
  return runBundle('health-gate', {
    inputs: {
      url: `${sim.appUrl(app)}/health`,
      'expected-version': version,
      'fly-app': app,
      'fly-release-version': String(release),
      'per-machine': 'true',
      timeout: '60s',
    },
    env: { ...sim.env, FLY_API_TOKEN: TOKEN },
  });
}

interface ReportMachine {
  id: string;
  outcome: string;
  note?: string;
  problem?: string;
  exitedAt?: number;
}
const reportOf = (r: { outputs: Record<string, string> }) => JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'));

describe.concurrent('health-gate judges machines as Fly leaves them after a deploy', () => {
  it('an autostop app: machines the proxy stopped after the deploy are idle, and the release passes', async () => {
    await sim.seedApp('shop-autostop', { releases: ['v1'] });
    await sim.configureApp('shop-autostop', { knobs: { autostopAfterMs: 0 } });
    const release = await deploy('shop-autostop', 'v2');
    await waitFor(() => machines('shop-autostop').every((m) => m.state === 'stopped'));
    const r = await gateWithDefaults('shop-autostop', release, 'v2');
    expect(r.exitCode).toBe(0);
    expect(r.outputs.healthy).toBe('true');
    const judged: ReportMachine[] = reportOf(r).machines;
    // The gate's probe woke one machine (the proxy's autostart); the other stays stopped on request.
    expect(judged.map((m) => m.outcome).sort()).toEqual(['idle', 'pass']);
    expect(judged.find((m) => m.outcome === 'idle')?.note).toBe('stopped on request (autostop or a person)');
    expect(findLeaks(r, [TOKEN])).toEqual([]);
  });

  it('an app with a standby (a process group without services): the standby is idle, and the release passes', async () => {
    await sim.seedApp('shop-standby');
    const release = await deploy('shop-standby', 'v1', {
      toml: [
        'app = "shop-standby"',
        'primary_region = "iad"',
        '[processes]',
        '  app = "bin/web"',
        '  worker = "bin/worker"',
        '[http_service]',
        '  internal_port = 8080',
        '  processes = ["app"]',
        '  auto_stop_machines = "off"',
        '',
      ].join('\n'),
    });
    const standby = machines('shop-standby').find((m) => (m.standbys ?? []).length > 0);
    expect(standby).toBeDefined();
    const r = await gateWithDefaults('shop-standby', release, 'v1');
    expect(r.exitCode).toBe(0);
    const judged: ReportMachine[] = reportOf(r).machines;
    expect(judged.find((m) => m.id === standby?.id)).toMatchObject({
      outcome: 'idle',
      note: `standby for ${standby?.standbys?.join(', ')}`,
    });
    expect(judged.filter((m) => m.outcome === 'pass')).toHaveLength(3);
  });

  for (const [label, problem] of [
    ['v2-exit1-after', /crashed: exit code 1 at /],
    ['v2-oom-after', /was OOM-killed \(exit code 137\) at /],
  ] as const) {
    it(`a machine that ${label.includes('oom') ? 'is OOM-killed' : 'exits 1'} after the deploy fails the gate within 15 s of its exit`, async () => {
      const app = `shop-${label.split('-')[1]}`;
      await sim.seedApp(app, { releases: ['v1'] });
      const release = await deploy(app, label, { env: { FLY_SIM_CRASH_AFTER_MS: '3000' } });
      const r = await gateWithDefaults(app, release, label);
      expect(r.exitCode).toBe(1);
      expect(r.outputs.healthy).toBe('false');
      expect(r.annotations[0].message).toMatch(problem);
      const report = reportOf(r);
      const fatal = (report.machines as ReportMachine[]).find((m) => m.outcome === 'fatal');
      // The exit's time is fly-sim's own exit event, and the verdict's the gate's end.
      const exits = machines(app).flatMap((m) => (m.events ?? []).filter((e) => e.type === 'exit'));
      expect(exits.map((e) => e.timestamp)).toContain(fatal?.exitedAt);
      const verdictAt = Date.parse(report.startedAt) + report.elapsedMs;
      const crashToVerdict = verdictAt - fatal!.exitedAt!;
      expect(crashToVerdict).toBeGreaterThanOrEqual(0);
      expect(crashToVerdict).toBeLessThanOrEqual(15_000);
    });
  }
});

/** A worker's fly.toml: a process, no `[http_service]` or `[[services]]`, so nothing answers at its URL. */
const workerToml = (app: string) => `app = "${app}"\nprimary_region = "iad"\n[processes]\n  worker = "bin/worker"\n`;

describe.concurrent('check: machines (a worker with no public port)', () => {
  it('only fly-app: every machine of the release started is healthy, with no HTTP probe', async () => {
    await sim.seedApp('jobs-ok');
    const release = await deploy('jobs-ok', 'v1', { toml: workerToml('jobs-ok') });
    const r = await runBundle('health-gate', {
      inputs: { 'fly-app': 'jobs-ok', 'fly-release-version': String(release), timeout: '30s' },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.healthy).toBe('true');
    const report = reportOf(r);
    expect(report.probes).toEqual([]);
    // A worker group's first deploy makes a machine and its standby (stopped by design: idle).
    expect((report.machines as ReportMachine[]).map((m) => m.outcome).sort()).toEqual(['idle', 'pass']);
    expect(findLeaks(r, [TOKEN])).toEqual([]);
  });

  it('a worker of the release that exits 1 fails the gate', async () => {
    await sim.seedApp('jobs-crash', { releases: ['v1'] });
    const release = await deploy('jobs-crash', 'v2-exit1-after', {
      toml: workerToml('jobs-crash'),
      env: { FLY_SIM_CRASH_AFTER_MS: '2000' },
    });
    const r = await runBundle('health-gate', {
      inputs: { check: 'machines', 'fly-app': 'jobs-crash', 'fly-release-version': String(release), timeout: '40s' },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    });
    expect(r.exitCode).toBe(1);
    expect(r.outputs.healthy).toBe('false');
    expect(r.annotations[0].message).toMatch(/crashed: exit code 1 at /);
  });

  for (const [inputs, message] of [
    [
      { check: 'machines', url: 'http://127.0.0.1:9/health', 'fly-app': 'jobs-ok' },
      /^Invalid input 'check': machines probes no URL/,
    ],
    [{ check: 'machines' }, /^Input 'fly-app' is required with check: machines/],
    [{ check: 'both', 'fly-app': 'jobs-ok' }, /^Input 'url' is required with check: both/],
    [
      { check: 'http', url: 'http://127.0.0.1:9/health', 'fly-app': 'jobs-ok' },
      /^Invalid input 'check': http checks no machine/,
    ],
    [{}, /^Input required: give 'url' or 'checks-file' \(HTTP checks\), 'fly-app' \(machines\), or both/],
    [{ check: 'disk' }, /^Invalid input 'check'/],
  ] as const) {
    it(`refuses ${JSON.stringify(inputs)} with a clear error`, async () => {
      const r = await runBundle('health-gate', { inputs, env: { ...sim.env, FLY_API_TOKEN: TOKEN } });
      expect(r.exitCode).toBe(1);
      expect(r.annotations[0].message).toMatch(message);
      expect(r.log).not.toMatch(/\n\s+at /);
    });
  }
});
