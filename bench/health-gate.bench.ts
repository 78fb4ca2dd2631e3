/**
 * health-gate detection latency against the common peer, a fixed 3-second retry loop that passes
 * on the first 2xx (curl --retry-all-errors --retry-delay 3), and against the previous defaults
 * (interval 2 s, max-interval 15 s), all run side by side.
 *
 * 1. Simulated HTTP: the real engine (runHealthGate, its real scheduling and jitter) on a virtual
 *    clock, the app answering 503 until it turns healthy (or starts failing, or the old version
 *    answers until the new one does) at a random moment 20-120 s after the gate starts; 500 samples
 *    each. Figures: time from the change to the verdict, and requests sent per minute.
 * 2. Simulated Fly: the same engine with machine listings built like `flyctl machines list --json`
 *    (release 7 on two machines): a deployed release whose machines pass Fly's checks; one machine
 *    crashing (exit 1) soon after it started; one machine autostopped. The machines' events and checks
 *    follow the clock; each listing costs LIST_MS of it (flyctl and the API), counted in full.
 * 3. Real: the pollers against real loopback HTTP servers that turn healthy (or bad) after 8 s, in
 *    real time, once, to check the simulation against the wall clock; and the gate against fly-sim
 *    (its stand-in flyctl listing machines), a release whose machines exit 1 or are OOM-killed 3 s
 *    after the deploy: from fly-sim's exit event to the gate's verdict.
 *
 *   npm run bench -- health-gate      (or: npx tsx bench/health-gate.bench.ts [--simulated-only])
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Fly } from '@deploy-actions/fly';
import { startFlySim } from '@deploy-actions/fly-sim';
import {
  type GateMachine,
  type GateOptions,
  type HttpRequest,
  type HttpResponse,
  httpRequest,
  runHealthGate,
  urlChecks,
} from '@deploy-actions/health';
import { machineGate } from '@deploy-actions/health/fly';
import { seededRandom } from './random';

/** The action's defaults (health-gate/action.yml). */
const DEFAULTS = {
  timeoutMs: 5 * 60_000,
  requestTimeoutMs: 10_000,
  intervalMs: 1_000,
  maxIntervalMs: 3_000,
  successThreshold: 3,
  failureThreshold: 5,
};
/** The defaults before the waits were kept within a 3-second poll. */
const PREVIOUS = { ...DEFAULTS, intervalMs: 2_000, maxIntervalMs: 15_000 };
const PEER_DELAY_MS = 3_000;
const SAMPLES = 500;
/** Simulated time one probe takes (a fast health endpoint over the internet). */
const PROBE_MS = 60;
/** Simulated time one `flyctl machines list --json` takes. */
const LIST_MS = 500;
/** flyctl's own wait for a machine to become healthy (`--wait-timeout`, internal/command/deploy/machines.go:39). */
const FLYCTL_WAIT_TIMEOUT_MS = 5 * 60_000;

/** healthy: 503 then healthy. bad: 503 then the new version answering 500. rollout: the old version answers 200 until the new one does. */
type HttpScenario = 'healthy' | 'bad' | 'rollout';
type FlyScenario = 'fly-healthy' | 'fly-crash' | 'fly-autostop';

/** What the app answers at time `t` (ms since the gate started) when it changes at `changeAt`. */
function answer(scenario: HttpScenario, t: number, changeAt: number): { status: number; body: string } {
  if (t < changeAt && scenario === 'rollout') return { status: 200, body: '{"status":"ok","version":"v1"}' };
  if (t < changeAt) return { status: 503, body: '{"error":"no instance"}' };
  return scenario !== 'bad'
    ? { status: 200, body: '{"status":"ok","version":"v2"}' }
    : { status: 500, body: '{"error":"db down","version":"v2"}' };
}

function response(request: HttpRequest, a: { status: number; body: string }, latencyMs: number): HttpResponse {
  return {
    url: request.url,
    status: a.status,
    headers: { 'content-type': 'application/json' },
    body: a.body,
    bodyBytes: a.body.length,
    truncated: false,
    redirects: 0,
    latencyMs,
  };
}

