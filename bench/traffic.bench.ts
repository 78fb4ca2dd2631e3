/**
 * The traffic analysis against the health gate alone, on simulated traffic.
 *
 * The real engine (runTrafficGate: its looks, windows, queries, statistics and histogram quantiles)
 * on a virtual clock, reading fly-sim's Prometheus evaluator (the code behind fly-sim's
 * `/api/v1/query`) over requests generated up front: Poisson arrivals at RATE requests per second
 * whose rate wobbles ±50% every 10 s, a per-run base error rate drawn from 0.5-3% (the same for both
 * releases: noisy, not worse), log-normal latency (median 40 ms, sigma 0.6). Five minutes of
 * traffic before the deploy; then the new release serves on:
 *
 * - previous-window: every machine (two) switches to the new release (immediate, rolling); the
 *   baseline is the app before the deploy;
 * - old-machines: two new machines join two old ones (canary, bluegreen); the baseline is the old
 *   machines over the same window.
 *
 * Releases: bad (8% of requests fail), slow (latency doubled), good (as before). The analysis
 * starts HEALTH_GATE_MS after the release began serving (what the health gate takes to pass it),
 * with the action's defaults. Figures: time from the new release serving to the verdict (median,
 * p90) per release and rate, and the false-failure rate on good releases. The health gate alone
 * probes /health, which every one of these releases answers, so it passes them all.
 *
 *   npm run bench -- traffic
 */
import { evaluate, type Served, TrafficLog } from '../packages/fly-sim/src/metrics';
import {
  DEFAULT_THRESHOLDS,
  type PromClient,
  runTrafficGate,
  type TrafficMachine,
} from '../packages/traffic/src/index';
import { seededRandom } from './random';

const APP = 'shop';
const HEALTH_GATE_MS = 5_000;
const BEFORE_MS = 5 * 60_000;
const AFTER_MS = 6 * 60_000;
const DEFAULTS = { timeoutMs: 5 * 60_000, intervalMs: 15_000 };

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

type Kind = 'bad' | 'slow' | 'good';
type Mode = 'previous-window' | 'old-machines';

interface Run {
  verdictMs: number;
  verdict: string;
}

async function simulate(kind: Kind, mode: Mode, rate: number, seed: number): Promise<Run> {
  const random = seededRandom(seed);
  const baseError = 0.005 + random() * 0.025;
  const t0 = BEFORE_MS;
  const log = new TrafficLog();
  const oldIds = ['old1', 'old2'];
  const newIds = mode === 'old-machines' ? ['new1', 'new2'] : oldIds;
  let wobble = 1;
  let period = -1;
  for (let t = 0; t < BEFORE_MS + AFTER_MS; ) {
    if (Math.floor(t / 10_000) !== period) {
      period = Math.floor(t / 10_000);
      wobble = 0.5 + random();
    }
    t += (-Math.log(1 - random()) / (rate * wobble)) * 1000;
    const after = t >= t0;
    const pool = after ? (mode === 'old-machines' ? [...oldIds, ...newIds] : newIds) : oldIds;
    const instance = pool[Math.floor(random() * pool.length)];
    const fresh = after && (mode === 'old-machines' ? instance.startsWith('new') : true);
    const errorP = fresh && kind === 'bad' ? 0.08 : baseError;
    let seconds = 0.04 * Math.exp(0.6 * gaussian(random));
    if (fresh && kind === 'slow') seconds *= 2;
    const served: Served = { at: t, app: APP, instance, region: 'iad', status: random() < errorP ? 500 : 200, seconds };
    log.record(served);
  }
  const machines: TrafficMachine[] =
    mode === 'old-machines'
      ? [
          ...oldIds.map((id) => ({ id, state: 'started', releaseVersion: '1', servingSince: 0 })),
          ...newIds.map((id) => ({ id, state: 'started', releaseVersion: '2', servingSince: t0 })),
        ]
      : newIds.map((id) => ({ id, state: 'started', releaseVersion: '2', servingSince: t0 }));
  let clock = t0 + HEALTH_GATE_MS;
  const prom: PromClient = {
    async query(query, timeMs) {
      const samples = evaluate(query, timeMs, log, [APP]).map((r) => ({ labels: r.metric, value: r.value }));
      return { samples, warnings: [], partial: false };
    },
  };
  const result = await runTrafficGate({
    prom,
    app: APP,
    release: '2',
    listMachines: async () => machines,
    thresholds: DEFAULT_THRESHOLDS,
    timeoutMs: DEFAULTS.timeoutMs,
    intervalMs: DEFAULTS.intervalMs,
    inconclusive: 'warn',
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
    },
  });
  return { verdictMs: clock - t0, verdict: result.verdict };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const s = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

const RATES = [5, 20];
const CAUGHT_RUNS = 100;
const GOOD_RUNS = 600;

console.log(
  `traffic analysis (defaults: min ${DEFAULT_THRESHOLDS.minRequests} requests a side, p < ${DEFAULT_THRESHOLDS.significance}, looks every ${s(DEFAULTS.intervalMs)}), analysis starting ${s(HEALTH_GATE_MS)} after the release serves`,
);
console.log('release | baseline        | req/s | caught      | to verdict median | p90    | health gate alone');
let seed = 1;
for (const mode of ['previous-window', 'old-machines'] as const) {
  for (const rate of RATES) {
    for (const kind of ['bad', 'slow'] as const) {
      const runs: Run[] = [];
      for (let i = 0; i < CAUGHT_RUNS; i++) runs.push(await simulate(kind, mode, rate, seed++));
      const caught = runs.filter((r) => r.verdict === 'fail');
      const times = caught.map((r) => r.verdictMs);
      console.log(
        `${kind.padEnd(7)} | ${mode.padEnd(15)} | ${String(rate).padStart(5)} | ${`${caught.length}/${runs.length}`.padEnd(11)} | ${(times.length ? s(quantile(times, 0.5)) : '–').padStart(17)} | ${(times.length ? s(quantile(times, 0.9)) : '–').padStart(6)} | never (passes it)`,
      );
    }
    const good: Run[] = [];
    for (let i = 0; i < GOOD_RUNS; i++) good.push(await simulate('good', mode, rate, seed++));
    const failed = good.filter((r) => r.verdict === 'fail').length;
    const inconclusive = good.filter((r) => r.verdict === 'inconclusive').length;
    const passTimes = good.filter((r) => r.verdict === 'pass').map((r) => r.verdictMs);
    console.log(
      `good    | ${mode.padEnd(15)} | ${String(rate).padStart(5)} | false failures ${failed}/${good.length} (${((failed / good.length) * 100).toFixed(2)}%), inconclusive ${inconclusive}, passed in median ${s(quantile(passTimes, 0.5))}, p90 ${s(quantile(passTimes, 0.9))}`,
    );
  }
}
