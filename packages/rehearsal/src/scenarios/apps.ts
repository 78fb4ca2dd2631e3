/**
 * The deployment guides' systems as sample repositories (examples/apps/<name>/), each rehearsed
 * through the same command line a user types (`npm run rehearse -- <args>`), green and with its
 * failure case, plus checks of what the runs left on the stage.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@deploy-actions/runner';
import { allJobs, allSteps, type RunRecord } from '../model';
import { parseRepoArgs, repoScenario } from '../repo';
import type { Scenario, ScenarioContext } from '../scenario';
import { stepOf } from '../scenario';
import { mails } from './checks';

/** The arguments after `npm run rehearse --`, from the repository root. */
export const APP_COMMANDS: Record<string, string[]> = {
  ignition: [
    '--repo',
    'examples/apps/ignition',
    '--workflow',
    '.github/workflows/deploy-backend.yml',
    '--psql',
    'app/database/migrations/0001_users.sql',
    '--secret-file',
    'IGNITION_APP_SECRETS=examples/apps/ignition/rehearsal/app-secrets.env',
    '--ref',
    'refs/tags/v1.0.0',
    '--then',
    '--ref',
    'refs/tags/v1.1.0-crash',
    '--expect',
    'rolled-back',
    '--then',
    '--workflow',
    '.github/workflows/deploy-api-proxy.yml',
    '--then',
    '--workflow',
    '.github/workflows/deploy-frontend-worker.yml',
    '--then',
    '--workflow',
    '.github/workflows/deploy-backend.yml',
    '--secret-file',
    'IGNITION_APP_SECRETS=examples/apps/ignition/rehearsal/weak-secrets.env',
    '--ref',
    'refs/tags/v1.2.0',
    '--expect',
    'failure',
  ],
  ampel: [
    '--repo',
    'examples/apps/ampel',
    '--workflow',
    '.github/workflows/deploy.yml',
    '--attach-postgres',
    'ampel-api',
    '--secret-file',
    'AMPEL_API_SECRETS=examples/apps/ampel/rehearsal/api-secrets.env',
    '--secret-file',
    'AMPEL_WORKER_SECRETS=examples/apps/ampel/rehearsal/worker-secrets.env',
    '--then',
    '--ref',
    'refs/heads/crash-fix',
    '--expect',
    'rolled-back',
  ],
  'backend-fly': [
    '--repo',
    'examples/apps/backend-fly',
    '--workflow',
    '.github/workflows/deploy.yml',
    '--fly-postgres',
    'altcontext-db',
    '--attach-postgres',
    'altcontext-api',
    '--secret-file',
    'BACKEND_APP_SECRETS=examples/apps/backend-fly/rehearsal/app-secrets.env',
    '--secret-file',
    'SMOKE_SECRETS=examples/apps/backend-fly/rehearsal/smoke-secrets.env',
    '--then',
    '--ref',
    'refs/heads/crash-cors',
    '--expect',
    'rolled-back',
    '--then',
    '--secret-file',
    'BACKEND_APP_SECRETS=examples/apps/backend-fly/rehearsal/weak-secrets.env',
    '--expect',
    'failure',
  ],
  hotdash: [
    '--repo',
    'examples/apps/hotdash',
    '--workflow',
    '.github/workflows/deploy-staging.yml',
    '--secret-file',
    'HOTDASH_APP_SECRETS=examples/apps/hotdash/rehearsal/app-secrets.env',
    '--then',
    '--workflow',
    '.github/workflows/deploy-production-enhanced.yml',
    '--event',
    'workflow_dispatch',
    '--input',
    'reason=Weekly release',
    '--var',
    'REHEARSAL_GATE_NOW=2026-11-17T10:30:00-08:00',
    '--check',
    'lint=success',
    '--check',
    'test=success',
    '--status',
    'ci/build=success@5s',
    '--then',
    '--input',
    'reason=Hotfix',
    '--ref',
    'refs/heads/crash-hotfix',
    '--status',
    'ci/build=success',
    '--expect',
    'rolled-back',
    '--then',
    '--input',
    'reason=Saturday try',
    '--var',
    'REHEARSAL_GATE_NOW=2026-11-21T11:00:00-08:00',
    '--then',
    '--input',
    'reason=Red tests',
    '--var',
    'REHEARSAL_GATE_NOW=2026-11-17T10:30:00-08:00',
    '--check',
    'test=failure',
    '--expect',
    'failure',
    '--then',
    '--workflow',
    '.github/workflows/deploy-staging.yml',
    '--event',
    'push',
    '--ref',
    'refs/heads/crash-staging',
    '--expect',
    'failure',
    '--then',
    '--workflow',
    '.github/workflows/deploy-production-enhanced.yml',
    '--event',
    'workflow_dispatch',
    '--input',
    'reason=Staging is down',
    '--check',
    'test=success',
    '--expect',
    'failure',
  ],
};

