/** auto-rollback's inputs checked together, and turned into the rollback package's options. */
import type { Fly } from '@deploy-actions/fly';
import type { GitHubClient } from '@deploy-actions/github';
import { type DatabaseAccess, parseTarget, ROLLED_BACK_ENV, type RollbackOptions } from '@deploy-actions/rollback';
import { InputError, type ParsedInputs, type RunContext } from '@deploy-actions/toolkit';
import type { inputs } from './contract';

type Inputs = ParsedInputs<typeof inputs>;

/** Combinations no single input spec can refuse. */
export function checkInputs(i: Inputs): void {
  if (i['rollback-migrations'] && (!i['database-url'] || !i['migrate-to'])) {
    const missing = !i['database-url'] ? 'database-url' : 'migrate-to';
    throw new InputError([
      { input: missing, message: `Input '${missing}' is required with rollback-migrations: true` },
    ]);
  }
  if (i.check === 'machines' && (i['health-url'] ?? []).length + (i['checks-file'] ? 1 : 0) > 0) {
    throw new InputError([
      {
        input: 'check',
        message: "Invalid input 'check': machines probes no URL, but 'health-url' or 'checks-file' is set",
      },
    ]);
  }
}

/** The database the down migrations run on, reached as pg-migrate reached it; none without database-url. */
function databaseAccess(i: Inputs): DatabaseAccess | undefined {
  const databaseUrl = i['database-url'];
  if (!databaseUrl) return undefined;
  const app = i['fly-postgres-app'];
  return {
    databaseUrl,
    migrationsDir: i['migrations-dir'],
    schema: i['migrations-schema'],
    table: i['migrations-table'],
    allowPooler: i['allow-pooler'],
    tunnel: app ? { app, token: i['fly-api-token'], flyctlVersion: i['flyctl-version'] } : undefined,
  };
}

/** The rollback package's options from the inputs, the run and the clients opened for it. */
export function rollbackOptions(
  i: Inputs,
  context: RunContext,
  fly: Fly,
  github: GitHubClient | undefined,
  appliedMigrations: RollbackOptions['appliedMigrations'],
): RollbackOptions {
  return {
    fly,
    app: i.app,
    failed: {
      version: i['failed-release-version'] ? Number(i['failed-release-version'].replace(/^v/, '')) : undefined,
      imageRef: i['failed-image-ref'],
    },
    request: parseTarget(i.target),
    lkgSource: i['lkg-source'],
    environment: i.environment,
    github,
    run: {
      id: context.runId,
      sha: context.sha,
      repository: context.repository,
      alreadyRolledBack: (process.env[ROLLED_BACK_ENV] ?? '').split(','),
    },
    strategy: i.strategy,
    waitTimeoutMs: i['wait-timeout'],
    verify: {
      kind: i.check,
      urls: i['health-url'] ?? [],
      checksFile: i['checks-file'],
      expectedVersion: i['expected-version'],
      versionFrom: i['version-from'],
      versionSource: { field: i['version-field'], header: i['version-header'] },
      env: { ...process.env, ...i.secrets },
      timeoutMs: i.timeout,
    },
    database: databaseAccess(i),
    migrateTo: i['rollback-migrations'] ? i['migrate-to'] : undefined,
    appliedMigrations,
    pastContract: i['rollback-past-contract'],
    dryRun: i['dry-run'],
  };
}
