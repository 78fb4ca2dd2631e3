import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  findWorkflows,
  loadWorkflow,
  ownUsesProblems,
  pinConsistencyProblems,
  pinProblems,
  pullRequestTargetProblems,
  ROOT,
  readActionContract,
  referenceProblems,
  runExpressionProblems,
  schemaProblems,
  secretsInheritProblems,
  topPermissionsProblems,
  type WorkflowFile,
  workflowFromText,
  workflowProblems,
} from './workflow-checks';
import { evaluate, type JobStatus } from './workflow-expressions';

const CHECKOUT = 'actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1';
const wf = (text: string): WorkflowFile => workflowFromText('bad.yml', text);
const deploy = loadWorkflow(join(ROOT, '.github/workflows/deploy.yml'));
const preview = loadWorkflow(join(ROOT, '.github/workflows/preview.yml'));

describe('every workflow in .github/workflows and examples/', () => {
  const files = findWorkflows().map((f) => relative(ROOT, f));

  test('includes the pipelines, this repo automation and the examples', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/deploy.yml',
        '.github/workflows/plan.yml',
        '.github/workflows/preview.yml',
        '.github/workflows/release.yml',
        'examples/deploy-backend.yml',
        'examples/deploy-production.yml',
        'examples/monorepo.yml',
        'examples/plan.yml',
        'examples/preview.yml',
      ]),
    );
  });

  test('pin each third-party action to the same commit', () => {
    expect(pinConsistencyProblems(files.map((f) => loadWorkflow(join(ROOT, f))))).toEqual([]);
  });

  test.each(files)('%s passes every check', async (file) => {
    expect(await workflowProblems(loadWorkflow(join(ROOT, file)))).toEqual([]);
  });
});