async function get(s: ScenarioContext, app: string, path: string): Promise<{ status: number; body: string }> {
  const url = s.stage.fly.sim.appUrl(app);
  try {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: await res.text() };
  } catch (err) {
    return { status: 0, body: (err as Error).message };
  }
}

function scenario(name: string, checks: (s: ScenarioContext, runs: RunRecord[]) => Promise<void>): Scenario {
  return repoScenario(`app-${name}`, parseRepoArgs(APP_COMMANDS[name], REPO_ROOT), checks);
}

export const ignition = scenario('ignition', async (s, [good, crash, proxy, frontend, weak]) => {
  const app = 'ignition-api';
  const migrate = stepOf(good, 'deploy / deploy', 'migrate');
  s.expect(
    'v1.0.0: 0001 (applied by hand with psql) adopted by migrate-baseline, only 0002 applied',
    [migrate.outputs['applied-count'], migrate.outputs.applied, migrate.outputs['previous-version']],
    ['1', '0002', '0001'],
  );
  const tracked = await s.stage.pg.query(
    s.stage.database.name,
    'SELECT version::text AS version, applied_by FROM schema_migrations ORDER BY 1',
  );
  s.check(
    'schema_migrations records 0001 as the baseline and 0002 as applied',
    tracked.length === 2 &&
      /baseline 0001/.test(tracked[0]?.applied_by ?? '') &&
      !/baseline/.test(tracked[1]?.applied_by ?? ''),
    JSON.stringify(tracked),
  );
  s.expect(
    'v1.0.0: the health gate checked the tag as the version',
    stepOf(good, 'deploy / deploy', 'health').outputs['observed-version'],
    'v1.0.0',
  );
  s.expect("the app's secrets passed the rules and are on Fly", s.stage.fly.secretNames(app).sort(), [
    'AUTH_OAUTH_GOOGLE_CLIENT_ID',
    'AUTH_OAUTH_GOOGLE_CLIENT_SECRET',
    'DATABASE_URL',
    'SESSION_SECRET',
  ]);
  const backups = good.artifacts ?? [];
  s.check(
    'v1.0.0: the pg_dump taken before migrating is kept as an artifact for 30 days',
    backups.length === 1 && backups[0].retentionDays === 30 && backups[0].files[0]?.name === 'backup-ignition-api.dump',
    JSON.stringify(backups.map(({ name, files, retentionDays }) => ({ name, files, retentionDays }))),
  );
  if (backups[0]) {
    const dump = readFileSync(join(backups[0].dir, 'backup-ignition-api.dump'));
    s.expect('the backup is a pg_dump archive', dump.subarray(0, 5).toString(), 'PGDMP');
  }
  s.expect('v1.1.0-crash: nothing to migrate, so no backup', (crash.artifacts ?? []).length, 0);
  const rollback = stepOf(crash, 'deploy / deploy', 'rollback');
  s.expect('v1.1.0-crash: auto-rollback verified the restored release', rollback.outputs.verified, 'true');
  s.expect('the newest Fly release runs v1.0.0 again', s.stage.fly.releases(app)[0]?.label, 'v1.0.0');
  const live = await get(s, app, '/health/live');
  s.expect("the app's own server answers /health/live", [live.status, live.body], [200, '{"status":"alive"}']);
  const health = await get(s, app, '/health');
  s.expect('/health reports v1.0.0 again', health.body, '{"status":"ok","version":"v1.0.0"}');
  for (const [label, run] of [
    ['API proxy', proxy],
    ['frontend', frontend],
  ] as const) {
    const step = run.jobs.flatMap((j) => j.steps).find((st) => st.uses?.startsWith('cloudflare/wrangler-action'));
    s.check(
      `${label}: the wrangler step is skipped with a notice`,
      step?.conclusion === 'skipped' && step.annotations.some((a) => a.level === 'notice'),
      step ? `${step.conclusion}: ${step.annotations.map((a) => a.message).join(' | ')}` : 'no wrangler step',
    );
  }
  const secrets = stepOf(weak, 'deploy / deploy', 'secrets');
  const messages = secrets.annotations.map((a) => a.message).join('\n');
  s.check(
    'weak secrets: the rules name SESSION_SECRET and AUTH_DEV_BYPASS, never a value',
    secrets.conclusion === 'failure' &&
      /SESSION_SECRET/.test(messages) &&
      /AUTH_DEV_BYPASS/.test(messages) &&
      !messages.includes('weak-sess-41f7') &&
      !messages.includes('rehearsal-only-db-password'),
    messages.slice(0, 400),
  );
  s.expect(
    'weak secrets: nothing deployed, v1.0.0 still runs (two releases and the rollback)',
    [s.stage.fly.releases(app).length, s.stage.fly.releases(app)[0]?.label],
    [3, 'v1.0.0'],
  );
});

