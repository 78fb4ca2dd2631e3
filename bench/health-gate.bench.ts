/**
 * health-gate detection latency, with the action's default settings, against the common peer:
 * a fixed 3-second retry loop that passes on the first 2xx (curl --retry-all-errors --retry-delay 3).
 *
 * 1. Simulated: the real engine (runHealthGate, its real scheduling and jitter) on a virtual clock,
 *    the app answering 503 until it turns healthy (or starts failing) at a random moment 20-120 s
 *    after the gate starts; 500 samples each. Figures: time from the app turning healthy to the
 *    gate passing, from the release turning bad to the gate failing, and requests sent per minute.
 * 2. Real: both pollers against a real loopback HTTP server that turns healthy (or bad) after 8 s,
 *    in real time, once, to check the simulation against the wall clock.
 *
 *   npm run bench -- health-gate      (or: npx tsx bench/health-gate.bench.ts)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type GateOptions,
  type HttpRequest,
  type HttpResponse,
  httpRequest,
  runHealthGate,
  urlChecks,
} from '@deploy-actions/health';

/** The action's defaults (health-gate/action.yml). */
const DEFAULTS = {
  timeoutMs: 5 * 60_000,
  requestTimeoutMs: 10_000,
  intervalMs: 2_000,
  maxIntervalMs: 15_000,
  successThreshold: 3,
  failureThreshold: 5,
};
const PEER_DELAY_MS = 3_000;
const SAMPLES = 500;
/** Simulated time one probe takes (a fast health endpoint over the internet). */
const PROBE_MS = 60;

/** healthy: 503 then healthy. bad: 503 then the new version answering 500. rollout: the old version answers 200 until the new one does. */
type Scenario = 'healthy' | 'bad' | 'rollout';

/** A small seeded PRNG so the figures are reproducible. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the app answers at time `t` (ms since the gate started) when it changes at `changeAt`. */
function answer(scenario: Scenario, t: number, changeAt: number): { status: number; body: string } {
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
  /** ms from the app changing to the poller deciding (pass for healthy, fail for bad). */
  latencyMs: number;
  decided: 'pass' | 'fail';
  requests: number;
  durationMs: number;
}

async function simulateGate(scenario: Scenario, changeAt: number, random: () => number): Promise<Sample> {
  let t = 0;
  let requests = 0;
  const options: GateOptions = {
    ...DEFAULTS,
    checks: urlChecks({ urls: ['https://app.example.com/health'], version: true }),
    expectedVersion: 'v2',
    now: () => t,
    sleep: async (ms) => {
      t += ms;
    },
    random,
    probe: async (request) => {
      requests++;
      const a = answer(scenario, t, changeAt);
      t += PROBE_MS;
      return response(request, a, PROBE_MS);
    },
  };
  const result = await runHealthGate(options);
  return { latencyMs: t - changeAt, decided: result.healthy ? 'pass' : 'fail', requests, durationMs: t };
}

/** The peer: probe, pass on a 2xx, else sleep 3 s; fail at the same 5-minute deadline. */
function simulatePeer(scenario: Scenario, changeAt: number): Sample {
  let t = 0;
  let requests = 0;
  for (;;) {
    requests++;
    const a = answer(scenario, t, changeAt);
    t += PROBE_MS;
    if (a.status >= 200 && a.status < 300) return { latencyMs: t - changeAt, decided: 'pass', requests, durationMs: t };
    if (t + PEER_DELAY_MS >= DEFAULTS.timeoutMs) {
      return { latencyMs: DEFAULTS.timeoutMs - changeAt, decided: 'fail', requests, durationMs: DEFAULTS.timeoutMs };
    }
    t += PEER_DELAY_MS;
  }
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describe(samples: Sample[]): string[] {
  const latency = samples.map((x) => x.latencyMs);
  const perMinute = samples.map((x) => (x.requests / x.durationMs) * 60_000);
  const decided = samples.filter((x) => x.decided === samples[0].decided).length;
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
    `${decided}/${samples.length} ${samples[0].decided}`,
    String(samples.filter((x) => x.latencyMs < 0).length),
  ];
}

function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join('  '));
}

async function simulated(): Promise<void> {
  const random = prng(42);
  const rows = [['scenario', 'poller', 'median', 'p90', 'max', 'req/min', 'verdicts', 'before the change']];
  for (const scenario of ['healthy', 'bad', 'rollout'] as const) {
    const gate: Sample[] = [];
    const peer: Sample[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const changeAt = 20_000 + random() * 100_000;
      gate.push(await simulateGate(scenario, changeAt, random));
      peer.push(simulatePeer(scenario, changeAt));
    }
    const what = { healthy: 'healthy -> pass', bad: 'bad -> fail', rollout: 'old version, then new -> pass' }[scenario];
    rows.push([what, 'health-gate (defaults)', ...describe(gate)]);
    rows.push([what, 'fixed 3 s loop', ...describe(peer)]);
  }
  console.log(`Simulated (virtual clock, ${SAMPLES} samples per scenario, app changes 20-120 s after start,`);
  console.log(
    `${PROBE_MS} ms per probe; latency = from the change to the poller's verdict; "before the change" counts`,
  );
  console.log('verdicts given before the new version served, i.e. a pass on the old version):');
  table(rows);
}

/** A loopback app that answers 503, then healthy (or 500 with the new version) from `changeAt`. */
async function startApp(scenario: Scenario, changeAtMs: number) {
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

async function real(): Promise<void> {
  const CHANGE_AT = 8_000;
  // The peer's bad case is its deadline; a 30 s deadline keeps this run short (the default is 5 min).
  const PEER_DEADLINE = 30_000;
  const rows = [['scenario', 'poller', 'latency', 'requests', 'verdict']];
  const runs = (['healthy', 'bad'] as const).map(async (scenario) => {
    const gateApp = await startApp(scenario, CHANGE_AT);
    const peerApp = await startApp(scenario, CHANGE_AT);
    const [gate, peer] = await Promise.all([
      runHealthGate({
        ...DEFAULTS,
        checks: urlChecks({ urls: [gateApp.url], version: true }),
        expectedVersion: 'v2',
      }).then((r) => ({ verdict: r.verdict, at: Date.now() - gateApp.started })),
      realPeer(peerApp.url, peerApp.started + PEER_DEADLINE).then((verdict) => ({
        verdict,
        at: Date.now() - peerApp.started,
      })),
    ]);
    await gateApp.close();
    await peerApp.close();
    const what = scenario === 'healthy' ? 'healthy -> pass' : 'bad -> fail';
    return [
      [what, 'health-gate (defaults)', s(gate.at - CHANGE_AT), String(gateApp.requests()), gate.verdict],
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

await simulated();
if (!process.argv.includes('--simulated-only')) await real();