interface Sample {
  /** ms from the change to the poller's verdict. */
  latencyMs: number;
  decided: 'pass' | 'fail';
  requests: number;
  durationMs: number;
}

/** A virtual clock the gate's waits and probes advance. */
function virtualGate(
  settings: typeof DEFAULTS,
  random: () => number,
  at: (t: number) => { status: number; body: string },
) {
  const clock = { t: 0, requests: 0 };
  const options: GateOptions = {
    ...settings,
    checks: urlChecks({ urls: ['https://app.example.com/health'], version: true }),
    expectedVersion: 'v2',
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
    },
    random,
    probe: async (request) => {
      clock.requests++;
      const a = at(clock.t);
      clock.t += PROBE_MS;
      return response(request, a, PROBE_MS);
    },
  };
  return { clock, options };
}

async function simulateGate(
  settings: typeof DEFAULTS,
  scenario: HttpScenario,
  changeAt: number,
  random: () => number,
): Promise<Sample> {
  const { clock, options } = virtualGate(settings, random, (t) => answer(scenario, t, changeAt));
  const result = await runHealthGate(options);
  return {
    latencyMs: clock.t - changeAt,
    decided: result.healthy ? 'pass' : 'fail',
    requests: clock.requests,
    durationMs: clock.t,
  };
}

/** The peer: probe, pass on a 2xx, else sleep 3 s; fail at the same 5-minute deadline. */
function simulatePeer(status: (t: number) => number, changeAt: number): Sample {
  let t = 0;
  let requests = 0;
  for (;;) {
    requests++;
    const code = status(t);
    t += PROBE_MS;
    if (code >= 200 && code < 300) return { latencyMs: t - changeAt, decided: 'pass', requests, durationMs: t };
    if (t + PEER_DELAY_MS >= DEFAULTS.timeoutMs) {
      return { latencyMs: DEFAULTS.timeoutMs - changeAt, decided: 'fail', requests, durationMs: DEFAULTS.timeoutMs };
    }
    t += PEER_DELAY_MS;
  }
}

// --- Fly machines on the virtual clock ---

/** A machine of release 7 as the gate reads `machines list --json`: state, checks and events at time `t`. */
function flyMachine(
  id: string,
  t: number,
  life: { startedAt: number; crashAt?: number; stopAt?: number },
): GateMachine {
  const events: NonNullable<GateMachine['events']> = [
    { type: 'update', status: 'replacing', timestamp: life.startedAt - 2_000 },
    { type: 'start', status: 'started', timestamp: life.startedAt },
  ];
  const down = life.crashAt ?? life.stopAt;
  if (down !== undefined && t >= down) {
    // An exit the way fly-go prints it: a crash is exit 1, not requested; an autostop is a requested stop.
    const crash = life.crashAt !== undefined;
    events.push({
      type: 'exit',
      status: 'stopped',
      timestamp: down,
      exit: { code: crash ? 1 : 0, oomKilled: false, requestedStop: !crash, restarting: false, restartCount: 0 },
    });
    return { id, state: 'stopped', releaseVersion: '7', processGroup: 'app', checks: [], events };
  }
  // Fly's check passes once its grace period (5 s) is over.
  const status = t - life.startedAt >= 5_000 ? 'passing' : 'critical';
  return {
    id,
    state: 'started',
    releaseVersion: '7',
    processGroup: 'app',
    checks: [{ name: 'servicecheck-00-http-8080', status }],
    events,
  };
}

interface FlySample extends Sample {
  /** The crash or stop the scenario is about (ms since the gate started), for its latency. */
  changeAt: number;
}

/**
 * One Fly sample. The gate starts when flyctl returned. fly-healthy: both machines started 0-60 s
 * before and serve. fly-crash: machine b started 0-8 s before (an immediate deploy, a restart) and
 * exits 1 before it has been up 10 s; a serves throughout. fly-autostop: b is autostopped 0-10 s in.
 */
