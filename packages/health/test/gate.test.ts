import { lateServer, type MisbehavingServer, startMisbehavingServer } from '@deploy-actions/testkit/misbehaving-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GateOptions, type GateResult, type HttpResponse, runHealthGate, urlChecks } from '../src/index';

let server: MisbehavingServer;
beforeAll(async () => {
  server = await startMisbehavingServer();
});
afterAll(async () => {
  await server.close();
});

// Short settings keep the file fast; the logic is the same as with the defaults.
const TIMEOUT = 1500;
const REQUEST_TIMEOUT = 300;
/** Timer and scheduling allowance on a busy machine; the bound itself is logical, not a speed claim. */
const SLACK = 500;

function gate(url: string, extra: Partial<GateOptions> = {}): Promise<GateResult> {
  return runHealthGate({
    checks: extra.checks ?? urlChecks({ urls: [url], version: extra.expectedVersion !== undefined }),
    timeoutMs: TIMEOUT,
    requestTimeoutMs: REQUEST_TIMEOUT,
    intervalMs: 40,
    maxIntervalMs: 160,
    successThreshold: 2,
    failureThreshold: 3,
    ...extra,
  });
}

/** The gate's promise: it ended by its deadline plus one request timeout, and no round started late. */
function expectBounded(r: GateResult, timeout = TIMEOUT, requestTimeout = REQUEST_TIMEOUT): void {
  expect(r.report.elapsedMs).toBeLessThanOrEqual(timeout + requestTimeout + SLACK);
  for (const round of r.report.rounds) expect(round.atMs).toBeLessThanOrEqual(timeout + SLACK);
  for (const probe of r.report.probes) expect(probe.latencyMs).toBeLessThanOrEqual(requestTimeout + SLACK);
}

