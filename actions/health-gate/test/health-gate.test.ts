import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findLeaks, REPO_ROOT, runBundle } from '@deploy-actions/runner';
import { type AnalyticsApp, startAnalyticsApp } from '@deploy-actions/testkit/analytics-app';
import { type MisbehavingServer, startMisbehavingServer } from '@deploy-actions/testkit/misbehaving-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inputs, outputs } from '../src/contract';

const ADMIN_KEY = 'adm-77c1e0f4a9b2';
const HEALTH_TOKEN = 'hc-token-5d8e2b9f61a3';
const EXAMPLE = join(REPO_ROOT, 'examples', 'checks', 'smoke-checks.yml');
const FAST = { interval: '50ms', 'max-interval': '200ms', 'request-timeout': '1s' };

let app: AnalyticsApp;
let server: MisbehavingServer;
beforeAll(async () => {
  app = await startAnalyticsApp({ version: 'v2', adminKey: ADMIN_KEY });
  server = await startMisbehavingServer();
});
afterAll(async () => {
  await app.close();
  await server.close();
});

describe('contract', () => {
  it('contract.ts mirrors action.yml: names, required flags, defaults, outputs', () => {
    const yml = parse(readFileSync(join(REPO_ROOT, 'health-gate', 'action.yml'), 'utf8'));
    expect(Object.keys(inputs).sort()).toEqual(Object.keys(yml.inputs).sort());
    for (const [name, spec] of Object.entries(inputs)) {
      expect([name, spec.required]).toEqual([name, yml.inputs[name].required ?? false]);
      expect([name, spec.default]).toEqual([name, yml.inputs[name].default]);
    }
    expect([...outputs].sort()).toEqual(Object.keys(yml.outputs).sort());
    expect(yml.runs).toEqual({ using: 'node24', main: '../dist/health-gate/index.js' });
  });
});

