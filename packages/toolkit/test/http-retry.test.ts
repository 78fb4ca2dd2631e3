import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpRequestError, parseRetryAfter, requestWithRetry } from '../src/index';

/** Answers each path with its scripted replies in order, then repeats the last one. */
const script: Record<string, { status: number; headers?: Record<string, string>; body?: string }[]> = {
  '/busy': [
    { status: 429, headers: { 'retry-after': '0.05' } },
    { status: 200, body: 'ok' },
  ],
  '/flaky': [{ status: 502 }, { status: 503 }, { status: 200, body: 'fine' }],
  '/bad': [{ status: 400, body: `invalid_payload ${'x'.repeat(1000)}` }],
  '/down': [{ status: 500, body: 'still down' }],
};
const hits: Record<string, number> = {};
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hits[path] = (hits[path] ?? 0) + 1;
    const n = hits[path];
    const replies = script[path] ?? [{ status: 404 }];
    const reply = replies[Math.min(n, replies.length) - 1];
    res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const options = { label: 'Hook', attempts: 4, timeoutMs: 5_000, baseDelayMs: 10, maxDelayMs: 20 };

describe('requestWithRetry', () => {
  it('honours Retry-After on 429 and retries 5xx until it succeeds', async () => {
    expect(await requestWithRetry(`${base}/busy`, options)).toMatchObject({ status: 200, text: 'ok', attempts: 2 });
    expect(await requestWithRetry(`${base}/flaky`, options)).toMatchObject({ status: 200, attempts: 3 });
  });

  it('does not retry other 4xx, quotes a bounded answer, and never names the URL', async () => {
    const error = await requestWithRetry(`${base}/bad?token=hook-secret`, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    const message = (error as HttpRequestError).message;
    expect(message).toMatch(/^Hook answered HTTP 400: invalid_payload x+\.\.\.$/);
    expect(message.length).toBeLessThan(360);
    expect(message).not.toContain('hook-secret');
    expect(hits['/bad']).toBe(1);
  });

  it('gives up after its attempts with the last answer', async () => {
    await expect(requestWithRetry(`${base}/down`, { ...options, attempts: 2 })).rejects.toThrow(
      'Hook answered HTTP 500: still down',
    );
    expect(hits['/down']).toBe(2);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores nonsense', () => {
    const now = Date.parse('2026-11-22T20:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 20:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