export const ampel = scenario('ampel', async (s, [good, crash]) => {
  const steps = allSteps(good).filter((st) => st.job === 'api / deploy');
  const at = (id: string) => steps.findIndex((st) => st.id === id);
  s.expect('the API was not migrated before its deploy', stepOf(good, 'api / deploy', 'migrate').conclusion, 'skipped');
  s.expect(
    "the API's own migrator ran after the deploy, before the health gate",
    [
      stepOf(good, 'api / deploy', 'migrate-after').conclusion,
      at('deploy') < at('migrate-after'),
      at('migrate-after') < at('health'),
    ],
    ['success', true, true],
  );
  const rows = await s.stage.pg.query(
    s.stage.database.name,
    'SELECT version::text AS version FROM _sqlx_migrations ORDER BY 1',
  );
  s.expect(
    '_sqlx_migrations lists both migrations',
    rows.map((r) => r.version),
    ['20250101000000', '20250102000000'],
  );
  const calls = await s.stage.fly.sim.calls();
  const frontendDeploy = calls.find((c) => c.args[0] === 'deploy' && c.args.includes('ampel-frontend'));
  s.check(
    'the frontend was built with --build-arg VITE_API_URL',
    frontendDeploy?.args.join(' ').includes('--build-arg VITE_API_URL=https://ampel-api.fly.dev') ?? false,
    frontendDeploy?.args.join(' '),
  );
  s.expect(
    'the worker (no public service) was verified by its machines',
    [
      stepOf(good, 'worker / deploy', 'kind').outputs.gate,
      stepOf(good, 'worker / deploy', 'health').conclusion,
      stepOf(good, 'worker / deploy', 'health').outputs.healthy,
    ],
    ['machines', 'success', 'true'],
  );
  s.expect("the worker's secrets are on Fly", s.stage.fly.secretNames('ampel-worker').sort(), [
    'ENCRYPTION_KEY',
    'REDIS_URL',
  ]);
  s.expect('the worker runs main-1111111', s.stage.fly.releases('ampel-worker')[0]?.label, 'main-1111111');
  s.expect('the frontend deploy passed', stepOf(good, 'frontend / deploy', 'health').conclusion, 'success');
  s.expect(
    'crash: the migrator never ran on the crashing release',
    stepOf(crash, 'api / deploy', 'migrate-after').conclusion,
    'skipped',
  );
  s.expect(
    'crash: auto-rollback verified the restored API',
    stepOf(crash, 'api / deploy', 'rollback').outputs.verified,
    'true',
  );
  s.expect(
    'crash: neither the worker nor the frontend was deployed',
    ['worker', 'frontend'].map((id) => crash.jobs.find((j) => j.id === id)?.result),
    ['skipped', 'skipped'],
  );
  s.expect('the API runs main-1111111 again', s.stage.fly.releases('ampel-api')[0]?.label, 'main-1111111');
});

