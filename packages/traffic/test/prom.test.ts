import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationFor, parseQueryAnswer, promClient } from '../src/prom';

describe('parseQueryAnswer', () => {
  it('reads an instant vector with warnings', () => {
    const text = JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { status: '200' }, value: [1765000000, '41.5'] }] },
      warnings: ['too many series'],
    });
    expect(parseQueryAnswer(text)).toEqual({
      samples: [{ labels: { status: '200' }, value: 41.5 }],
      warnings: ['too many series'],
      partial: false,
    });
  });
  it('marks a VictoriaMetrics partial answer', () => {
    const text = JSON.stringify({ status: 'success', isPartial: true, data: { resultType: 'vector', result: [] } });
    expect(parseQueryAnswer(text).partial).toBe(true);
  });
  it('turns an error envelope into its message', () => {
    const text = JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'unknown func "rat"' });
    expect(() => parseQueryAnswer(text)).toThrow('Prometheus refused the query (bad_data): unknown func "rat"');
  });
  it('refuses a matrix where a vector was asked for', () => {
    const text = JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } });
    expect(() => parseQueryAnswer(text)).toThrow(/matrix result/);
  });
});

describe('authorizationFor', () => {
  it('sends macaroons as FlyV1 and other tokens as Bearer', () => {
    expect(authorizationFor('fm2_abc')).toBe('FlyV1 fm2_abc');
    expect(authorizationFor('FlyV1 fm2_abc')).toBe('FlyV1 fm2_abc');
    expect(authorizationFor('plain')).toBe('Bearer plain');
  });
});

describe('promClient over HTTP', () => {
  let server: Server;
  let base: string;
  let calls = 0;
  const seen: { auth?: string; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body });
        const query = new URLSearchParams(body).get('query') ?? '';
        if (query === 'flaky' && calls++ === 0) {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'error', errorType: 'timeout', error: 'query timed out' }));
          return;
        }
        if (query === 'bad(') {
          res.writeHead(422, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'error', errorType: 'execution', error: 'cannot parse' }));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            status: 'success',
            data: { resultType: 'vector', result: [{ metric: {}, value: [0, '3'] }] },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prometheus/personal/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the query and time with the token, and retries a 503', async () => {
    const prom = promClient({ baseUrl: base, token: 'fm2_tok', timeoutMs: 5_000 });
    const r = await prom.query('flaky', 1_765_000_000_000);
    expect(r.samples[0].value).toBe(3);
    expect(seen.at(-1)?.auth).toBe('FlyV1 fm2_tok');
    expect(new URLSearchParams(seen.at(-1)?.body).get('time')).toBe('1765000000.000');
    expect(calls).toBe(2);
  });
  it('fails at once on a 422, quoting the server', async () => {
    const prom = promClient({ baseUrl: base, token: 't', timeoutMs: 5_000 });
    await expect(prom.query('bad(', Date.now())).rejects.toThrow(/HTTP 422.*cannot parse/);
  });
});
