import { join } from 'node:path';
import { type AnalyticsApp, startAnalyticsApp } from '@deploy-actions/testkit/analytics-app';
import { containsSecret, InputError, redact, resetSecretsForTesting } from '@deploy-actions/toolkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Check,
  evaluate,
  type HttpResponse,
  jsonPath,
  maskUrlCredentials,
  parseHeaderLines,
  parseStatusSet,
  parseSuite,
  resolveChecks,
  runHealthGate,
  urlChecks,
} from '../src/index';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'examples', 'checks', 'smoke-checks.yml');
const ADMIN_KEY = 'adm-4f9c2e71b8d3';

beforeEach(() => resetSecretsForTesting());

function response(partial: Partial<HttpResponse>): HttpResponse {
  return {
    url: 'http://x/',
    status: 200,
    headers: {},
    body: '',
    bodyBytes: 0,
    truncated: false,
    redirects: 0,
    latencyMs: 1,
    ...partial,
  };
}

describe('expectations', () => {
  it('parses status lists and ranges, and refuses anything else', () => {
    const set = parseStatusSet('200, 204,300-399')!;
    expect(set.text).toBe('200,204,300-399');
    expect([200, 204, 301, 399].every((s) => set.has(s))).toBe(true);
    expect([201, 400, 500].some((s) => set.has(s))).toBe(false);
    for (const bad of ['', 'ok', '2000', '399-300', '200,', '99', '600']) expect(parseStatusSet(bad)).toBeUndefined();
  });

  it('reads JSON paths with dots and indexes', () => {
    const body = { version: 'v2', build: { sha: 'abc' }, items: [{ id: 7 }] };
    expect(jsonPath(body, 'version')).toEqual({ found: true, value: 'v2' });
    expect(jsonPath(body, '$.build.sha')).toEqual({ found: true, value: 'abc' });
    expect(jsonPath(body, 'items[0].id')).toEqual({ found: true, value: 7 });
    expect(jsonPath(body, 'items.0.id')).toEqual({ found: true, value: 7 });
    expect(jsonPath(body, 'items[1].id').found).toBe(false);
    expect(jsonPath(body, 'toString').found).toBe(false);
  });
});

describe('evaluate', () => {
  const [check] = urlChecks({ urls: ['http://x/health'], version: true });
  const source = { field: 'version' };

  it('sorts answers into pass, not yet and fail', () => {
    expect(evaluate(check, response({ body: '{"version":"v2"}' }), source, 'v2').outcome).toBe('pass');
    for (const status of [404, 429, 502, 503, 504]) {
      expect(evaluate(check, response({ status }), source, 'v2').outcome).toBe('pending');
    }
    expect(evaluate(check, response({ status: 500 }), source, 'v2')).toMatchObject({ outcome: 'fail' });
    const old = evaluate(check, response({ status: 500, body: '{"version":"v1"}' }), source, 'v2');
    expect(old).toMatchObject({ outcome: 'pending', version: 'v1' });
    const missing = evaluate(check, response({ body: '{"status":"ok"}' }), source, 'v2');
    expect(missing).toEqual({ outcome: 'fail', problems: ['no version (field version)'], version: undefined });
    const refused = response({ status: undefined, error: { kind: 'refused', message: 'connect ECONNREFUSED' } });
    expect(evaluate(check, refused, source, 'v2').outcome).toBe('pending');
    const tls = response({ status: undefined, error: { kind: 'tls', message: 'self-signed certificate' } });
    expect(evaluate(check, tls, source, 'v2').outcome).toBe('fail');
  });

  it('reads the version from a header when asked', () => {
    const headerSource = { field: 'version', header: 'X-App-Version' };
    const r = evaluate(check, response({ headers: { 'x-app-version': 'v2' } }), headerSource, 'v2');
    expect(r).toEqual({ outcome: 'pass', problems: [], version: 'v2' });
  });
});

describe('headers input', () => {
  it('parses Name: value lines and masks credential-looking values', () => {
    const headers = parseHeaderLines('Authorization: Bearer tok-123456\nX-Trace: on\n\nX-Api-Key: k-987654');
    expect(headers).toEqual({ authorization: 'Bearer tok-123456', 'x-trace': 'on', 'x-api-key': 'k-987654' });
    expect(containsSecret('tok-123456')).toBe(true);
    expect(containsSecret('k-987654')).toBe(true);
    expect(containsSecret('on')).toBe(false);
  });

  it('names the input on a bad line without echoing the value', () => {
    try {
      parseHeaderLines('Authorization Bearer tok-abcdef');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).inputs).toEqual(['headers']);
      expect((error as Error).message).toBe(`Invalid input 'headers': line 1 is not "Name: value"`);
    }
  });
});

