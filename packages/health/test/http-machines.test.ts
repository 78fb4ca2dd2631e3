import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type MisbehavingServer, startMisbehavingServer } from '@deploy-actions/testkit/misbehaving-server';
import { selfSignedCert } from '@deploy-actions/testkit/smtp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GateMachine, httpRequest, runHealthGate, urlChecks } from '../src/index';
import { errorRate, percentile } from '../src/stats';

let server: MisbehavingServer;
beforeAll(async () => {
  server = await startMisbehavingServer();
});
afterAll(async () => {
  await server.close();
});

const options = { timeoutMs: 2000, followRedirects: true, insecure: false };

describe('httpRequest', () => {
  it('stops reading a 10 MB body after 1 MiB and hangs up', async () => {
    const r = await httpRequest({ url: server.url('/big'), method: 'GET', headers: {} }, options);
    expect(r).toMatchObject({ status: 200, bodyBytes: 1024 * 1024, truncated: true });
    expect(r.error).toBeUndefined();
  });

  it('keeps the headers on same-origin redirects; another origin gets none of them', async () => {
    const headers = {
      authorization: 'Bearer t-1',
      'x-api-key': 'key-abcdefgh-5678',
      'x-admin-token': 'adm-abcdefgh-9012',
      cookie: 'session=s-1',
      'x-trace': '1',
    };
    const same = await httpRequest({ url: server.url('/redirect/same'), method: 'GET', headers }, options);
    expect(JSON.parse(same.body).headers).toMatchObject(headers);
    expect(same.redirects).toBe(1);
    const away = await httpRequest({ url: server.url('/redirect/away'), method: 'GET', headers }, options);
    expect(away.redirects).toBe(1);
    const forwarded = JSON.parse(away.body).headers;
    for (const name of Object.keys(headers)) expect([name, forwarded[name]]).toEqual([name, undefined]);
  });

  it('does not resend a body to another origin (307): an error, not a leak', async () => {
    const r = await httpRequest(
      { url: server.url('/redirect/away-307'), method: 'POST', headers: { 'x-api-key': 'k-1' }, body: '{"k":"v"}' },
      options,
    );
    expect(r.error).toEqual({
      kind: 'redirects',
      message: `not following a 307 to another origin (http://localhost:${new URL(server.origin).port}): it would resend the body`,
    });
    const same = await httpRequest(
      { url: server.url('/redirect/same-307'), method: 'POST', headers: {}, body: '{"k":"v"}' },
      options,
    );
    expect(JSON.parse(same.body)).toMatchObject({ method: 'POST', body: '{"k":"v"}' });
  });

  it('turns a redirected POST into GET, as curl -L does', async () => {
    const r = await httpRequest(
      { url: server.url('/redirect/same'), method: 'POST', headers: {}, body: '{}' },
      options,
    );
    expect(JSON.parse(r.body)).toMatchObject({ method: 'GET', body: '' });
  });

  it('reports an unreadable URL as an error, never a throw', async () => {
    const r = await httpRequest({ url: 'not a url', method: 'GET', headers: {} }, options);
    expect(r.error).toEqual({ kind: 'network', message: 'invalid URL "not a url"' });
  });
});