export const backendFly = scenario('backend-fly', async (s, [good, crash, weak]) => {
  const app = 'altcontext-api';
  const migrate = stepOf(good, 'deploy / deploy', 'migrate');
  s.expect('the migrator ran through the fly proxy tunnel', migrate.conclusion, 'success');
  const calls = await s.stage.fly.sim.calls();
  s.check(
    'pg-migrate opened `flyctl proxy` to the Fly Postgres app',
    calls.some((c) => c.args[0] === 'proxy' && c.args.includes('altcontext-db')),
    calls
      .filter((c) => c.args[0] === 'proxy')
      .map((c) => c.args.join(' '))
      .join(' | ') || 'no proxy call',
  );
  const rows = await s.stage.pg.query(
    s.stage.database.name,
    'SELECT migration_name FROM _prisma_migrations ORDER BY 1',
  );
  s.expect(
    '_prisma_migrations lists both migrations',
    rows.map((r) => r.migration_name),
    ['20260101000000_init', '20260115000000_rollups'],
  );
  const health = stepOf(good, 'deploy / deploy', 'health');
  s.expect(
    'the gate passed on /v1/healthz with the smoke suite',
    [health.conclusion, health.outputs.healthy],
    ['success', 'true'],
  );
  const key =
    /ADMIN_KEY=(.*)/.exec(
      readFileSync(join(REPO_ROOT, 'examples/apps/backend-fly/rehearsal/smoke-secrets.env'), 'utf8'),
    )?.[1] ?? '';
  const metrics = await fetch(`${s.stage.fly.sim.appUrl(app)}/v1/metrics/summary?window=7`, {
    headers: { 'x-admin-key': key },
    signal: AbortSignal.timeout(10_000),
  })
    .then(async (r) => JSON.parse(await r.text()) as { leads?: number })
    .catch(() => ({}) as { leads?: number });
  s.expect(
    "the lead-capture POST ran once per gate over all its rounds (the release's gate, the rollback's verification)",
    metrics.leads,
    2,
  );
  const rollback = stepOf(crash, 'deploy / deploy', 'rollback');
  s.expect(
    'crash: the rollback to a release answering {"ok":true} is verified, not "still down"',
    rollback.outputs.verified,
    'true',
  );
  s.expect('the app runs main-1111111 again', s.stage.fly.releases(app)[0]?.label, 'main-1111111');
  const secrets = stepOf(weak, 'deploy / deploy', 'secrets');
  const messages = secrets.annotations.map((a) => a.message).join('\n');
  s.check(
    'weak secrets: the rules name SESSION_SECRET and AUTH_DEV_BYPASS, never a value',
    secrets.conclusion === 'failure' &&
      /SESSION_SECRET/.test(messages) &&
      /AUTH_DEV_BYPASS/.test(messages) &&
      !messages.includes('too-short'),
    messages.slice(0, 400),
  );
  s.expect('weak secrets: nothing deployed (two releases and the rollback)', s.stage.fly.releases(app).length, 3);
});