function flyLives(scenario: FlyScenario, random: () => number) {
  const a = { startedAt: -random() * 60_000 };
  if (scenario === 'fly-healthy') return { a, b: { startedAt: -random() * 60_000 }, changeAt: 0 };
  if (scenario === 'fly-autostop') {
    const stopAt = random() * 10_000;
    return { a, b: { startedAt: -30_000, stopAt }, changeAt: stopAt };
  }
  const startedAt = -random() * 8_000;
  const crashAt = startedAt + 1_000 + random() * (9_000 - 1_000);
  return { a, b: { startedAt, crashAt: Math.max(crashAt, 100) }, changeAt: Math.max(crashAt, 100) };
}

/**
 * The judgement before machines were read as Fly does, through the same port: no events were read,
 * and a stopped machine of the release ended the gate at once, which the engine still does for a
 * machine that could not start (`failed`).
 */
function asBefore(m: GateMachine): GateMachine {
  const { events: _, ...rest } = m;
  return m.state === 'stopped' ? { ...rest, state: 'failed' } : rest;
}

async function simulateFlyGate(
  settings: typeof DEFAULTS,
  lives: ReturnType<typeof flyLives>,
  random: () => number,
  before = false,
): Promise<FlySample> {
  const { clock, options } = virtualGate(settings, random, () => answer('healthy', 0, 0));
  options.fly = {
    app: 'shop',
    releaseVersion: '7',
    perMachine: false,
    listMachines: async () => {
      const list = [flyMachine('a1', clock.t, lives.a), flyMachine('b2', clock.t, lives.b)];
      clock.t += LIST_MS;
      return before ? list.map(asBefore) : list;
    },
  };
  const result = await runHealthGate(options);
  return {
    latencyMs: clock.t - lives.changeAt,
    changeAt: lives.changeAt,
    decided: result.healthy ? 'pass' : 'fail',
    requests: clock.requests,
    durationMs: clock.t,
  };
}

/**
 * flyctl's own wait, for the crash: the deploy already returned, so nothing watches the machine
 * any more; during a deploy it waits for the machine's health checks up to `--wait-timeout`
 * (internal/command/deploy/machines_deploymachinesapp.go:230-236).
 */
function flyctlNotices(scenario: FlyScenario): string {
  return scenario === 'fly-crash'
    ? `never after it returned (during a deploy: up to --wait-timeout, ${FLYCTL_WAIT_TIMEOUT_MS / 60_000} min)`
    : 'n/a';
}

// --- tables ---

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describe(samples: Sample[], expected: 'pass' | 'fail'): string[] {
  const latency = samples.map((x) => x.latencyMs);
  const perMinute = samples.map((x) => (x.requests / x.durationMs) * 60_000);
  const right = samples.filter((x) => x.decided === expected).length;
  const sign = (ms: number) => (ms < 0 ? `-${s(-ms)}` : s(ms));
  return [
    sign(quantile(latency, 0.5)),
    sign(quantile(latency, 0.9)),
    sign(Math.max(...latency)),
    // A poller that stopped within seconds has no meaningful rate: show what it sent.
    quantile(
      samples.map((x) => x.durationMs),
      0.5,
    ) < 10_000
      ? `(${quantile(
          samples.map((x) => x.requests),
          0.5,
        )} sent)`
      : (perMinute.reduce((a, b) => a + b, 0) / perMinute.length).toFixed(1),
    `${right}/${samples.length} ${expected}`,
    String(samples.filter((x) => x.latencyMs < 0).length),
  ];
}

function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
}

const HEADER = ['scenario', 'poller', 'median', 'p90', 'max', 'req/min', 'right verdicts', 'before the change'];