describe('TLS', () => {
  let tls: { url: string; close: () => Promise<void> };
  beforeAll(async () => {
    const { key, cert } = selfSignedCert();
    const server = createHttpsServer({ key, cert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"version":"v2"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    tls = {
      url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/health`,
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  });
  afterAll(async () => {
    await tls?.close();
  });

  it('a self-signed certificate fails the probe as tls; insecure accepts it', async () => {
    const strict = await httpRequest({ url: tls.url, method: 'GET', headers: {} }, options);
    expect(strict.error?.kind).toBe('tls');
    const r = await httpRequest({ url: tls.url, method: 'GET', headers: {} }, { ...options, insecure: true });
    expect(r).toMatchObject({ status: 200, body: '{"version":"v2"}' });
  });
});

describe('stats', () => {
  it('error rate and nearest-rank p95', () => {
    expect(errorRate([])).toBe(0);
    expect(errorRate([{ outcome: 'pass' }, { outcome: 'fail' }, { outcome: 'pending' }])).toBe(66.7);
    expect(percentile([], 95)).toBeUndefined();
    expect(percentile([5, 1, 3, 2, 4], 95)).toBe(5);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
  });
});

const machine = (id: string, state: string, release: string, checks = 'passing', group = 'app'): GateMachine => ({
  id,
  state,
  releaseVersion: release,
  processGroup: group,
  region: 'ams',
  checks: [{ name: 'servicecheck-00-http-8080', status: checks }],
});

describe('runHealthGate with machines', () => {
  const base = {
    timeoutMs: 2000,
    requestTimeoutMs: 300,
    intervalMs: 10,
    maxIntervalMs: 20,
    successThreshold: 2,
    failureThreshold: 3,
  };

  it('probes every started machine through fly-force-instance-id', async () => {
    const seen: string[] = [];
    const r = await runHealthGate({
      ...base,
      checks: urlChecks({ urls: ['http://app.test/health'] }),
      fly: {
        app: 'shop',
        releaseVersion: '7',
        perMachine: true,
        listMachines: async () => [machine('a1', 'started', '7'), machine('b2', 'started', '7')],
      },
      probe: async (request) => {
        seen.push(request.headers['fly-force-instance-id'] ?? 'none');
        return {
          url: request.url,
          status: 200,
          headers: {},
          body: '{}',
          bodyBytes: 2,
          truncated: false,
          redirects: 0,
          latencyMs: 1,
        };
      },
    });
    expect(r.verdict).toBe('healthy');
    // The machines are listed before round 1, so rounds 1 and 2 both probe both.
    expect(r.report.attempts).toBe(2);
    expect(seen.sort()).toEqual(['a1', 'a1', 'b2', 'b2']);
    expect(r.report.probes.map((p) => p.machine)).toEqual(['a1', 'b2', 'a1', 'b2']);
  });

  it('callbacks that never settle (a stuck flyctl, a stuck custom probe) still end on time', async () => {
    const never = new Promise<never>(() => {});
    const r = await runHealthGate({
      ...base,
      timeoutMs: 500,
      requestTimeoutMs: 100,
      checks: urlChecks({ urls: ['http://app.test/health'] }),
      fly: { app: 'shop', releaseVersion: '7', perMachine: false, listMachines: () => never },
      probe: () => never,
    });
    expect(r.verdict).toBe('timed-out');
    expect(r.report.probes[0].problems).toEqual(['timeout: no answer within 100 ms']);
    expect(r.report.rounds[0].problems).toContain('machines of shop: not listed (no answer within 100 ms)');
    // Logical bound: deadline plus one request timeout, with scheduling slack.
    expect(r.report.elapsedMs).toBeLessThanOrEqual(500 + 100 + 500);
  });

  it('a machine that appears mid-gate must be probed before a round can pass', async () => {
    let listings = 0;
    const r = await runHealthGate({
      ...base,
      checks: urlChecks({ urls: ['http://app.test/health'] }),
      fly: {
        app: 'shop',
        releaseVersion: '7',
        perMachine: true,
        listMachines: async () => {
          listings++;
          const list = [machine('a1', 'started', '7'), machine('b2', 'started', '7')];
          return listings <= 2 ? list : [...list, machine('c3', 'started', '7')];
        },
      },
      probe: async (request) => ({
        url: request.url,
        status: 200,
        headers: {},
        body: '{}',
        bodyBytes: 2,
        truncated: false,
        redirects: 0,
        latencyMs: 1,
      }),
    });
    expect(r.verdict).toBe('healthy');
    expect(r.report.rounds.map((round) => round.outcome)).toEqual(['pass', 'pending', 'pass', 'pass']);
    expect(r.report.rounds[1].problems).toEqual(['machines to probe changed: a1, b2, c3']);
    expect(r.report.probes.filter((p) => p.round === 3).map((p) => p.machine)).toEqual(['a1', 'b2', 'c3']);
  });

  it('waits while an old release remains on a machine, never counting it as failing', async () => {
    const old = await runHealthGate({
      ...base,
      timeoutMs: 300,
      checks: urlChecks({ urls: [server.url('/ok/v2')] }),
      fly: {
        app: 'shop',
        releaseVersion: '7',
        perMachine: false,
        listMachines: async () => [machine('a1', 'started', '7'), machine('b2', 'started', '6')],
      },
    });
    expect(old.verdict).toBe('timed-out');
    expect(old.reason).toContain('machine b2 runs release 6, not 7');
    expect(old.report.rounds.every((round) => !round.counted)).toBe(true);
  });
});