export const hotdash = scenario('hotdash', async (s, runs) => {
  const [staging, good, crash, saturday, red, stagingCrash, stagingDown] = runs;
  const app = 'hotdash-production';
  const result = (run: RunRecord) => run.jobs.find((j) => j.id === 'deploy')?.outputs.result;
  s.expect('staging: the push to main deployed', result(staging), 'success');
  s.expect('staging: main deployed first', s.stage.fly.releases('hotdash-staging').at(-1)?.label, 'main-1111111');
  const required = stepOf(good, 'checks', 'required');
  s.check(
    'Tuesday: the required checks passed after ci/build went from pending to success within the wait',
    required.outputs.passed === 'true' && /1 pending/.test(required.log),
    `${JSON.stringify(required.outputs)} ${required.log.slice(0, 300)}`,
  );
  const preGate = stepOf(good, 'deploy / gate', 'pre-gate');
  s.check(
    "Tuesday: staging's /health was checked at hotdash-staging (the stage's server for it) and passed",
    preGate.conclusion === 'success' && preGate.notes.some((n) => n.includes('hotdash-staging')),
    `${preGate.conclusion}: ${preGate.notes.join(' | ')}`,
  );
  s.expect('Tuesday: the deploy window was open', stepOf(good, 'deploy / gate', 'window').outputs.allowed, 'true');
  s.expect('Tuesday: the result is success', result(good), 'success');
  s.expect('the crashing hotfix: result rolled-back', result(crash), 'rolled-back');
  s.expect('Saturday: the window was closed', stepOf(saturday, 'deploy / gate', 'window').outputs.allowed, 'false');
  s.expect('Saturday: the result is skipped', result(saturday), 'skipped');
  const redChecks = stepOf(red, 'checks', 'required');
  s.check(
    'red tests: require-checks names the failed check in its outputs and summary',
    redChecks.outputs.failed === 'test' && /test/.test(redChecks.summary) && /❌/.test(redChecks.summary),
    `${JSON.stringify(redChecks.outputs)} ${redChecks.summary.slice(0, 300)}`,
  );
  s.expect('red tests: deploy.yml never started', red.jobs.find((j) => j.id === 'deploy')?.result, 'skipped');
  s.expect(
    'crashing staging: not rolled back, the crashing release stays for inspection',
    [stepOf(stagingCrash, 'deploy / deploy', 'rollback').conclusion, s.stage.fly.releases('hotdash-staging')[0]?.label],
    ['skipped', 'crash-staging-2222222'],
  );
  const downGate = stepOf(stagingDown, 'deploy / gate', 'pre-gate');
  const why = downGate.annotations.map((a) => a.message).join('\n');
  s.check(
    "staging down: the gate's staging check failed, naming the URL and the 502",
    downGate.conclusion === 'failure' && /502/.test(why),
    why.slice(0, 300),
  );
  s.expect(
    'staging down: the production deploy job never started',
    allJobs(stagingDown).find((j) => j.id === 'deploy / deploy')?.result,
    'skipped',
  );
  s.expect(
    "refusals and Saturday: nothing reached Fly (three releases: Tuesday's, the crash, the rollback)",
    s.stage.fly.releases(app).length,
    3,
  );
  s.expect('the app runs main-2222222 again', s.stage.fly.releases(app)[0]?.label, 'main-2222222');
  const v6 = stepOf(good, 'deploy / deploy', 'deploy').outputs['ipv6-address'] ?? '';
  s.check('Tuesday: the app has a public IPv6 address', v6.includes(':'), v6);
  const calls = await s.stage.fly.sim.calls();
  const allocations = calls.filter((c) => c.args[0] === 'ips' && c.args[1] === 'allocate-v6' && c.args.includes(app));
  s.expect('IPv6 allocated once over both deploys (idempotent)', allocations.length, 1);
  const during = (run: RunRecord) =>
    calls.filter((c) => {
      const at = Date.parse(c.at);
      return c.args.includes(app) && at >= run.startedAt && at <= run.startedAt + run.durationMs;
    });
  // Calls are told apart by time; the Tuesday run shows they are found at all.
  s.check('Tuesday: flyctl commands named hotdash-production during the run', during(good).length > 0);
  s.expect(
    'red tests and staging down: no flyctl command named hotdash-production during those runs',
    [...during(red), ...during(stagingDown)].map((c) => c.args.join(' ')),
    [],
  );
  const creates = calls.filter((c) => c.args[0] === 'apps' && c.args[1] === 'create' && c.args.includes(app));
  const firstDeploy = calls.findIndex((c) => c.args[0] === 'deploy' && c.args.includes(app));
  s.check(
    'create-app: at most one `apps create`, before the first deploy, never on later runs',
    creates.length <= 1 && creates.every((c) => calls.indexOf(c) < firstDeploy),
    creates.map((c) => c.args.join(' ')).join(' | '),
  );
  const received = await mails(s, 4);
  s.expect(
    'one email per production run that reached deploy.yml (success, rolled back, skipped, failed)',
    received.length,
    4,
  );
  const text = (i: number) => `${received[i]?.parsed.subject ?? ''}\n${received[i]?.parsed.text ?? ''}`;
  s.check(
    'the first email reports success and the reason',
    /success|succeeded/i.test(text(0)) && text(0).includes('Weekly release'),
    text(0).slice(0, 300),
  );
  s.check(
    'the second email reports the rollback',
    /rolled.?back/i.test(text(1)) && text(1).includes('Hotfix'),
    text(1).slice(0, 300),
  );
  s.check(
    'the third email reports the closed window',
    /skipped|not deployed|closed/i.test(text(2)),
    text(2).slice(0, 300),
  );
  s.check(
    'the fourth email reports the failure and its reason',
    /fail/i.test(text(3)) && text(3).includes('Staging is down'),
    text(3).slice(0, 300),
  );
});

export const APP_SCENARIOS: Scenario[] = [ignition, ampel, backendFly, hotdash];