async function simulatedHttp(): Promise<void> {
  const random = seededRandom(42);
  const rows = [HEADER];
  for (const scenario of ['healthy', 'bad', 'rollout'] as const) {
    const now: Sample[] = [];
    const before: Sample[] = [];
    const peer: Sample[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const changeAt = 20_000 + random() * 100_000;
      now.push(await simulateGate(DEFAULTS, scenario, changeAt, random));
      before.push(await simulateGate(PREVIOUS, scenario, changeAt, random));
      peer.push(simulatePeer((t) => answer(scenario, t, changeAt).status, changeAt));
    }
    const what = { healthy: 'healthy -> pass', bad: 'bad -> fail', rollout: 'old version, then new -> pass' }[scenario];
    const expected = scenario === 'bad' ? 'fail' : 'pass';
    rows.push([what, 'health-gate (defaults 1 s / 3 s)', ...describe(now, expected)]);
    rows.push([what, 'health-gate (previous 2 s / 15 s)', ...describe(before, expected)]);
    rows.push([what, 'fixed 3 s loop', ...describe(peer, expected)]);
  }
  console.log(`Simulated HTTP (virtual clock, ${SAMPLES} samples per scenario, app changes 20-120 s after start,`);
  console.log(
    `${PROBE_MS} ms per probe; latency = from the change to the poller's verdict; "before the change" counts`,
  );
  console.log('verdicts given before the new version served, i.e. a pass on the old version):');
  table(rows);
}

async function simulatedFly(): Promise<void> {
  const random = seededRandom(7);
  const rows = [[...HEADER.slice(0, 7), 'flyctl notices']];
  const scenarios: [FlyScenario, string, 'pass' | 'fail'][] = [
    ['fly-healthy', 'deployed, Fly checks passing -> pass', 'pass'],
    ['fly-crash', 'a machine exits 1 while young -> fail', 'fail'],
    ['fly-autostop', 'a machine autostopped -> pass', 'pass'],
  ];
  for (const [scenario, what, expected] of scenarios) {
    const now: FlySample[] = [];
    const before: FlySample[] = [];
    const peer: Sample[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const lives = flyLives(scenario, random);
      now.push(await simulateFlyGate(DEFAULTS, lives, random));
      before.push(await simulateFlyGate(PREVIOUS, lives, random, true));
      // The peer sees only HTTP, which machine a keeps answering.
      peer.push(simulatePeer(() => 200, lives.changeAt));
    }
    rows.push([
      what,
      'health-gate (defaults 1 s / 3 s)',
      ...describe(now, expected).slice(0, 5),
      flyctlNotices(scenario),
    ]);
    rows.push([
      what,
      'health-gate before (2 s / 15 s, stopped = fatal)',
      ...describe(before, expected).slice(0, 5),
      '',
    ]);
    rows.push([what, 'fixed 3 s loop', ...describe(peer, expected).slice(0, 5), '']);
  }
  console.log(
    `\nSimulated Fly (virtual clock, ${SAMPLES} samples per scenario, release 7 on two machines, the gate starting`,
  );
  console.log(`when flyctl returned, ${LIST_MS} ms per machine listing; latency = from the deploy's end (pass) or the`);
  console.log('exit event (crash, autostop) to the verdict; negative: the verdict came before the event):');
  table(rows);
}

