import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fly, getStatus } from '@deploy-actions/fly';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machineGate, toGateMachine } from '../src/fly';
import { type GateMachine, judgeMachines, runHealthGate, urlChecks } from '../src/index';
import { fleetProblem } from '../src/machines';

/**
 * Machines as `flyctl machines list --json` / `status --json` print them: fly-go's Machine struct and
 * json tags (superfly/fly-go@v0.9.5 machine_types.go:46-67, events 293-336), encoded by flyctl's
 * render.JSON (superfly/flyctl@v0.4.87 internal/render/render.go:16). See fixtures/flyctl/README.md.
 * A stand-in executable prints them, so they go through the real client and its parser.
 */
const FIXTURES = join(import.meta.dirname, 'fixtures', 'flyctl');
let dir: string;
let bin: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'health-machines-'));
  bin = join(dir, 'flyctl');
  writeFileSync(bin, '#!/bin/sh\nexec cat "$FIXTURE"\n');
  chmodSync(bin, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const flyPrinting = (name: string) =>
  new Fly({ token: 'fm2_fixture-token-6c1d', bin, env: { ...process.env, FIXTURE: join(FIXTURES, name) } });

function listed(name: string): Promise<GateMachine[]> {
  const gate = machineGate(flyPrinting(name), { app: 'shop', releaseVersion: '7', perMachine: false });
  return gate.listMachines(10_000, new AbortController().signal);
}

const judge = async (name: string) =>
  judgeMachines(await listed(name), '7').map((v) => [v.id, v.outcome, v.problem ?? v.note]);

describe('judgeMachines on machines as flyctl lists them', () => {
  it('an autostop app: a machine autostopped after the deploy and one kept stopped by it are idle, not failures', async () => {
    expect(await judge('machines-autostop.json')).toEqual([
      ['148e272a5d9689', 'pass', undefined],
      ['3d8d9e1c2a7e58', 'idle', 'stopped on request (autostop or a person)'],
      ['e2865012a96378', 'idle', 'not running before the deploy; flyctl updated it without starting it'],
      // The fly_app_test_machine_command machine (a failed machine check) serves nothing: left out.
    ]);
    expect(fleetProblem(judgeMachines(await listed('machines-autostop.json'), '7'), '7')).toBeUndefined();
  });

  it('a standby (config.standbys) that was never started is idle', async () => {
    expect(await judge('machines-standby.json')).toEqual([
      ['148e272a5d9689', 'pass', undefined],
      ['5683d920b1d87e', 'pass', undefined],
      ['6e8249d5c01768', 'idle', 'standby for 5683d920b1d87e'],
    ]);
  });

  it('a machine that exited 1 after the deploy and stayed stopped is fatal, dated by its exit event', async () => {
    const verdicts = judgeMachines(await listed('machines-crash.json'), '7');
    expect(verdicts[1]).toMatchObject({
      id: '3d8d9e1c2a7e58',
      outcome: 'fatal',
      problem: 'machine 3d8d9e1c2a7e58 of release 7 crashed: exit code 1 at 2026-08-20T12:00:45.010Z; it is stopped',
      exitedAt: Date.parse('2026-08-20T12:00:45.010Z'),
    });
  });

  it('an OOM kill is fatal even though flyd restarted the machine', async () => {
    expect((await judge('machines-oom.json'))[1]).toEqual([
      '3d8d9e1c2a7e58',
      'fatal',
      'machine 3d8d9e1c2a7e58 of release 7 was OOM-killed (exit code 137) at 2026-08-20T12:00:42.010Z',
    ]);
  });

  it("a restart loop is fatal by flyctl's own rule (restart_count > 1)", async () => {
    expect((await judge('machines-restart-loop.json'))[1]).toEqual([
      '3d8d9e1c2a7e58',
      'fatal',
      'machine 3d8d9e1c2a7e58 of release 7 is crash-looping: exit code 1 at 2026-08-20T12:00:39.010Z, restarted 3 times',
    ]);
  });

  it('one crash that flyd restarted is noted, and the machine is judged on its checks', async () => {
    const [, once] = judgeMachines(await listed('machines-restarted-once.json'), '7');
    expect(once).toMatchObject({
      outcome: 'pass',
      note: 'restarted after exit code 1 at 2026-08-20T12:00:33.010Z',
      checksPassing: true,
    });
  });

  it('the legacy process_group key: an old release_command machine is left out, an old app machine judged', async () => {
    const machines = await listed('machines-legacy-process-group.json');
    expect(machines.map((m) => m.processGroup)).toEqual(['app', 'fly_app_release_command']);
    expect(judgeMachines(machines, '7').map((v) => [v.id, v.outcome])).toEqual([['148e272a5d9689', 'pass']]);
  });

  it('status --json carries the same machines', async () => {
    const status = await getStatus(flyPrinting('status-autostop.json'), 'shop');
    const machines = status.Machines.map(toGateMachine);
    expect(judgeMachines(machines, '7').map((v) => [v.id, v.outcome])).toEqual([
      ['148e272a5d9689', 'pass'],
      ['3d8d9e1c2a7e58', 'idle'],
    ]);
  });

  it('exit events read as fly-go prints them: a zero exit_code and false flags are left out', async () => {
    const [, stopped] = await listed('machines-autostop.json');
    expect(stopped.events?.[0]).toEqual({
      type: 'exit',
      status: 'stopped',
      timestamp: Date.parse('2026-08-20T12:02:10.000Z'),
      exit: { code: 0, oomKilled: false, requestedStop: true, restarting: false, restartCount: 0 },
    });
  });
});

const bare = (id: string, state: string, release: string, checks = 'passing', group = 'app'): GateMachine => ({
  id,
  state,
  releaseVersion: release,
  processGroup: group,
  region: 'ams',
  checks: [{ name: 'servicecheck-00-http-8080', status: checks }],
});

describe('judgeMachines from states alone', () => {
  it('every serving machine on the release, started, checks passing', () => {
    const verdicts = judgeMachines(
      [
        bare('a1', 'started', '7'),
        bare('b2', 'started', '7'),
        bare('rc', 'stopped', '7', 'critical', 'fly_app_release_command'),
        bare('tm', 'stopped', '7', 'critical', 'fly_app_test_machine_command'),
      ],
      '7',
    );
    expect(verdicts.map((v) => [v.id, v.outcome])).toEqual([
      ['a1', 'pass'],
      ['b2', 'pass'],
    ]);
  });

  it('an old release, a warming check or a starting machine is "not yet"; a critical check fails; failed is fatal', () => {
    const verdicts = judgeMachines(
      [
        bare('b2', 'started', '6'),
        bare('c3', 'started', '7', 'warning'),
        bare('d4', 'started', '7', 'critical'),
        bare('e5', 'starting', '7', 'critical'),
        bare('f6', 'destroyed', '7'),
        bare('g7', 'failed', '7', 'critical'),
      ],
      '7',
    );
    expect(verdicts.map((v) => [v.id, v.outcome, v.problem])).toEqual([
      ['b2', 'pending', 'machine b2 runs release 6, not 7'],
      ['c3', 'pending', 'machine c3 checks not passing: servicecheck-00-http-8080 warning'],
      ['d4', 'fail', 'machine d4 checks not passing: servicecheck-00-http-8080 critical'],
      ['e5', 'pending', 'machine e5 is starting'],
      ['g7', 'fatal', 'machine g7 of release 7 is failed: it could not start'],
    ]);
  });

  it('a stopped machine with no events is not failed; it is tolerated next to a passing one, not alone', () => {
    const mixed = judgeMachines([bare('a1', 'stopped', '7', 'critical'), bare('b2', 'started', '7')], '7');
    expect(mixed.map((v) => [v.id, v.outcome, v.note])).toEqual([
      ['a1', 'down', 'stopped; its events do not say why'],
      ['b2', 'pass', undefined],
    ]);
    expect(fleetProblem(mixed, '7')).toBeUndefined();
    const alone = judgeMachines([bare('a1', 'stopped', '7', 'critical')], '7');
    expect(fleetProblem(alone, '7')).toBe(
      'no machine of release 7 is started and passing (a1: not running, and the events do not say why)',
    );
  });

  it('a critical check on a machine up less than 10 s is still settling; after that it fails', () => {
    const now = Date.parse('2026-08-20T12:05:00Z');
    const up = (id: string, ms: number): GateMachine => ({
      ...bare(id, 'started', '7', 'critical'),
      events: [{ type: 'start', status: 'started', timestamp: now - ms }],
    });
    expect(judgeMachines([up('a1', 3_000), up('b2', 30_000)], '7', now).map((v) => [v.id, v.outcome])).toEqual([
      ['a1', 'pending'],
      ['b2', 'fail'],
    ]);
  });

  it('without a release, stopped machines (standby, auto-stopped) are left alone', () => {
    expect(judgeMachines([bare('a1', 'stopped', '3'), bare('b2', 'started', '4')]).map((v) => v.id)).toEqual(['b2']);
  });
});

describe('runHealthGate over flyctl-listed machines', () => {
  const base = {
    timeoutMs: 2000,
    requestTimeoutMs: 300,
    intervalMs: 10,
    maxIntervalMs: 20,
    successThreshold: 2,
    failureThreshold: 3,
    checks: urlChecks({ urls: ['http://app.test/health'], version: true }),
    expectedVersion: 'v2',
    probe: async (request: { url: string }) => ({
      url: request.url,
      status: 200,
      headers: {},
      body: '{"version":"v2"}',
      bodyBytes: 16,
      truncated: false,
      redirects: 0,
      latencyMs: 1,
    }),
  };
  const fly = (file: string, perMachine = false) => ({
    app: 'shop',
    releaseVersion: '7',
    perMachine,
    listMachines: async () => listed(file),
  });

  it('an autostop app passes; per-machine probes go to the started machine only', async () => {
    const r = await runHealthGate({ ...base, fly: fly('machines-autostop.json', true) });
    expect(r.verdict).toBe('healthy');
    expect(new Set(r.report.probes.map((p) => p.machine))).toEqual(new Set(['148e272a5d9689']));
    expect(r.report.machines?.map((m) => m.outcome)).toEqual(['pass', 'idle', 'idle']);
  });

  it('every machine idle by design: passes, and the reason says no machine runs', async () => {
    const r = await runHealthGate({ ...base, fly: fly('machines-all-idle.json', true) });
    expect(r.verdict).toBe('healthy');
    expect(r.reason).toBe(
      '2 passing rounds in a row; no machine of release 7 runs, by design: 3d8d9e1c2a7e58 stopped on request (autostop or a person); e2865012a96378 not running before the deploy; flyctl updated it without starting it',
    );
    // No started machine to pick: the app's URL is probed (the proxy starts one on demand).
    expect(r.report.probes.every((p) => p.machine === undefined)).toBe(true);
  });

  it('a crash after the deploy fails the first round that lists it', async () => {
    const r = await runHealthGate({ ...base, fly: fly('machines-crash.json') });
    expect(r.verdict).toBe('failed');
    expect(r.report.attempts).toBe(1);
    expect(r.reason).toBe(
      'machine 3d8d9e1c2a7e58 of release 7 crashed: exit code 1 at 2026-08-20T12:00:45.010Z; it is stopped',
    );
  });

  it('stopped machines without events and nothing started: not passing, waited out', async () => {
    const r = await runHealthGate({
      ...base,
      timeoutMs: 200,
      fly: { ...fly(''), listMachines: async () => [bare('a1', 'stopped', '7', 'critical')] },
    });
    expect(r.verdict).toBe('timed-out');
    expect(r.reason).toContain('no machine of release 7 is started and passing');
  });
});

describe("Fly's checks as confirmation", () => {
  const NOW = Date.parse('2026-08-20T12:05:00Z');
  const startedAgo = (id: string, ms: number, checks = 'passing'): GateMachine => ({
    ...bare(id, 'started', '7', checks),
    events: [
      { type: 'start', status: 'started', timestamp: NOW - ms },
      { type: 'update', status: 'replacing', timestamp: NOW - ms - 2000 },
    ],
  });
  function gateOver(list: GateMachine[], timeoutMs = 60_000) {
    let t = NOW;
    return runHealthGate({
      timeoutMs,
      requestTimeoutMs: 300,
      intervalMs: 1000,
      maxIntervalMs: 3000,
      successThreshold: 3,
      failureThreshold: 5,
      checks: urlChecks({ urls: ['http://app.test/health'], version: true }),
      expectedVersion: 'v2',
      fly: { app: 'shop', releaseVersion: '7', perMachine: false, listMachines: async () => list },
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
      probe: async (request) => ({
        url: request.url,
        status: 200,
        headers: {},
        body: '{"version":"v2"}',
        bodyBytes: 16,
        truncated: false,
        redirects: 0,
        latencyMs: 1,
      }),
    });
  }

  it('every started machine of the release up 10 s or more with passing checks: one passing round is enough', async () => {
    const r = await gateOver([
      startedAgo('a1', 30_000),
      startedAgo('b2', 12_000),
      { ...bare('c3', 'stopped', '7'), standbyFor: ['a1'] },
    ]);
    expect(r.verdict).toBe('healthy');
    expect(r.report.attempts).toBe(1);
    expect(r.reason).toBe(
      "1 passing round in a row, confirmed by Fly: Fly's checks pass on all 2 started machines of release 7, up 10s or more",
    );
  });

  it('a machine without checks or without events: the rounds confirm instead', async () => {
    for (const list of [
      [startedAgo('a1', 30_000), { ...startedAgo('b2', 30_000), checks: [] }],
      [startedAgo('a1', 30_000), bare('b2', 'started', '7')],
    ]) {
      const r = await gateOver(list);
      expect(r.verdict).toBe('healthy');
      expect(r.report.attempts).toBe(3);
      expect(r.reason).toBe('3 passing rounds in a row');
    }
  });

  it('a machine of the release up less than 10 s: no healthy verdict before it has been up 10 s', async () => {
    const r = await gateOver([startedAgo('a1', 30_000), startedAgo('b2', 4_000)]);
    expect(r.verdict).toBe('healthy');
    expect(r.report.rounds.every((round) => round.outcome === 'pass')).toBe(true);
    // Passed on the first round at which b2 had been up 10 s: the gate's clock says 6 s or more went by.
    expect(r.report.rounds.at(-1)!.atMs).toBeGreaterThanOrEqual(6_000);
    expect(r.report.rounds.at(-2)!.atMs).toBeLessThan(6_000);
    expect(r.reason).toMatch(/^\d+ passing rounds in a row$/);

    const early = await gateOver([startedAgo('a1', 30_000), startedAgo('b2', 4_000)], 3_000);
    expect(early.verdict).toBe('timed-out');
    expect(early.reason).toMatch(
      /passing rounds in a row when the deadline came; waiting for machines to be up 10s, as flyctl does: b2 up [67]s$/,
    );
  });
});
