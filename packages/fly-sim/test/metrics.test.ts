import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlySim, startFlySim } from '../src/index';

/** The Prometheus endpoint against what the app servers really served. */
interface Answer {
  status: string;
  errorType?: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

let sim: FlySim;
const token = 'fm2_metrics-test-token';

beforeAll(async () => {
  sim = await startFlySim({ tokens: [token] });
  await sim.seedApp('shop', { releases: ['v1', 'v2-err50-lag30'] });
});
afterAll(() => sim?.stop());

async function query(query: string, time = Date.now() / 1000, auth = `FlyV1 ${token}`, org = 'personal') {
  const res = await fetch(`${sim.env.FLY_API_BASE_URL}/prometheus/${org}/api/v1/query`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query, time: String(time) }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

describe('Prometheus endpoint', () => {
  it('counts what each machine served, by status, with latency buckets', async () => {
    const machines = sim.state().apps.shop.machines.filter((m) => m.state === 'started');
    const before = Date.now() / 1000;
    for (let i = 0; i < 40; i++) await fetch(`${sim.appUrl('shop')}/`);
    for (let i = 0; i < 4; i++) await fetch(`${sim.appUrl('shop')}/health`);
    const instances = machines.map((m) => m.id).join('|');
    const { status, body } = await query(
      `sum by (status) (increase(fly_app_http_responses_count{app="shop",instance=~"${instances}"}[60s]))`,
    );
    expect(status).toBe(200);
    expect(body.status).toBe('success');
    const byStatus = Object.fromEntries(body.data.result.map((r) => [r.metric.status, Number(r.value[1])]));
    expect((byStatus['200'] ?? 0) + (byStatus['500'] ?? 0)).toBe(44);
    // err50: about half of the 40 real requests fail; /health never does.
    expect(byStatus['500']).toBeGreaterThan(5);
    expect(byStatus['500']).toBeLessThan(35);
    const buckets = await query(`sum by (le) (increase(fly_app_http_response_time_seconds_bucket{app="shop"}[60s]))`);
    const le = Object.fromEntries(buckets.body.data.result.map((r) => [r.metric.le, Number(r.value[1])]));
    expect(le['+Inf']).toBe(44);
    // lag30: the 40 requests to / took 30 ms or more, so they are above the 25 ms bucket.
    expect(le['0.025']).toBeLessThanOrEqual(4);
    // Nothing before the window.
    const earlier = await query(`sum(increase(fly_app_http_responses_count{app="shop"}[60s]))`, before - 1);
    expect(earlier.body.data.result).toEqual([]);
  });

  it('answers per instance, and only for the org in the path', async () => {
    const { body } = await query(`sum by (instance) (increase(fly_app_http_responses_count{app="shop"}[60s]))`);
    const ids = sim.state().apps.shop.machines.map((m) => m.id);
    for (const r of body.data.result) expect(ids).toContain(r.metric.instance);
    expect(
      (await query('sum(increase(fly_app_http_responses_count[60s]))', undefined, undefined, 'other')).body.data.result,
    ).toEqual([]);
  });

  it("answers Prometheus' error envelope for what it cannot run, and 401 without a known token", async () => {
    const bad = await query('rate(foo[5m])');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect((await query('sum(increase(fly_app_http_responses_count[60s]))', undefined, 'Bearer nope')).status).toBe(
      401,
    );
  });
});
