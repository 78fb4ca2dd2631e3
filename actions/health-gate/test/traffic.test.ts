import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The health-gate bundle with `analysis: traffic` against fly-sim: real requests at the app's
 * loopback server before and after the deploy, counted by the sim's Prometheus endpoint.
 */
const TOKEN = 'fm2_traffic-token-3c9e71d2a8';
let sim: FlySim;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [TOKEN] });
});
afterAll(() => sim?.stop());

/** Sends requests to the app's `/` until stopped, a few at a time, as its users would. */
function driveTraffic(app: string) {
  let running = true;
  let served = 0;
  const loop = async () => {
    while (running) {
      await fetch(`${sim.appUrl(app)}/`)
        .then((r) => r.arrayBuffer())
        .then(() => served++)
        .catch(() => undefined);
    }
  };
  const workers = Array.from({ length: 4 }, loop);
  return {
    served: () => served,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** Waits until `done()`, polling (the machine may be loaded: volume, not time, is what counts). */
async function until(done: () => boolean) {
  while (!done()) await new Promise((r) => setTimeout(r, 100));
}

const deploy = (app: string, label: string) =>
  sim.run(['deploy', '--app', app, '--image', `registry.fly.io/${app}:${label}`, '--yes'], {
    env: { FLY_API_TOKEN: TOKEN },
  });

/** Each case seeds, drives traffic, deploys and gates: tens of seconds on a loaded machine. */
const SLOW = 240_000;

/** Seeds v1 with traffic, deploys `label` as release 2, and gates it with the traffic analysis. */
async function release(app: string, label: string, inputs: Record<string, string> = {}, traffic = true) {
  await sim.seedApp(app, { releases: ['v1'] });
  const driver = traffic ? driveTraffic(app) : undefined;
  try {
    // A baseline with more than the minimum volume before the deploy.
    if (driver) await until(() => driver.served() >= 120);
    await deploy(app, label);
    return await runBundle('health-gate', {
      inputs: {
        url: `${sim.appUrl(app)}/health`,
        'fly-app': app,
        'fly-release-version': '2',
        interval: '100ms',
        'max-interval': '300ms',
        timeout: '30s',
        analysis: 'traffic',
        'traffic-min-requests': '60',
        'traffic-interval': '500ms',
        'traffic-timeout': '90s',
        ...inputs,
      },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    });
  } finally {
    await driver?.stop();
  }
}

describe.concurrent('health-gate: analysis traffic against fly-sim', () => {
  it(
    'passes a release that serves like the one before, with a table and the queries in the summary',
    async () => {
      const r = await release('shop-good', 'v2');
      expect(r.exitCode).toBe(0);
      expect(r.outputs['traffic-verdict'], r.stdout.slice(-2000)).toBe('pass');
      expect(r.summary).toContain('### Traffic analysis');
      expect(r.summary).toContain('sum by (status) (increase(fly_app_http_responses_count{app="shop-good"');
      expect(r.summary).toContain('histogram_quantile(0.95, sum by (le)');
      expect(findLeaks(r, [TOKEN])).toEqual([]);
    },
    SLOW,
  );

  it(
    'fails a release that answers /health but fails a share of real requests',
    async () => {
      const r = await release('shop-errors', 'v2-err30');
      expect(r.exitCode).toBe(1);
      expect(r.outputs.healthy).toBe('true');
      expect(r.outputs['traffic-verdict']).toBe('fail');
      expect(r.annotations.map((a) => a.message).join('\n')).toMatch(
        /Traffic analysis failed: error rate \d+(\.\d+)?% against 0% before/,
      );
      expect(findLeaks(r, [TOKEN])).toEqual([]);
    },
    SLOW,
  );

  it(
    'fails a release that adds latency',
    async () => {
      const r = await release('shop-slow', 'v2-lag120');
      expect(r.exitCode).toBe(1);
      expect(r.outputs['traffic-verdict']).toBe('fail');
      expect(r.annotations.map((a) => a.message).join('\n')).toMatch(
        /Traffic analysis failed: .*p95 \d+ ms against \d+ ms \(x\d/,
      );
    },
    SLOW,
  );

  it(
    'holds an app without traffic as inconclusive: a warning by default, a failure when asked',
    async () => {
      const warn = await release('shop-quiet', 'v2', { 'traffic-timeout': '2s' }, false);
      expect(warn.exitCode).toBe(0);
      expect(warn.outputs['traffic-verdict']).toBe('inconclusive');
      expect(warn.annotations.map((a) => `${a.level}: ${a.message}`)).toContainEqual(
        expect.stringMatching(/^warning: Traffic analysis inconclusive, passed by policy/),
      );
      await deploy('shop-quiet', 'v3');
      const fail = await runBundle('health-gate', {
        inputs: {
          url: `${sim.appUrl('shop-quiet')}/health`,
          'fly-app': 'shop-quiet',
          'fly-release-version': '3',
          analysis: 'traffic',
          'traffic-timeout': '2s',
          'traffic-interval': '500ms',
          'traffic-inconclusive': 'fail',
        },
        env: { ...sim.env, FLY_API_TOKEN: TOKEN },
      });
      expect(fail.exitCode).toBe(1);
      expect(fail.outputs['traffic-verdict']).toBe('inconclusive');
      expect(fail.summary).toContain('failed by policy');
    },
    SLOW,
  );

  it(
    'names what analysis: traffic needs',
    async () => {
      const r = await runBundle('health-gate', {
        inputs: { url: 'http://127.0.0.1:9/health', analysis: 'traffic' },
        env: { ...sim.env, FLY_API_TOKEN: TOKEN },
      });
      expect(r.exitCode).toBe(1);
      expect(r.annotations[0].message).toContain("Input 'analysis: traffic' needs 'fly-app'");
    },
    SLOW,
  );
});