describe.concurrent('health-gate bundle (Node 24)', () => {
  it('passes the example smoke suite plus a url with a bearer header, the admin key from `secrets`; nothing secret is printed', async () => {
    const r = await runBundle('health-gate', {
      inputs: {
        url: `${app.origin}/v1/healthz`,
        headers: `Authorization: Bearer ${HEALTH_TOKEN}\nX-Probe: gate`,
        'checks-file': EXAMPLE,
        'base-url': app.origin,
        'expected-version': 'v2',
        secrets: `ADMIN_KEY=${ADMIN_KEY}`,
        ...FAST,
      },
    });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      healthy: 'true',
      attempts: '3',
      'observed-version': 'v2',
      'last-status': '200',
      'error-rate': '0',
    });
    expect(Number(r.outputs['elapsed-ms'])).toBeGreaterThan(0);
    expect(Number(r.outputs['p95-ms'])).toBeGreaterThanOrEqual(0);
    const report = JSON.parse(readFileSync(r.outputs['report-file'], 'utf8'));
    expect(report.verdict).toBe('healthy');
    // The POST and the OPTIONS preflight run once (they could change something); the 4 reads each round.
    expect(report.probes).toHaveLength(6 + 2 * 4);
    expect(report.probes.filter((p: { method: string }) => p.method === 'POST')).toHaveLength(1);
    expect(r.summary).toContain('## Health gate: ✅ Healthy');
    expect(r.summary).toContain('| admin endpoint accepts its key |');
    expect(r.summary).toContain('<details><summary>Probe timeline');
    expect(r.log).toMatch(/round 1 at \+\d+\.\ds \[waiting\] pass: 200 200 202 204 401 200 version v2/);
    expect(r.masks).toEqual(expect.arrayContaining([HEALTH_TOKEN, ADMIN_KEY]));
    expect(findLeaks(r, [HEALTH_TOKEN, ADMIN_KEY])).toEqual([]);
    const reportText = readFileSync(r.outputs['report-file'], 'utf8');
    expect(reportText).not.toContain(HEALTH_TOKEN);
    expect(reportText).not.toContain(ADMIN_KEY);
  });

  it('a release answering 500 fails early with the evidence; every output is still written', async () => {
    const r = await runBundle('health-gate', {
      inputs: { url: server.url('/new-then-500/bundle'), 'expected-version': 'v2', timeout: '5m', ...FAST },
    });
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(
      /^Health gate failed: 5 failing rounds in a row after v2 appeared: .*status 500, expected 200/,
    );
    expect(r.log).not.toMatch(/\n\s+at /);
    expect(r.outputs).toMatchObject({
      healthy: 'false',
      attempts: '6',
      'observed-version': 'v2',
      'last-status': '500',
    });
    expect(Object.keys(r.outputs).sort()).toEqual([...outputs].sort());
    expect(r.summary).toContain('## Health gate: ❌ Failed');
    expect(r.summary).toContain('auto-rollback can restore the last known good release');
  });

  it('credentials inside the url are *** in the log, the error, the summary and the report', async () => {
    const PASSWORD = 'S3cr3t-PassW0rd';
    const TOKEN = 'tok_ABCDEF123456';
    const url = `${server.url('/fail').replace('http://', `http://deploy:${PASSWORD}@`)}?token=${TOKEN}`;
    const r = await runBundle('health-gate', { inputs: { url, 'failure-threshold': '2', ...FAST } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0].message).toMatch(
      /^Health gate failed: 2 failing rounds in a row: http:\/\/deploy:\*\*\*@127\.0\.0\.1:\d+\/fail\?token=\*\*\*: status 500/,
    );
    expect(r.summary).toContain('?token=***');
    expect(findLeaks(r, [PASSWORD, TOKEN])).toEqual([]);
    const report = readFileSync(r.outputs['report-file'], 'utf8');
    expect(report).toContain('deploy:***@');
    for (const secret of [PASSWORD, TOKEN]) expect(report).not.toContain(secret);

    // An input refused before the gate runs is quoted in its error: masked there too.
    const refused = await runBundle('health-gate', {
      inputs: { url: 'http://127.0.0.1:9/', 'base-url': `ftp://ops:${PASSWORD}@files.test` },
    });
    expect(refused.annotations[0].message).toContain(`Invalid input 'base-url': got "ftp://ops:***@files.test"`);
    expect(findLeaks(refused, [PASSWORD])).toEqual([]);
  });

  it('a server that hangs ends the step by timeout plus one request timeout', async () => {
    const r = await runBundle('health-gate', {
      inputs: { url: server.url('/hang'), timeout: '1s', 'request-timeout': '300ms', interval: '50ms' },
    });
    expect(r.exitCode).toBe(1);
    expect(r.outputs.healthy).toBe('false');
    // The gate's own measure; the allowance is scheduling slack, not a speed claim.
    expect(Number(r.outputs['elapsed-ms'])).toBeLessThanOrEqual(1000 + 300 + 500);
    expect(r.annotations[0].message).toMatch(
      /^Health gate timed-out: not healthy within 1.0s: .*timeout: no answer within 300 ms/,
    );
    expect(r.summary).toContain('⏱️ Timed out');
  });

  it('bad inputs fail with a message naming each input, no stack trace', async () => {
    const r = await runBundle('health-gate', {
      inputs: { url: 'http://127.0.0.1:9/', 'expected-status': '2xx', timeout: 'soon', 'success-threshold': '0' },
    });
    expect(r.exitCode).toBe(1);
    const message = r.annotations.map((a) => a.message).join('\n');
    expect(message).toContain(`Invalid input 'timeout': got "soon"`);
    expect(message).toContain(`Invalid input 'success-threshold': got "0"; expected a whole number from 1 to 1000`);
    expect(r.log).not.toMatch(/\n\s+at /);
    expect(r.outputs.healthy).toBe('');

    const status = await runBundle('health-gate', { inputs: { url: 'http://127.0.0.1:9/', 'expected-status': '2xx' } });
    expect(status.annotations[0].message).toContain(`Invalid input 'expected-status': got "2xx"`);

    const nothing = await runBundle('health-gate', { inputs: {} });
    expect(nothing.annotations[0].message).toBe(
      "Input required: give 'url' or 'checks-file' (HTTP checks), 'fly-app' (machines), or both",
    );

    const machines = await runBundle('health-gate', { inputs: { url: 'http://127.0.0.1:9/', 'per-machine': 'true' } });
    expect(machines.annotations[0].message).toBe("Input 'per-machine' needs 'fly-app': the machines of which app?");

    const header = await runBundle('health-gate', {
      inputs: { url: 'http://127.0.0.1:9/', headers: `Authorization ${HEALTH_TOKEN}` },
    });
    expect(header.annotations[0].message).toBe(`Invalid input 'headers': line 1 is not "Name: value"`);
  });
});