describe('smoke suite', () => {
  let app: AnalyticsApp;
  beforeAll(async () => {
    app = await startAnalyticsApp({ version: 'v2', adminKey: ADMIN_KEY });
  });
  afterAll(async () => {
    await app.close();
  });

  it('the example suite passes against a correct release, with the admin key masked', async () => {
    const checks = await resolveChecks({ urls: [], checksFile: EXAMPLE, baseUrl: app.origin, env: { ADMIN_KEY } });
    expect(checks.map((c) => c.name)).toEqual([
      'health',
      'ingest an event',
      'CORS preflight from the dashboard',
      'admin endpoint refuses a missing key',
      'admin endpoint accepts its key',
    ]);
    expect(containsSecret(ADMIN_KEY)).toBe(true);
    const r = await runHealthGate({
      checks,
      expectedVersion: 'v2',
      timeoutMs: 5000,
      requestTimeoutMs: 1000,
      intervalMs: 20,
      maxIntervalMs: 50,
      successThreshold: 2,
      failureThreshold: 3,
    });
    expect(r.verdict).toBe('healthy');
    expect(r.report.checks.every((c) => c.passed)).toBe(true);
    // The write (POST) is sent once per gate, not once per round.
    expect(app.events).toBe(1);
  });

  it('the example suite fails early when ingestion breaks on the new version', async () => {
    const checks = await resolveChecks({ urls: [], checksFile: EXAMPLE, baseUrl: app.origin, env: { ADMIN_KEY } });
    app.broken = true;
    try {
      const r = await runHealthGate({
        checks,
        expectedVersion: 'v2',
        timeoutMs: 60_000,
        requestTimeoutMs: 1000,
        intervalMs: 20,
        maxIntervalMs: 50,
        successThreshold: 2,
        failureThreshold: 3,
      });
      expect(r.verdict).toBe('failed');
      expect(r.reason).toContain('ingest an event: status 500, expected 202');
      expect(r.report.checks.find((c) => c.name === 'ingest an event')?.passed).toBe(false);
      expect(r.report.checks.find((c) => c.name === 'health')?.passed).toBe(true);
    } finally {
      app.broken = false;
    }
  });

  it('refuses bad suites with the file and the check named', async () => {
    const cases: [string, RegExp][] = [
      ['- name: a\n  path: /x\n  url: http://x/', /check.*give exactly one of path or url/],
      ['- name: a\n  path: /x\n  expect: {status: ok}', /check 1 \(a\): expect.status "ok" is not a status list/],
      ['- name: a\n  path: /x\n  expect: {stauts: 200}', /Unrecognized key|stauts/],
      ['- name: a\n  path: /x\n- name: a\n  path: /y', /check 2 \(a\): the name is used twice/],
      ['checks: []', /has no checks/],
      ['- name: a\n  path: /x\n  headers: {X-Key: "${NOPE}"}', /uses \$\{NOPE\}, but the environment has no NOPE/],
      ['{', /is not valid YAML/],
    ];
    for (const [text, message] of cases) {
      await expect(parseSuite(text, 'suite.yml', { baseUrl: 'http://x', env: {} })).rejects.toThrow(message);
    }
    await expect(parseSuite('- name: a\n  path: /x', 'suite.yml', {})).rejects.toThrow(/Input 'base-url' is needed/);
  });

  it('joins paths to a base-url that has a path prefix; object bodies become JSON', async () => {
    const [check]: Check[] = await parseSuite('- name: a\n  path: /v1/x\n  method: post\n  body: {a: 1}', 's.yml', {
      baseUrl: 'https://api.example.com/prefix/',
    });
    expect(check.request).toEqual({
      url: 'https://api.example.com/prefix/v1/x',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
  });

  it('needs a url or a checks-file', async () => {
    await expect(resolveChecks({ urls: [] })).rejects.toThrow("Input required: give 'url' or 'checks-file' (or both)");
    expect(() => urlChecks({ urls: ['ftp://x/'] })).toThrow(/Invalid input 'url': got "ftp:\/\/x\/"/);
    expect(() => urlChecks({ urls: ['http://x/'], expectedStatus: '2xx' })).toThrow(/Invalid input 'expected-status'/);
  });
});

describe('credentials inside URLs', () => {
  it("a URL's password and credential-looking query values are masked, raw, decoded and re-encoded", () => {
    const url = 'http://deploy:S3cr3t%2FPassW0rd@127.0.0.1:9/health?token=tok_ABCDEF123456&api_key=k+ey%2F1&page=2';
    const [check] = urlChecks({ urls: [url] });
    expect(redact(check.request.url)).toBe('http://deploy:***@127.0.0.1:9/health?token=***&api_key=***&page=2');
    expect(redact('password S3cr3t/PassW0rd, key k ey/1')).toBe('password ***, key ***');
    // The user name is no secret when a password follows it; the rest of the URL stays readable.
    expect(containsSecret('deploy')).toBe(false);
  });

  it('a token given as the user name, in a suite url or a base-url, and in a URL that does not parse', async () => {
    maskUrlCredentials('https://ghp_tok3nAsUserName@example.com/health');
    expect(redact('ghp_tok3nAsUserName')).toBe('***');
    const checks = await parseSuite(
      '- name: admin\n  url: https://ops:adm-p4ss-w0rd@admin.example.com/h?sig=s1gn4ture\n',
      'suite.yml',
    );
    expect(redact(checks[0].request.url)).toBe('https://ops:***@admin.example.com/h?sig=***');
    await resolveChecks({ urls: [], checksFile: undefined, baseUrl: 'https://u:base-p4ss@x.test' }).catch(() => {});
    expect(redact('base-p4ss')).toBe('***');
    expect(() => urlChecks({ urls: ['ftp://user:ftp-p4ssw0rd@x'] })).toThrow(InputError);
    expect(redact('ftp-p4ssw0rd')).toBe('***');
  });
});