describe('the checks catch', () => {
  const ok = `on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n`;

  test('a clean workflow has no problems (baseline)', async () => {
    expect(await workflowProblems(wf(ok))).toEqual([]);
  });

  test('schema errors, including a context GitHub does not allow where it is used', async () => {
    expect(await schemaProblems(wf(ok.replace('permissions: {}', 'permissions: {bogus: write}')))).toEqual([
      expect.stringContaining("Unexpected value 'bogus'"),
    ]);
    const secretInIf = ok.replace('- run: echo hi', "- if: secrets.TOKEN != ''\n        run: echo hi");
    expect(await schemaProblems(wf(secretInIf))).toEqual([
      expect.stringContaining("Unrecognized named-value: 'secrets'"),
    ]);
  });

  test('no top-level permissions', () => {
    expect(topPermissionsProblems(wf(ok.replace('permissions: {}\n', '')))).toEqual([
      expect.stringContaining('no top-level `permissions:`'),
    ]);
  });

  test('secrets: inherit', () => {
    const text = `on: push\npermissions: {}\njobs:\n  a:\n    uses: $/.github/workflows/deploy.yml\n    secrets: inherit\n`;
    expect(secretsInheritProblems(wf(text))).toEqual([expect.stringContaining('secrets: inherit')]);
  });

  test('pull_request_target in every spelling of on:', () => {
    for (const on of [
      'pull_request_target',
      '[push, pull_request_target]',
      '{pull_request_target: {types: [opened]}}',
    ]) {
      expect(pullRequestTargetProblems(wf(ok.replace('on: push', `on: ${on}`)))).toHaveLength(1);
    }
    expect(pullRequestTargetProblems(wf(ok.replace('on: push', 'on: pull_request')))).toEqual([]);
  });

  test('${{ }} inside run:', () => {
    const text = ok.replace('echo hi', 'echo "${{ github.event.pull_request.title }}"');
    expect(runExpressionProblems(wf(text))).toEqual([expect.stringContaining('inside run:')]);
  });

  test('third-party actions not pinned to a SHA with a version comment', () => {
    const step = (uses: string) => ok.replace('- run: echo hi', `- uses: ${uses}`);
    expect(pinProblems(wf(step(CHECKOUT)))).toEqual([]);
    expect(pinProblems(wf(step('actions/checkout@v7')))).toEqual([expect.stringContaining('not pinned')]);
    expect(pinProblems(wf(step('actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1')))).toEqual([
      expect.stringContaining('no version comment'),
    ]);
    expect(pinProblems(wf(step('docker://alpine:3')))).toEqual([expect.stringContaining('digest')]);
    expect(pinProblems(wf(step('your-org/deploy-actions/fly-deploy@main')))).toEqual([
      expect.stringContaining('release tag'),
    ]);
    expect(pinProblems(wf(step('$/fly-deploy')))).toEqual([]);
  });

  test('one action pinned to two different commits', () => {
    const a = workflowFromText('a.yml', `steps:\n  - uses: ${CHECKOUT}\n`);
    const b = workflowFromText(
      'b.yml',
      'steps:\n  - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2\n',
    );
    expect(pinConsistencyProblems([a, a])).toEqual([]);
    expect(pinConsistencyProblems([a, b])).toEqual([
      expect.stringContaining('b.yml: actions/checkout is pinned to de0fac2'),
    ]);
  });

  test('with: keys our actions do not declare, and missing required inputs', () => {
    const required = Object.entries(readActionContract('auto-rollback')?.inputs ?? {}).find(([, s]) => s.required)?.[0];
    expect(required).toBeDefined();
    const text = ok.replace('- run: echo hi', '- uses: $/auto-rollback\n        with:\n          no-such-input: x');
    expect(ownUsesProblems(wf(text))).toEqual([
      expect.stringContaining('with.no-such-input is not an input of auto-rollback/action.yml'),
      expect.stringContaining(`required input ${required} is not given`),
    ]);
    expect(ownUsesProblems(wf(ok.replace('- run: echo hi', '- uses: $/no-such-action')))).toEqual([
      expect.stringContaining('no action.yml at no-such-action/'),
    ]);
    expect(ownUsesProblems(wf(ok.replace('- run: echo hi', '- uses: $/notify@v1')))).toEqual([
      expect.stringContaining('takes no @ref'),
    ]);
  });

  test('calls of our reusable workflows: inputs, secrets and permissions', () => {
    const text = `on: push\npermissions: {}\njobs:\n  a:\n    permissions: {contents: read}\n    uses: your-org/deploy-actions/.github/workflows/deploy.yml@v1\n    with: {environment: staging, colour: blue}\n    secrets: {TOKEN: x}\n`;
    expect(ownUsesProblems(wf(text))).toEqual([
      expect.stringContaining('with.colour is not an input'),
      expect.stringContaining('required input app is not given'),
      expect.stringContaining('secrets.TOKEN is not a secret'),
      expect.stringContaining('required secret FLY_API_TOKEN is not given'),
      expect.stringContaining('needs `deployments: write`'),
      expect.stringContaining('needs `actions: read`'),
    ]);
  });

  test('needs, job outputs, step ids and step outputs that do not exist', () => {
    const text = `on:
  workflow_call:
    inputs:
      app: {type: string, required: true}
    secrets:
      TOKEN: {required: true}
    outputs:
      url: {value: "\${{ jobs.b.outputs.url }}"}
      nope: {value: "\${{ jobs.zzz.outputs.url }}"}
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      deployed: \${{ steps.go.outputs.release-version }}
    steps:
      - id: early
        run: echo "\${APP} \${{ steps.go.outputs.app-url }}"
      - id: go
        uses: $/fly-deploy
        with:
          app: \${{ inputs.app }}
          fly-api-token: \${{ secrets.TOKEN }}
      - id: calc
        run: echo "answer=42" >> "$GITHUB_OUTPUT"
      - if: steps.calc.outputs.answer == '42' && steps.calc.outputs.question && steps.go.outputs.no-such-output
        run: echo \${{ inputs.colour }} \${{ secrets.OTHER }}
  b:
    needs: [a, ghost]
    runs-on: ubuntu-latest
    outputs:
      url: \${{ needs.a.outputs.deployed }} \${{ needs.a.outputs.missing }}
    steps:
      - run: echo
  c:
    runs-on: ubuntu-latest
    if: needs.a.result == 'success'
    steps:
      - run: echo
`;
    expect(referenceProblems(wf(text))).toEqual([
      expect.stringContaining('on.workflow_call.outputs.nope.value: jobs.zzz does not exist'),
      expect.stringContaining('steps.go is not an earlier step'),
      expect.stringContaining("step calc's script never writes output question"),
      expect.stringContaining('step go has no output no-such-output'),
      expect.stringContaining('inputs.colour is not a declared input'),
      expect.stringContaining('secrets.OTHER is not a declared secret'),
      expect.stringContaining('jobs.b needs ghost, which is not a job'),
      expect.stringContaining('job a has no output missing'),
      expect.stringContaining("needs.a is not in this job's needs"),
    ]);
  });
});