/** A loopback app that answers 503, then healthy (or 500 with the new version) from `changeAt`. */
async function startApp(scenario: HttpScenario, changeAtMs: number) {
  const started = Date.now();
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    const a = answer(scenario, Date.now() - started, changeAtMs);
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(a.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  return {
    url,
    started,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function realPeer(url: string, deadline: number): Promise<'pass' | 'fail'> {
  for (;;) {
    const r = await httpRequest(
      { url, method: 'GET', headers: {} },
      { timeoutMs: 10_000, followRedirects: false, insecure: false },
    );
    if (r.status !== undefined && r.status >= 200 && r.status < 300) return 'pass';
    if (Date.now() + PEER_DELAY_MS >= deadline) return 'fail';
    await new Promise((resolve) => setTimeout(resolve, PEER_DELAY_MS));
  }
}

async function realGate(settings: typeof DEFAULTS, scenario: HttpScenario, changeAt: number) {
  const app = await startApp(scenario, changeAt);
  const r = await runHealthGate({
    ...settings,
    checks: urlChecks({ urls: [app.url], version: true }),
    expectedVersion: 'v2',
  });
  const row = { verdict: r.verdict, at: Date.now() - app.started, requests: app.requests() };
  await app.close();
  return row;
}

async function real(): Promise<void> {
  const CHANGE_AT = 8_000;
  // The peer's bad case is its deadline; a 30 s deadline keeps this run short (the default is 5 min).
  const PEER_DEADLINE = 30_000;
  const rows = [['scenario', 'poller', 'latency', 'requests', 'verdict']];
  const runs = (['healthy', 'bad'] as const).map(async (scenario) => {
    const peerApp = await startApp(scenario, CHANGE_AT);
    const [now, before, peer] = await Promise.all([
      realGate(DEFAULTS, scenario, CHANGE_AT),
      realGate(PREVIOUS, scenario, CHANGE_AT),
      realPeer(peerApp.url, peerApp.started + PEER_DEADLINE).then((verdict) => ({
        verdict,
        at: Date.now() - peerApp.started,
      })),
    ]);
    await peerApp.close();
    const what = scenario === 'healthy' ? 'healthy -> pass' : 'bad -> fail';
    return [
      [what, 'health-gate (defaults 1 s / 3 s)', s(now.at - CHANGE_AT), String(now.requests), now.verdict],
      [what, 'health-gate (previous 2 s / 15 s)', s(before.at - CHANGE_AT), String(before.requests), before.verdict],
      [
        what,
        `fixed 3 s loop (${PEER_DEADLINE / 1000} s deadline)`,
        s(peer.at - CHANGE_AT),
        String(peerApp.requests()),
        peer.verdict,
      ],
    ];
  });
  for (const r of await Promise.all(runs)) rows.push(...r);
  console.log(`\nReal HTTP on loopback, wall clock, one run each (app changes ${CHANGE_AT / 1000} s after start):`);
  table(rows);
}

/** A release that crashes 3 s after fly-sim's deploy: the gate (defaults) from the exit event to its verdict. */
async function realCrash(): Promise<void> {
  const TOKEN = 'fm2_bench-health-gate-5e1a';
  const RUNS = 3;
  const sim = await startFlySim({ tokens: [TOKEN] });
  const fly = new Fly({ token: TOKEN, bin: sim.flyctl, env: { ...process.env, ...sim.env } });
  const rows = [['crash', 'runs', 'crash to verdict (each)', 'verdict']];
  try {
    for (const label of ['v2-exit1-after', 'v2-oom-after']) {
      const times: string[] = [];
      let verdicts = '';
      for (let run = 1; run <= RUNS; run++) {
        const app = `shop-${label.split('-')[1]}-${run}`;
        await sim.seedApp(app, { releases: ['v1'] });
        await sim.run(['deploy', '--app', app, '--image', `registry.fly.io/${app}:${label}`, '--yes'], {
          env: { FLY_API_TOKEN: TOKEN, FLY_SIM_CRASH_AFTER_MS: '3000' },
        });
        const r = await runHealthGate({
          ...DEFAULTS,
          checks: urlChecks({ urls: [`${sim.appUrl(app)}/health`], version: true }),
          expectedVersion: label,
          fly: machineGate(fly, { app, releaseVersion: '2', perMachine: true }),
        });
        const exitedAt = r.report.machines?.find((m) => m.outcome === 'fatal')?.exitedAt;
        const verdictAt = Date.parse(r.report.startedAt) + r.report.elapsedMs;
        times.push(exitedAt === undefined ? 'no crash seen' : s(verdictAt - exitedAt));
        verdicts += `${r.verdict} `;
      }
      rows.push([label.includes('oom') ? 'OOM kill' : 'exit 1', String(RUNS), times.join(', '), verdicts.trim()]);
    }
  } finally {
    await sim.stop();
  }
  console.log("\nReal fly-sim (stand-in flyctl lists the machines each round), the action's defaults:");
  table(rows);
}

await simulatedHttp();
await simulatedFly();
if (!process.argv.includes('--simulated-only')) {
  await real();
  await realCrash();
}
