import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSuite, runHealthGate, urlChecks } from '../src/index';

/** A production-like app that counts what it receives: each POST would write a row. */
let server: Server;
let base: string;
const received = new Map<string, number>();
const keys = new Map<string, string | undefined>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    const n = (received.get(key) ?? 0) + 1;
    received.set(key, n);
    keys.set(key, req.headers['x-admin-key'] as string | undefined);
    req.resume();
    req.on('end', () => {
      // /busy/* answers 503 to its first request: the release is not serving yet.
      const status = req.url?.startsWith('/busy/') && n === 1 ? 503 : 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const SETTINGS = {
  timeoutMs: 5_000,
  requestTimeoutMs: 1_000,
  intervalMs: 20,
  maxIntervalMs: 40,
  successThreshold: 3,
  failureThreshold: 3,
};

describe.concurrent('checks that change something run once per gate', () => {
  it('a POST is sent once while the GET health probe runs every round, also through a soak', async () => {
    const suite = `
- name: capture lead
  path: /a/v1/leads/capture
  method: POST
  body: { email: smoke@example.com }
- name: delete needs a key
  path: /a/v1/leads/delete
  method: delete
  headers: { x-admin-key: "\${ADMIN_KEY}" }
`;
    const checks = [
      ...urlChecks({ urls: [`${base}/a/health`] }),
      ...(await parseSuite(suite, 'smoke.yml', { baseUrl: base, env: { ADMIN_KEY: 'k-7f3a91c2' } })),
    ];
    const r = await runHealthGate({ ...SETTINGS, checks, soakMs: 200 });
    expect(r.verdict).toBe('healthy');
    expect(received.get('GET /a/health')).toBeGreaterThanOrEqual(3);
    expect(received.get('POST /a/v1/leads/capture')).toBe(1);
    expect(received.get('DELETE /a/v1/leads/delete')).toBe(1);
    expect(keys.get('DELETE /a/v1/leads/delete')).toBe('k-7f3a91c2');
    expect(r.report.probes.filter((p) => p.method === 'POST')).toHaveLength(1);
  });

  it('a POST the release did not take yet (503) is sent again until it passes, then never again', async () => {
    const checks = await parseSuite(
      '- { name: event, path: /busy/v1/events, method: POST, body: { kind: smoke } }\n- { name: health, path: /b/health }',
      'smoke.yml',
      { baseUrl: base },
    );
    const r = await runHealthGate({ ...SETTINGS, checks });
    expect(r.verdict).toBe('healthy');
    expect(received.get('POST /busy/v1/events')).toBe(2);
    expect(received.get('GET /b/health')).toBeGreaterThanOrEqual(3);
  });
});