describe('deploy.yml', () => {
  const call = deploy.data.on.workflow_call;
  const jobs = deploy.data.jobs;
  const step = (job: string, id: string) => jobs[job].steps.find((s: { id?: string }) => s.id === id);

  test('declares the interface the issue lists', () => {
    expect(Object.keys(call.inputs)).toEqual(
      expect.arrayContaining(
        ['app', 'environment', 'config', 'working-directory', 'image', 'image-label', 'strategy', 'reason']
          .concat(['health-url', 'checks-file', 'expected-version', 'migrations-dir', 'migrate', 'business-hours'])
          .concat(['timezone', 'holidays', 'override', 'override-reason', 'secrets-mode', 'notify', 'gate-now']),
      ),
    );
    expect(call.inputs.app.required).toBe(true);
    expect(call.inputs['gate-now'].default).toBe('');
    expect(call.secrets).toEqual({
      FLY_API_TOKEN: expect.objectContaining({ required: true }),
      ...Object.fromEntries(
        [
          'DATABASE_URL',
          'APP_SECRETS',
          'BUILD_SECRETS',
          'SLACK_WEBHOOK_URL',
          'TEAMS_WEBHOOK_URL',
          'DISCORD_WEBHOOK_URL',
        ]
          .concat(['WEBHOOK_URL', 'WEBHOOK_SECRET', 'SMTP_URL', 'SMOKE_SECRETS'])
          .map((name) => [name, expect.objectContaining({ required: false })]),
      ),
    });
    expect(Object.keys(call.outputs)).toEqual(expect.arrayContaining(['release-version', 'image-ref', 'app-url']));
    expect(Object.keys(call.outputs)).toContain('rolled-back');
    for (const input of Object.values<{ description?: string }>(call.inputs)) expect(input.description).toBeTruthy();
  });

  test('runs gate, then the deploy steps in pipeline order, then notify', () => {
    expect(jobs.deploy.needs).toBe('gate');
    expect(jobs.notify.needs).toEqual(['gate', 'deploy']);
    expect(jobs.notify.if).toBe('always()');
    const uses = jobs.deploy.steps
      .map((s: { uses?: string }) => s.uses ?? '')
      .filter((u: string) => u.startsWith('$/'));
    // pg-migrate twice: before the deploy, or after it (migrate-phase), never both.
    expect(uses).toEqual([
      '$/notify',
      '$/pg-migrate',
      '$/fly-secrets-sync',
      '$/fly-deploy',
      '$/pg-migrate',
      '$/health-gate',
      '$/auto-rollback',
    ]);
    expect(step('deploy', 'started').with).toMatchObject({ status: 'started', 'github-deployment': false });
  });

  test('least privilege, the environment, and one deploy per app and environment without cancelling', () => {
    expect(deploy.data.permissions).toEqual({});
    expect(jobs.gate.permissions).toEqual({});
    expect(jobs.deploy.permissions).toEqual({ contents: 'read', deployments: 'read', actions: 'read' });
    expect(jobs.deploy.environment.name).toBe('${{ inputs.environment }}');
    expect(jobs.deploy.concurrency).toEqual({
      group: 'fly-deploy-${{ inputs.app }}-${{ inputs.environment }}',
      'cancel-in-progress': false,
    });
  });

  test("this repo's actions are referenced at the workflow's own commit ($/), never by tag", () => {
    for (const file of [deploy, preview]) {
      const own = Object.values<{ steps?: { uses?: string }[] }>(file.data.jobs)
        .flatMap((job) => (job.steps ?? []).map((s) => s.uses ?? ''))
        .filter((u) => u !== '' && !u.startsWith('actions/'));
      expect(own.length).toBeGreaterThan(0);
      for (const uses of own) expect(uses).toMatch(/^\$\/[a-z-]+$/);
    }
  });

  describe('deploys only when the window is open (or overridden), or the gate was skipped', () => {
    test.each([
      ['open', 'success', 'true', 'success', true],
      ['closed (the gate warns and succeeds)', 'success', 'false', 'success', false],
      ['skipped (business-hours off)', 'skipped', '', 'success', true],
      ['failed (invalid inputs)', 'failure', '', 'failure', false],
      ['cancelled', 'cancelled', '', 'cancelled', false],
    ] as const)('gate %s', (_, result, allowed, status, expected) => {
      const needs = { gate: { result, outputs: { allowed } } };
      expect(evaluate(jobs.deploy.if, { needs }, { status, condition: true })).toBe(expected);
    });
  });

  test('a closed window does not fail the gate job: the run ends green with result skipped', () => {
    expect(step('gate', 'window').with.mode).toBe('warn');
  });

  describe('rolls back only when this run created a release and a step failed', () => {
    const condition = step('deploy', 'rollback').if as string;
    const decide = (status: JobStatus, releaseVersion: string, rollback = true) =>
      evaluate(
        condition,
        { inputs: { rollback }, steps: { deploy: { outputs: { 'release-version': releaseVersion } } } },
        { status, condition: true },
      );
    test.each([
      ['health gate failed after a release', 'failure', '42', true, true],
      ['deploy failed before creating a release', 'failure', '', true, false],
      ['everything passed', 'success', '42', true, false],
      ['cancelled', 'cancelled', '42', true, false],
      ['rollback switched off', 'failure', '42', false, false],
    ] as const)('%s', (_, status, version, rollback, expected) => {
      expect(decide(status, version, rollback)).toBe(expected);
    });
  });

  test('the gate job runs only with business-hours or pre-gate-url, and passes the rehearsal clock through', () => {
    const gate = step('gate', 'window');
    const gateIf = (inputs: Record<string, unknown>) =>
      evaluate(jobs.gate.if, { inputs: { 'pre-gate-url': '', ...inputs } }, { condition: true });
    expect(gateIf({ 'business-hours': false })).toBe(false);
    expect(gateIf({ 'business-hours': true })).toBe(true);
    expect(gateIf({ 'business-hours': false, 'pre-gate-url': 'https://staging.test/health' })).toBe(true);
    expect(evaluate(gate.with.now, { inputs: { 'gate-now': '2026-11-21T12:00:00-08:00' } })).toBe(
      '2026-11-21T12:00:00-08:00',
    );
  });

  describe('migrate-phase: one migrate step runs, before or after fly-deploy', () => {
    const order = () => jobs.deploy.steps.map((s: { id?: string }) => s.id ?? '');
    test('before-deploy migrates before fly-deploy, after-deploy between fly-deploy and the health gate', () => {
      const ids = order();
      expect(ids.indexOf('migrate')).toBeLessThan(ids.indexOf('deploy'));
      expect(ids.indexOf('migrate-after')).toBeGreaterThan(ids.indexOf('deploy'));
      expect(ids.indexOf('migrate-after')).toBeLessThan(ids.indexOf('health'));
    });
    test.each([
      ['before-deploy', true, [true, false]],
      ['after-deploy', true, [false, true]],
      ['before-deploy', false, [false, false]],
    ] as const)('%s (migrate %s)', (phase, migrate, expected) => {
      const inputs = { migrate, 'migrate-phase': phase };
      const runs = ['migrate', 'migrate-after'].map((id) =>
        evaluate(step('deploy', id).if, { inputs }, { status: 'success', condition: true }),
      );
      expect(runs).toEqual(expected);
    });
    test('both pass the migrator command and its app, and the backup path, the same way', () => {
      for (const id of ['migrate', 'migrate-after']) {
        const w = step('deploy', id).with;
        const inputs = {
          app: 'ampel-api',
          'migrate-command': '/app/ampel-api migrate run',
          'migrate-command-on': 'machine',
          backup: true,
        };
        expect(evaluate(w.command, { inputs })).toBe('/app/ampel-api migrate run');
        expect(evaluate(w.app, { inputs })).toBe('ampel-api');
        // On the runner (pg-migrate without app), with DATABASE_URL: Prisma through the tunnel.
        expect(evaluate(w.app, { inputs: { ...inputs, 'migrate-command-on': 'runner' } })).toBe('');
        expect(evaluate(w.app, { inputs: { ...inputs, 'migrate-command': '' } })).toBe('');
        expect(evaluate(w.backup, { inputs, runner: { temp: '/tmp/r' } })).toBe('/tmp/r/backup-ampel-api.dump');
        expect(evaluate(w.backup, { inputs: { ...inputs, backup: false }, runner: { temp: '/tmp/r' } })).toBe('');
      }
    });
    test("the rollback reverts SQL migrations, never an app's own migrator", () => {
      const revert = step('deploy', 'rollback').with['rollback-migrations'];
      expect(evaluate(revert, { inputs: { 'rollback-migrations': true, 'migrate-command': '' } })).toBe('true');
      expect(evaluate(revert, { inputs: { 'rollback-migrations': true, 'migrate-command': 'x migrate' } })).toBe(
        'false',
      );
      expect(evaluate(revert, { inputs: { 'rollback-migrations': false, 'migrate-command': '' } })).toBe('false');
    });
    test('the rollback reaches the tracking table and the database as both migrate steps did', () => {
      const inputs = {
        'migrations-schema': 'ops',
        'migrations-table': 'migration_log',
        'migrate-allow-pooler': true,
        'fly-postgres-app': 'shop-db',
      };
      for (const id of ['migrate', 'migrate-after']) {
        const w = step('deploy', id).with;
        expect(evaluate(w.schema, { inputs })).toBe('ops');
        expect(evaluate(w.table, { inputs })).toBe('migration_log');
        expect(evaluate(w['allow-pooler'], { inputs })).toBe('true');
        expect(evaluate(w['fly-postgres-app'], { inputs })).toBe('shop-db');
      }
      const r = step('deploy', 'rollback').with;
      expect(evaluate(r['migrations-schema'], { inputs })).toBe('ops');
      expect(evaluate(r['migrations-table'], { inputs })).toBe('migration_log');
      expect(evaluate(r['allow-pooler'], { inputs })).toBe('true');
      expect(evaluate(r['fly-postgres-app'], { inputs })).toBe('shop-db');
    });
    test('the rollback reverts to the version before whichever phase migrated', () => {
      const to = step('deploy', 'rollback').with['migrate-to'];
      expect(
        evaluate(to, {
          steps: { migrate: { outputs: {} }, 'migrate-after': { outputs: { 'previous-version': '7' } } },
        }),
      ).toBe('7');
      expect(
        evaluate(to, {
          steps: { migrate: { outputs: { 'previous-version': '5' } }, 'migrate-after': { outputs: {} } },
        }),
      ).toBe('5');
    });
    test.each([
      ['before-deploy', 0],
      ['after-deploy', 0],
      ['after_deploy', 1],
      ['', 1],
    ] as const)("the phase check accepts only the two phases: '%s'", (phase, status) => {
      const r = spawnSync('bash', ['-e', '-c', step('deploy', 'phase').run], {
        env: { PATH: process.env.PATH, MIGRATE_PHASE: phase, MIGRATE_ON: 'runner' },
        encoding: 'utf8',
      });
      expect(r.status).toBe(status);
      if (status) expect(r.stdout).toContain("Input 'migrate-phase' must be before-deploy or after-deploy");
    });
    test.each([
      ['runner', 0],
      ['machine', 0],
      ['ssh', 1],
      ['', 1],
    ] as const)("and where the command runs: '%s'", (on, status) => {
      const r = spawnSync('bash', ['-e', '-c', step('deploy', 'phase').run], {
        env: { PATH: process.env.PATH, MIGRATE_PHASE: 'before-deploy', MIGRATE_ON: on },
        encoding: 'utf8',
      });
      expect(r.status).toBe(status);
      if (status) expect(r.stdout).toContain("Input 'migrate-command-on' must be runner or machine");
    });
  });

  test('the backup outlives the job as an artifact, kept as long as the caller says, even after a failure', () => {
    const upload = jobs.deploy.steps.find((s: { uses?: string }) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload.if).toMatch(/^always\(\)/);
    expect(upload.with['retention-days']).toBe('${{ inputs.backup-retention-days }}');
    expect(upload.with['if-no-files-found']).toBe('error');
    const steps = {
      migrate: { outputs: { 'backup-path': '' } },
      'migrate-after': { outputs: { 'backup-path': '/tmp/b.dump' } },
    };
    expect(evaluate(upload.if, { steps }, { status: 'failure', condition: true })).toBe(true);
    expect(evaluate(upload.with.path, { steps })).toBe('/tmp/b.dump');
    const none = { migrate: { outputs: { 'backup-path': '' } }, 'migrate-after': { outputs: {} } };
    expect(evaluate(upload.if, { steps: none }, { status: 'success', condition: true })).toBe(false);
    expect(call.inputs['backup-retention-days']).toMatchObject({ type: 'number', default: 30 });
  });

  test('build arguments and build secrets reach fly-deploy', () => {
    const w = step('deploy', 'deploy').with;
    expect(w['build-args']).toBe('${{ inputs.build-args }}');
    expect(w['build-secrets']).toBe('${{ secrets.BUILD_SECRETS }}');
  });

  test('the health gate and the rollback probe the URL the kind step chose', () => {
    const steps = { kind: { outputs: { 'health-url': 'https://shop.fly.dev/v1/healthz' } } };
    expect(evaluate(step('deploy', 'health').with.url, { steps })).toBe('https://shop.fly.dev/v1/healthz');
    expect(evaluate(step('deploy', 'rollback').with['health-url'], { steps })).toBe('https://shop.fly.dev/v1/healthz');
  });

  describe('notify reports the outcome', () => {
    const script = step('notify', 'status').run as string;
    const outcome = (env: Record<string, string>) => {
      const dir = mkdtempSync(join(tmpdir(), 'deploy-status-'));
      try {
        const out = join(dir, 'output');
        const result = spawnSync('bash', ['-e', '-c', script], {
          env: { PATH: process.env.PATH, GITHUB_OUTPUT: out, GATE_RESULT: 'success', DEPLOY_RESULT: 'success', ...env },
          encoding: 'utf8',
        });
        expect(result.status, result.stderr).toBe(0);
        const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
        return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };

    test.each([
      ['success', {}, 'success'],
      ['success without the gate', { GATE_RESULT: 'skipped' }, 'success'],
      ['window closed', { GATE_RESULT: 'success', GATE_ALLOWED: 'false', DEPLOY_RESULT: 'skipped' }, 'skipped'],
      ['gate errored', { GATE_RESULT: 'failure', GATE_ALLOWED: '', DEPLOY_RESULT: 'skipped' }, 'failure'],
      ['deploy failed', { DEPLOY_RESULT: 'failure', ROLLED_BACK: 'false' }, 'failure'],
      [
        'rolled back and verified',
        { DEPLOY_RESULT: 'failure', ROLLED_BACK: 'true', ROLLBACK_VERIFIED: 'true' },
        'rolled-back',
      ],
      [
        'rollback not verified',
        { DEPLOY_RESULT: 'failure', ROLLED_BACK: 'true', ROLLBACK_VERIFIED: 'false' },
        'failure',
      ],
      ['cancelled', { DEPLOY_RESULT: 'cancelled' }, 'cancelled'],
    ])('%s', (_, env, status) => {
      expect(outcome(env).status).toBe(status);
    });

    test('a rollback is reported with what runs now, and names the versions rolled back from and to', () => {
      const out = outcome({
        DEPLOY_RESULT: 'failure',
        IMAGE_REF: 'registry.fly.io/shop:crash',
        RELEASE_VERSION: '43',
        IMAGE_DIGEST: `sha256:${'c'.repeat(64)}`,
        ROLLED_BACK: 'true',
        ROLLBACK_VERIFIED: 'true',
        ROLLBACK_IMAGE: 'registry.fly.io/shop:good@sha256:0a1b',
        ROLLBACK_RELEASE: '44',
        ROLLBACK_REASON: 'v42 was the newest verified release.',
      });
      expect(out).toEqual({
        status: 'rolled-back',
        message:
          'Rolled back from crash (release 43) to good (release 44). auto-rollback: v42 was the newest verified release.',
        'image-ref': 'registry.fly.io/shop:good@sha256:0a1b',
        // The digest read after the deploy is the failed image's: never recorded for the image put back.
        'image-digest': '',
        'release-version': '44',
        version: 'good',
      });
    });

    test("a success passes on the digest fly-deploy read from the machines, for notify's record", () => {
      const digest = `sha256:${'d'.repeat(64)}`;
      const out = outcome({ IMAGE_REF: 'registry.fly.io/shop:v7', IMAGE_DIGEST: digest, RELEASE_VERSION: '7' });
      expect(out).toMatchObject({ status: 'success', 'image-ref': 'registry.fly.io/shop:v7', 'image-digest': digest });
    });

    test.each([
      ['registry.fly.io/shop:new', 'new'],
      ['registry.fly.io/shop:main-abc1234@sha256:0a1b', 'main-abc1234'],
      ['localhost:5000/shop', ''],
      ['', ''],
    ])('the version of %s is its tag: %s', (imageRef, version) => {
      expect(outcome({ IMAGE_REF: imageRef, RELEASE_VERSION: '43' })).toMatchObject({ version });
    });

    test('an override is recorded in the message, on one line whatever the reason contains', () => {
      const out = outcome({
        OVERRIDDEN: 'true',
        OVERRIDE_BY: 'octocat',
        OVERRIDE_REASON: 'hotfix for checkout\nstatus=success',
      });
      expect(out).toMatchObject({
        status: 'success',
        message: 'Deploy window overridden by @octocat: hotfix for checkout status=success.',
      });
    });

    test('the closed window message reaches the notification', () => {
      const out = outcome({
        GATE_RESULT: 'success',
        GATE_ALLOWED: 'false',
        GATE_MESSAGE: 'Closed on Saturday; next window Monday 09:00',
      });
      expect(out.message).toBe('Closed on Saturday; next window Monday 09:00');
    });
  });
});

describe('preview.yml', () => {
  const jobs = preview.data.jobs;
  const github = (event: string, action: string, headRepo: string | null) => ({
    github: {
      event_name: event,
      repository: 'acme/shop',
      event: event === 'pull_request' ? { action, pull_request: { head: { repo: { full_name: headRepo } } } } : {},
    },
  });
  const runs = (ctx: Record<string, unknown>) =>
    Object.entries<{ if: string }>(jobs)
      .filter(([, job]) => evaluate(job.if, ctx, { condition: true }))
      .map(([id]) => id);

  test.each([
    ['opened in this repo', github('pull_request', 'opened', 'acme/shop'), ['deploy']],
    ['synchronize in this repo', github('pull_request', 'synchronize', 'acme/shop'), ['deploy']],
    ['closed in this repo', github('pull_request', 'closed', 'acme/shop'), ['destroy']],
    ['opened from a fork', github('pull_request', 'opened', 'someone/shop'), ['skip']],
    ['closed from a fork', github('pull_request', 'closed', 'someone/shop'), ['skip']],
    ['from a deleted fork', github('pull_request', 'opened', null), ['skip']],
    ['called from a push', github('push', '', null), ['skip']],
  ])('%s runs %j', (_, ctx, expected) => {
    expect(runs(ctx)).toEqual(expected);
  });

  test("the preview database keeps pg-migrate's tracking table where the caller names it, else the default", () => {
    const w = jobs.deploy.steps.find((s: { id?: string }) => s.id === 'deploy').with;
    const inputs = {
      'migrations-dir': 'db/migrations',
      'migrations-schema': 'ops',
      'migrations-table': 'migration_log',
    };
    expect(evaluate(w['migrations-dir'], { inputs })).toBe('db/migrations');
    expect(evaluate(w['migrations-schema'], { inputs })).toBe('ops');
    expect(evaluate(w['migrations-table'], { inputs })).toBe('migration_log');
    // Unset, fly-deploy gets empty inputs (the engine's public.schema_migrations), never a default
    // that would count as set without migrations-dir.
    const on = preview.data.on.workflow_call.inputs;
    expect(on['migrations-schema'].default).toBe('');
    expect(on['migrations-table'].default).toBe('');
  });

  test('one run per pull request: deploy and destroy share a concurrency group and never cancel', () => {
    expect(jobs.deploy.concurrency).toEqual(jobs.destroy.concurrency);
    expect(jobs.deploy.concurrency['cancel-in-progress']).toBe(false);
    expect(jobs.deploy.concurrency.group).toContain('github.event.pull_request.number');
  });

  test('requires no secret, so a run from a fork (which gets none) reaches the skip job', () => {
    const secrets = Object.values<{ required?: boolean }>(preview.data.on.workflow_call.secrets);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(secret.required).toBe(false);
  });

  test('the fork notice explains why, through env (no expression in the script)', () => {
    const say = jobs.skip.steps[0];
    expect(say.run).toContain('::notice title=Preview skipped::');
    expect(say.run).toContain('forks get no secrets');
    expect(say.env.HEAD_REPO).toBe('${{ github.event.pull_request.head.repo.full_name }}');
  });

  test('the health URL joins the app URL and the path with one slash', () => {
    const script = jobs.deploy.steps.find((s: { id?: string }) => s.id === 'probe').run;
    const dir = mkdtempSync(join(tmpdir(), 'preview-probe-'));
    try {
      for (const [appUrl, path] of [
        ['https://pr-1-shop.fly.dev/', '/health'],
        ['https://pr-1-shop.fly.dev', 'health'],
      ]) {
        const out = join(dir, 'output');
        const r = spawnSync('bash', ['-e', '-c', script], {
          env: { PATH: process.env.PATH, GITHUB_OUTPUT: out, APP_URL: appUrl, HEALTH_PATH: path },
        });
        expect(r.status).toBe(0);
        expect(readFileSync(out, 'utf8')).toBe('url=https://pr-1-shop.fly.dev/health\n');
        rmSync(out);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the notify status follows the job status', () => {
    const status = jobs.deploy.steps.find((s: { id?: string }) => s.id === 'notify').with.status;
    for (const s of ['success', 'failure', 'cancelled']) expect(evaluate(status, { job: { status: s } })).toBe(s);
  });
});

describe('plan.yml', () => {
  const plan = loadWorkflow(join(ROOT, '.github/workflows/plan.yml'));
  const job = plan.data.jobs.plan;
  const step = job.steps.find((s: { id?: string }) => s.id === 'plan');
  const pr = (headRepo: string | null) => ({
    github: {
      event_name: 'pull_request',
      repository: 'acme/shop',
      event: { pull_request: { number: 7, head: { repo: { full_name: headRepo } } } },
    },
  });

  test('is fork-safe: requires no secret, reads and comments only', () => {
    for (const secret of Object.values<{ required?: boolean }>(plan.data.on.workflow_call.secrets ?? {}))
      expect(secret.required).toBe(false);
    expect(plan.data.permissions).toEqual({});
    expect(job.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    for (const s of job.steps.filter((s: { uses?: string }) => s.uses?.startsWith('actions/checkout@')))
      expect(s.with['persist-credentials']).toBe(false);
  });

  test('runs on pull requests only', () => {
    expect(evaluate(job.if, pr('acme/shop'), { condition: true })).toBe(true);
    expect(evaluate(job.if, { github: { event_name: 'pull_request_target' } }, { condition: true })).toBe(false);
    expect(evaluate(job.if, { github: { event_name: 'push' } }, { condition: true })).toBe(false);
  });

  test('compares the base commit with the merge commit', () => {
    const base = job.steps.find((s: { with?: { path?: string } }) => s.with?.path === 'base');
    expect(base.with.ref).toBe('${{ github.event.pull_request.base.sha }}');
    expect(step.with['base-path']).toBe('base/${{ inputs.working-directory }}');
    expect(step.with['head-path']).toBe('head/${{ inputs.working-directory }}');
  });

  test.each([
    ['this repository', 'acme/shop', true],
    ['a fork (read-only token)', 'someone/shop', false],
    ['a deleted fork', null, false],
  ])('comments on a pull request from %s: %s', (_, headRepo, expected) => {
    expect(evaluate(step.with.comment, pr(headRepo))).toBe(String(expected));
  });

  test('passes every deploy-plan input it sets to the action by name', () => {
    const declared = Object.keys(readActionContract('deploy-plan')?.inputs ?? {});
    for (const name of Object.keys(step.with)) expect(declared).toContain(name);
  });
});