describe.concurrent('runHealthGate against misbehaving servers', () => {
  it('passes a healthy app after success-threshold rounds in a row', async () => {
    const r = await gate(server.url('/ok/v2'), { expectedVersion: 'v2' });
    expect(r.verdict).toBe('healthy');
    expect(r.healthy).toBe(true);
    expect(r.report.attempts).toBe(2);
    expect(r.report.observedVersion).toBe('v2');
    expect(r.report.lastStatus).toBe(200);
    expect(r.report.errorRate).toBe(0);
    expectBounded(r);
  });

  it('waits for an app that comes up late (connection refused is "not yet")', async () => {
    const late = await lateServer();
    try {
      const pending = gate(late.url, { timeoutMs: 3000 });
      await new Promise((resolve) => setTimeout(resolve, 400));
      await late.start();
      const r = await pending;
      expect(r.verdict).toBe('healthy');
      expect(r.report.probes[0].problems[0]).toMatch(/^refused/);
      expect(r.report.probes.at(-1)?.status).toBe(200);
      expectBounded(r, 3000);
    } finally {
      await late.close();
    }
  });

  it('keeps polling while the old version answers, then passes on the new one', async () => {
    const r = await gate(server.url('/old-then-new/a'), { expectedVersion: 'v2' });
    expect(r.verdict).toBe('healthy');
    expect(r.report.probes.slice(0, 3).map((p) => p.version)).toEqual(['v1', 'v1', 'v1']);
    expect(r.report.probes.slice(0, 3).every((p) => p.outcome === 'pending')).toBe(true);
    expect(r.report.probes[0].problems[0]).toContain('version "v1" answering, not "v2"');
    expect(r.report.observedVersion).toBe('v2');
    expect(r.report.rounds.every((round) => !round.counted)).toBe(true);
    expectBounded(r);
  });

  it('times out when only the old version ever answers', async () => {
    const r = await gate(server.url('/ok/v1'), { expectedVersion: 'v2' });
    expect(r.verdict).toBe('timed-out');
    expect(r.report.observedVersion).toBe('v1');
    expect(r.reason).toContain('version "v1" answering');
    expectBounded(r);
  });

  it('fails early when the expected version answers with errors failure-threshold rounds in a row', async () => {
    const r = await gate(server.url('/new-then-500/a'), { expectedVersion: 'v2', timeoutMs: 60_000 });
    expect(r.verdict).toBe('failed');
    expect(r.reason).toMatch(/^3 failing rounds in a row after v2 appeared: .*status 500, expected 200/);
    expect(r.report.rounds.filter((round) => round.counted)).toHaveLength(3);
    // Early: nowhere near the one-minute deadline.
    expect(r.report.attempts).toBe(4);
    expectBounded(r, 60_000);
  });

  it('500 forever without an expected version fails early; with one it is waited out to the deadline', async () => {
    const early = await gate(server.url('/fail'), { timeoutMs: 60_000 });
    expect(early.verdict).toBe('failed');
    expect(early.report.attempts).toBe(3);
    expect(early.report.lastStatus).toBe(500);
    expectBounded(early, 60_000);

    const waited = await gate(server.url('/fail'), { expectedVersion: 'v2' });
    expect(waited.verdict).toBe('timed-out');
    expect(waited.reason).toContain('status 500');
    expectBounded(waited);
  });

  it('a server that never answers: every request times out and the gate ends on time', async () => {
    const r = await gate(server.url('/hang'));
    expect(r.verdict).toBe('timed-out');
    expect(r.report.probes.every((p) => p.problems[0]?.startsWith('timeout: no answer within 300 ms'))).toBe(true);
    expectBounded(r);
  });

  it('a body trickling one byte a second is cut off by the request timeout', async () => {
    const r = await gate(server.url('/trickle'));
    expect(r.verdict).toBe('timed-out');
    expect(r.report.probes[0].status).toBe(200);
    expect(r.report.probes[0].problems[0]).toContain('body not complete within 300 ms');
    expectBounded(r);
  });

  it('a 10 MB body is read up to 1 MiB and the transfer stopped', async () => {
    const r = await gate(server.url('/big'));
    expect(r.verdict).toBe('healthy');
    for (const p of r.report.probes) {
      expect(p.bodyBytes).toBe(1024 * 1024);
      expect(p.truncated).toBe(true);
    }
    // Judging the JSON of a cut body is refused, not guessed.
    const versioned = await gate(server.url('/big'), { expectedVersion: 'v2', timeoutMs: 400 });
    expect(versioned.verdict).toBe('timed-out');
    expect(versioned.report.probes[0].problems).toContain('body larger than 1 MiB, not parsed: no version');
    expectBounded(r);
    expectBounded(versioned, 400);
  });

  it('a redirect loop is capped and fails the gate', async () => {
    const r = await gate(server.url('/loop'), { followRedirects: true, timeoutMs: 60_000 });
    expect(r.verdict).toBe('failed');
    expect(r.report.probes[0].problems[0]).toBe('redirects: more than 5 redirects');
    expect(r.report.probes[0].redirects).toBe(5);
    // Not following: a 302 is simply not the expected status.
    const plain = await gate(server.url('/loop'), { timeoutMs: 60_000 });
    expect(plain.verdict).toBe('failed');
    expect(plain.report.probes[0].problems[0]).toBe('status 302, expected 200');
    expectBounded(r, 60_000);
    expectBounded(plain, 60_000);
  });

  it('invalid JSON fails a JSON expectation with that reason', async () => {
    const checks = urlChecks({ urls: [server.url('/invalid-json')] });
    checks[0].expect.json.push(['status', 'ok']);
    const r = await gate('', { checks, timeoutMs: 60_000 });
    expect(r.verdict).toBe('failed');
    expect(r.report.probes[0].problems).toEqual(['body is not valid JSON']);
    expectBounded(r, 60_000);
    // With an expected version, an unreadable body cannot show it: waited out.
    const versioned = await gate(server.url('/invalid-json'), { expectedVersion: 'v2' });
    expect(versioned.verdict).toBe('timed-out');
    expect(versioned.report.probes[0].problems).toEqual(['body is not valid JSON: no version']);
    expectBounded(versioned);
  });

  it('a connection reset is "not yet": waited out to the deadline', async () => {
    const r = await gate(server.url('/reset'));
    expect(r.verdict).toBe('timed-out');
    expect(r.report.probes[0].problems[0]).toMatch(/^reset: /);
    expect(r.report.rounds.every((round) => !round.counted)).toBe(true);
    expectBounded(r);
  });

  it('429 with Retry-After: waits as long as asked, then passes', async () => {
    const r = await gate(server.url('/rate-limited/a'), { timeoutMs: 6000 });
    expect(r.verdict).toBe('healthy');
    expect(r.report.probes.slice(0, 2).map((p) => p.status)).toEqual([429, 429]);
    expect(r.report.rounds[0].delayMs).toBeGreaterThanOrEqual(1000);
    expect(r.report.rounds[1].delayMs).toBeGreaterThanOrEqual(1000);
    expect(r.report.rounds[2].delayMs).toBeLessThan(1000);
    expectBounded(r, 6000);
  });

  it('backs off exponentially while waiting, and confirms at the first interval', async () => {
    const r = await gate(server.url('/starting/a'), { random: () => 1 });
    expect(r.verdict).toBe('healthy');
    // Equal jitter with random()=1 gives the full ceiling: 40, 80 while waiting; 40 when confirming.
    expect(r.report.rounds.map((round) => round.delayMs)).toEqual([40, 80, 40, undefined]);
  });

  it('a change in what answers (refused, then 503, then the old version) starts the waits short again', async () => {
    const answers: Partial<HttpResponse>[] = [
      { error: { kind: 'refused', message: 'connect ECONNREFUSED' } },
      { error: { kind: 'refused', message: 'connect ECONNREFUSED' } },
      { error: { kind: 'refused', message: 'connect ECONNREFUSED' } },
      { status: 503 },
      { status: 503 },
      { status: 200, body: '{"version":"v1"}' },
      { status: 200, body: '{"version":"v1"}' },
      { status: 200, body: '{"version":"v2"}' },
    ];
    let n = 0;
    const r = await runHealthGate({
      checks: urlChecks({ urls: ['http://app.test/health'], version: true }),
      expectedVersion: 'v2',
      timeoutMs: 60_000,
      requestTimeoutMs: 100,
      intervalMs: 10,
      maxIntervalMs: 1000,
      successThreshold: 1,
      failureThreshold: 3,
      random: () => 1,
      probe: async (request) => ({
        url: request.url,
        headers: {},
        body: '',
        bodyBytes: 0,
        truncated: false,
        redirects: 0,
        latencyMs: 1,
        ...answers[n++],
      }),
    });
    expect(r.verdict).toBe('healthy');
    expect(r.report.rounds.map((round) => round.delayMs)).toEqual([10, 20, 40, 10, 20, 10, 20, undefined]);
  });

  it('a deadline that comes mid-streak says how far the streak got', async () => {
    const r = await gate(server.url('/ok/v2'), { successThreshold: 1000, timeoutMs: 300 });
    expect(r.verdict).toBe('timed-out');
    expect(r.reason).toMatch(/^not healthy within 300ms: \d+ of 1000 passing rounds in a row when the deadline came$/);
    expectBounded(r, 300);
  });

  it('a cancelled gate stops at once', async () => {
    const controller = new AbortController();
    const pending = gate(server.url('/hang'), {
      signal: controller.signal,
      timeoutMs: 60_000,
      requestTimeoutMs: 60_000,
    });
    setTimeout(() => controller.abort(), 100);
    const r = await pending;
    expect(r.verdict).toBe('cancelled');
    expect(r.report.probes[0].problems[0]).toBe('aborted: cancelled');
  });

  it('soak: keeps observing after passing and judges the error rate', async () => {
    const r = await gate(server.url('/ok/v2'), { soakMs: 300, maxErrorRate: 5 });
    expect(r.verdict).toBe('healthy');
    expect(r.reason).toMatch(/stayed healthy for a 300ms soak \(error rate 0%, p95 \d+ ms\)/);
    expect(r.report.rounds.some((round) => round.phase === 'soak')).toBe(true);
    expect(r.report.attempts).toBeGreaterThan(2);

    const slow = await gate(server.url('/slow'), { soakMs: 200, maxP95Ms: 20 });
    expect(slow.verdict).toBe('failed');
    expect(slow.reason).toMatch(/^p95 latency \d+ ms during the soak, above 20 ms/);
    expect(slow.report.p95Ms).toBeGreaterThanOrEqual(40);
  });

  it('a custom probe callback replaces HTTP (the rollback reuses the engine this way)', async () => {
    const seen: string[] = [];
    const logged: number[] = [];
    const r = await runHealthGate({
      onRound: (round) => logged.push(round.round),
      checks: urlChecks({ urls: ['http://app.internal/health'], version: true }),
      expectedVersion: 'lkg-7',
      timeoutMs: 1000,
      requestTimeoutMs: 100,
      intervalMs: 1,
      maxIntervalMs: 1,
      successThreshold: 3,
      failureThreshold: 5,
      probe: async (request) => {
        seen.push(`${request.method} ${request.url}`);
        return {
          url: request.url,
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: '{"version":"lkg-7"}',
          bodyBytes: 19,
          truncated: false,
          redirects: 0,
          latencyMs: 1,
        };
      },
    });
    expect(r.verdict).toBe('healthy');
    expect(seen).toEqual(Array(3).fill('GET http://app.internal/health'));
    expect(logged).toEqual([1, 2, 3]);
  });
});
