/**
 * deploy.yml's health verification by kind and version: the shell steps run with bash, the
 * expressions with GitHub's expression engine, as the runner would run them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFileCommands } from '@deploy-actions/runner';
import { describe, expect, test } from 'vitest';
import { loadWorkflow, ROOT, readActionContract } from './workflow-checks';
import { evaluate } from './workflow-expressions';

const deploy = loadWorkflow(join(ROOT, '.github/workflows/deploy.yml'));
const step = (job: string, id: string) => deploy.data.jobs[job].steps.find((s: { id?: string }) => s.id === id);

/** Runs a step's bash script with env; returns its outputs, or its exit code and stderr when it fails. */
function runScript(id: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-step-'));
  try {
    const out = join(dir, 'output');
    const result = spawnSync('bash', ['-e', '-c', step('deploy', id).run], {
      env: { PATH: process.env.PATH, GITHUB_OUTPUT: out, ...env },
      encoding: 'utf8',
    });
    if (result.status !== 0) return { status: result.status, stderr: result.stderr, outputs: {} };
    return { status: 0, stderr: result.stderr, outputs: parseFileCommands(readFileSync(out, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('deploy.yml: the version setting, shared by the health gate and the rollback', () => {
  const plan = (env: Record<string, string>) =>
    runScript('verify-plan', { CHECK: '', VERSION_FROM: 'none', EXPECTED_VERSION: '', ...env });

  test.each([
    ['none (the default)', {}, { 'gate-version-from': 'none', 'gate-version': '', 'rollback-version-from': 'none' }],
    [
      'image-label',
      { VERSION_FROM: 'image-label' },
      { 'gate-version-from': 'image-label', 'rollback-version-from': 'image-label', 'rollback-version': '' },
    ],
    [
      'git-tag on a tag',
      { VERSION_FROM: 'git-tag', REF_TYPE: 'tag', REF_NAME: 'v1.0.0' },
      { 'gate-version-from': 'fixed', 'gate-version': 'v1.0.0', 'rollback-version-from': 'none' },
    ],
    [
      'a fixed string',
      { VERSION_FROM: '2026.12.1' },
      { 'gate-version': '2026.12.1', 'rollback-version-from': 'none', 'rollback-version': '2026.12.1' },
    ],
    ['expected-version wins', { VERSION_FROM: 'image-label', EXPECTED_VERSION: 'abc' }, { 'gate-version': 'abc' }],
  ] as const)('%s', (_, env, outputs) => {
    const r = plan(env);
    expect(r.status, r.stderr).toBe(0);
    expect(r.outputs).toMatchObject(outputs);
  });

  test.each([
    [
      { VERSION_FROM: 'git-tag', REF_TYPE: 'branch', REF_NAME: 'main' },
      /Invalid input 'version-from': git-tag needs a run on a tag/,
    ],
    [{ CHECK: 'disk' }, /Invalid input 'check': expected http, machines, both or empty/],
    [{ VERSION_FROM: 'v1\nv2' }, /Invalid input 'version-from': one line expected/],
    [{ HEALTH_PATH: 'v1/healthz' }, /Invalid input 'health-path': expected a path starting with \//],
    [{ HEALTH_PATH: '/v1/health z' }, /Invalid input 'health-path'/],
    [{ HEALTH_PATH: '/a\n/b' }, /Invalid input 'health-path'/],
  ])('refuses %j before anything changes', (env, message) => {
    const r = plan(env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(deploy.data.jobs.deploy.steps.findIndex((s: { id?: string }) => s.id === 'verify-plan')).toBeLessThan(
      deploy.data.jobs.deploy.steps.findIndex((s: { id?: string }) => s.id === 'migrate'),
    );
  });
});

describe('deploy.yml: the kind of verification', () => {
  const kind = (env: Record<string, string>) =>
    runScript('kind', {
      CHECK: '',
      HAS_SERVICES: 'true',
      VERIFY_MACHINES: 'true',
      APP_URL: 'https://jobs.fly.dev/',
      HEALTH_PATH: '/health',
      ...env,
    }).outputs;
  const url = 'https://jobs.fly.dev/health';

  test.each([
    ['a fly.toml with a service: http, with the machines', {}, { kind: 'http', gate: 'both', 'health-url': url }],
    [
      'a worker (no service): machines, no URL',
      { HAS_SERVICES: 'false' },
      { kind: 'machines', gate: 'machines', 'health-url': '' },
    ],
    ['no fly.toml (an image deploy): http', { HAS_SERVICES: '' }, { kind: 'http', gate: 'both', 'health-url': url }],
    ['verify-machines off: http only', { VERIFY_MACHINES: 'false' }, { kind: 'http', gate: 'http', 'health-url': url }],
    [
      'asked: machines, even with a service',
      { CHECK: 'machines' },
      { kind: 'machines', gate: 'machines', 'health-url': '' },
    ],
    ['asked: both', { CHECK: 'both', VERIFY_MACHINES: 'false' }, { kind: 'both', gate: 'both', 'health-url': url }],
    [
      'health-path on the app URL, one slash between',
      { HEALTH_PATH: '/v1/healthz' },
      { kind: 'http', gate: 'both', 'health-url': 'https://jobs.fly.dev/v1/healthz' },
    ],
    [
      'an app URL without the slash',
      { APP_URL: 'https://jobs.fly.dev', HEALTH_PATH: '/v1/healthz' },
      { kind: 'http', gate: 'both', 'health-url': 'https://jobs.fly.dev/v1/healthz' },
    ],
    [
      'health-url (several lines) wins over health-path',
      { HEALTH_URL: 'https://a.test/up\nhttps://b.test/up', HEALTH_PATH: '/v1/healthz' },
      { kind: 'http', gate: 'both', 'health-url': 'https://a.test/up\nhttps://b.test/up' },
    ],
  ] as const)('%s', (_, env, outputs) => {
    expect(kind(env)).toEqual(outputs);
  });

  test('health-path defaults to /health and is declared for callers', () => {
    expect(deploy.data.on.workflow_call.inputs['health-path']).toMatchObject({ type: 'string', default: '/health' });
  });

  const health = step('deploy', 'health').with;
  const rollback = step('deploy', 'rollback').with;
  const context = (kindOut: string, gate: string, plan: Record<string, string> = {}) => ({
    inputs: { app: 'jobs', 'health-url': '', 'checks-file': 'smoke.yml' },
    steps: {
      kind: {
        outputs: { kind: kindOut, gate, 'health-url': kindOut === 'machines' ? '' : 'https://jobs.fly.dev/health' },
      },
      'verify-plan': { outputs: { 'gate-version-from': 'none', 'gate-version': '', ...plan } },
      deploy: {
        outputs: { 'app-url': 'https://jobs.fly.dev/', 'release-version': '7', 'image-label': 'main-abc1234' },
      },
    },
  });

  test('machines: no URL, no suite, the app and release for the machine check, and the rollback the same', () => {
    const c = context('machines', 'machines');
    expect(evaluate(health.url, c)).toBe('');
    expect(evaluate(health['checks-file'], c)).toBe('');
    expect(evaluate(health.check, c)).toBe('machines');
    expect(evaluate(health['fly-app'], c)).toBe('jobs');
    expect(evaluate(health['fly-release-version'], c)).toBe('7');
    expect(evaluate(rollback.check, c)).toBe('machines');
    expect(evaluate(rollback['health-url'], c)).toBe('');
    expect(evaluate(rollback['checks-file'], c)).toBe('');
  });

  test('http: <app URL>/health and the suite; version from the image label when asked', () => {
    const c = context('http', 'http', { 'gate-version-from': 'image-label' });
    expect(evaluate(health.url, c)).toBe('https://jobs.fly.dev/health');
    expect(evaluate(health['checks-file'], c)).toBe('smoke.yml');
    expect(evaluate(health['fly-app'], c)).toBe('');
    expect(evaluate(health['expected-version'], c)).toBe('main-abc1234');
    expect(evaluate(rollback.check, c)).toBe('http');
    expect(evaluate(rollback['health-url'], c)).toBe('https://jobs.fly.dev/health');
    const fixed = context('http', 'both', { 'gate-version-from': 'fixed', 'gate-version': 'v1.0.0' });
    expect(evaluate(health['expected-version'], fixed)).toBe('v1.0.0');
    expect(evaluate(health['fly-app'], fixed)).toBe('jobs');
  });
});

describe('deploy.yml: pass-throughs to the actions', () => {
  const call = deploy.data.on.workflow_call;
  const withOf = (id: string) => step('deploy', id).with as Record<string, string>;

  test.each([
    ['fly-deploy', 'deploy', ['create-app', 'org', 'ha', 'ipv6', 'deploy-retries']],
    ['health-gate', 'health', ['soak', 'max-error-rate', 'max-p95-ms', 'version-field', 'version-header']],
    ['auto-rollback', 'rollback', ['version-field', 'version-header']],
    ['pg-migrate', 'migrate', ['lint']],
  ] as const)('%s gets %j from the inputs of the same name', (_, id, names) => {
    for (const name of names) {
      expect(call.inputs[name]?.description, name).toBeTruthy();
      expect(withOf(id)[name]).toBe(`\${{ inputs.${name} }}`);
    }
  });

  test("pg-migrate's settings a caller needs reach both migrate steps as migrate-<input>", () => {
    const migrateInputs = Object.keys(readActionContract('pg-migrate')?.inputs ?? {});
    const names = [
      'baseline',
      'allow-pooler',
      'allow-out-of-order',
      'allow-drift',
      'lock-wait',
      'lock-timeout',
      'statement-timeout',
    ];
    for (const name of names) {
      expect(migrateInputs, name).toContain(name);
      expect(call.inputs[`migrate-${name}`]?.description, name).toBeTruthy();
      for (const id of ['migrate', 'migrate-after']) expect(withOf(id)[name]).toBe(`\${{ inputs.migrate-${name} }}`);
    }
    // Empty strings fall back to pg-migrate's own defaults (2m, 5s, off); the switches default to off.
    for (const name of ['baseline', 'lock-wait', 'lock-timeout', 'statement-timeout']) {
      expect(call.inputs[`migrate-${name}`]).toMatchObject({ type: 'string', default: '' });
    }
    for (const name of ['allow-pooler', 'allow-out-of-order', 'allow-drift']) {
      expect(call.inputs[`migrate-${name}`]).toMatchObject({ type: 'boolean', default: false });
    }
  });

  test('the smoke suite secrets reach the gate and the rollback, from a declared secret', () => {
    expect(call.secrets.SMOKE_SECRETS).toMatchObject({ required: false });
    expect(withOf('health').secrets).toBe('${{ secrets.SMOKE_SECRETS }}');
    expect(withOf('rollback').secrets).toBe('${{ secrets.SMOKE_SECRETS }}');
  });

  test('the runbook soak ("error rate > 5% for 5 minutes") is expressible', () => {
    const inputs = { soak: '5m', 'max-error-rate': '5', 'max-p95-ms': '' };
    expect(evaluate(withOf('health').soak, { inputs })).toBe('5m');
    expect(evaluate(withOf('health')['max-error-rate'], { inputs })).toBe('5');
  });

  test('a "started" notification only when asked, never recording a deployment', () => {
    const started = step('deploy', 'started');
    expect(evaluate(started.if, { inputs: { notify: true, 'notify-started': true } }, { condition: true })).toBe(true);
    expect(evaluate(started.if, { inputs: { notify: true, 'notify-started': false } }, { condition: true })).toBe(
      false,
    );
    expect(evaluate(started.if, { inputs: { notify: false, 'notify-started': true } }, { condition: true })).toBe(
      false,
    );
    expect(started.with['github-deployment']).toBe(false);
  });
});

describe('deploy.yml: secret rules', () => {
  test('the rules reach fly-secrets-sync, with the fly.toml whose [env] they also judge', () => {
    const sync = step('deploy', 'secrets').with as Record<string, string>;
    expect(sync.rules).toBe('${{ inputs.secret-rules }}');
    expect(evaluate(sync.config, { inputs: { 'working-directory': 'fly', config: 'fly.api.toml' } })).toBe(
      'fly/fly.api.toml',
    );
    expect(evaluate(sync.config, { inputs: { 'working-directory': '.', config: 'fly.toml' } })).toBe('./fly.toml');
  });
});

describe('deploy.yml: staging healthy before production (pre-gate-url)', () => {
  const gate = deploy.data.jobs.gate;
  const pre = gate.steps.find((s: { id?: string }) => s.id === 'pre-gate');

  test('probes the URL in the gate job, only when given and the window did not close', () => {
    expect(pre.uses).toBe('$/health-gate');
    expect(pre.with).toMatchObject({ check: 'http', url: '${{ inputs.pre-gate-url }}' });
    const decide = (url: string, allowed: string) =>
      evaluate(
        pre.if,
        { inputs: { 'pre-gate-url': url }, steps: { window: { outputs: { allowed } } } },
        {
          condition: true,
        },
      );
    expect(decide('https://staging.test/health', '')).toBe(true);
    expect(decide('https://staging.test/health', 'true')).toBe(true);
    expect(decide('https://staging.test/health', 'false')).toBe(false);
    expect(decide('', '')).toBe(false);
  });

  test('without business-hours the window does not hold the deploy back', () => {
    expect(evaluate(gate.outputs.allowed, { steps: { window: { outputs: {} } } })).toBe('true');
    expect(evaluate(gate.outputs.allowed, { steps: { window: { outputs: { allowed: 'false' } } } })).toBe('false');
  });
});
