/**
 * A pull request's own database, before its preview deploys: created once on the team's server (a
 * Fly Postgres cluster reached through `flyctl proxy`, or PostgreSQL elsewhere), attached so the app
 * gets DATABASE_URL, migrated with pg-migrate's engine and seeded on creation. Closing drops it.
 *
 * flyctl has no non-interactive way to run SQL on a cluster or drop a database (`postgres detach`
 * asks which attachment in a prompt, detach.go:129, and keeps the database), so creating, migrating
 * and dropping go over `database-url`, a user of that server that may create databases; `postgres
 * attach` gives the app its own user and DATABASE_URL, which never leave Fly.
 */
import { resolve } from 'node:path';
import { type Fly, importSecrets, listSecrets, startProxy, unsetSecrets } from '@deploy-actions/fly';
import { log, registerSecret, UserError } from '@deploy-actions/toolkit';
import { dropDatabase, dropRole, ensureDatabase, ownerOf, previewDatabaseName, runSeed, urlFor } from './preview-sql';

export interface PreviewDatabaseRequest {
  /** The preview app. */
  app: string;
  repository: string;
  pr: number;
  /** A user of the server that may create and drop databases (`{database}` optional). */
  serverUrl: string;
  /** The Fly Postgres cluster app: reached through `flyctl proxy`, attached with `postgres attach`. */
  postgresApp?: string;
  /** Migrations folder for pg-migrate's engine (relative to `root`). */
  migrationsDir?: string;
  /** pg-migrate's tracking table (default `public.schema_migrations`), as the team's other databases have it. */
  migrationsSchema?: string;
  migrationsTable?: string;
  /** SQL run once, right after the database is created. */
  seedFile?: string;
  root: string;
}

export interface PreviewDatabaseOutcome {
  name: string;
  /** Created by this run (so a failure later in the run drops it again). */
  created: boolean;
  /** `postgres attach` ran in this run. */
  attached: boolean;
  /** Versions pg-migrate applied in this run. */
  applied: string[];
  seeded: boolean;
}

type DatabaseInputs = Pick<
  PreviewDatabaseRequest,
  'postgresApp' | 'migrationsDir' | 'migrationsSchema' | 'migrationsTable' | 'seedFile'
>;

/** The database inputs, checked together: they only make sense in preview mode, and need the server's URL. */
export function previewDatabaseInput(
  i: DatabaseInputs & { preview: boolean; serverUrl?: string },
): (DatabaseInputs & { serverUrl: string }) | undefined {
  const given = (Object.keys(ACTION_INPUT) as (keyof DatabaseInputs)[]).filter((k) => i[k]);
  if (!i.serverUrl) {
    if (given.length === 0) return undefined;
    throw new UserError(
      `Input 'database-url' is required with ${given.map((k) => `'${ACTION_INPUT[k]}'`).join(', ')}: the preview database is created, migrated and dropped over it`,
      { hint: 'Pass a PostgreSQL URL of a user that may create databases (for a Fly cluster: its postgres user).' },
    );
  }
  if (!i.preview) {
    throw new UserError("Input 'database-url' is for preview mode only (`preview: true`)", {
      hint: 'Migrate other apps with pg-migrate.',
    });
  }
  const tracking = (['migrationsSchema', 'migrationsTable'] as const).filter((k) => i[k]);
  if (tracking.length > 0 && !i.migrationsDir) {
    const names = tracking.map((k) => `'${ACTION_INPUT[k]}'`).join(' and ');
    const subject = tracking.length > 1 ? `Inputs ${names} name` : `Input ${names} names`;
    throw new UserError(`${subject} pg-migrate's tracking table, which only 'migrations-dir' uses`, {
      hint: "Set 'migrations-dir' to the folder of migrations to apply, or leave the tracking table unset.",
    });
  }
  const { serverUrl, postgresApp, migrationsDir, migrationsSchema, migrationsTable, seedFile } = i;
  return { serverUrl, postgresApp, migrationsDir, migrationsSchema, migrationsTable, seedFile };
}

const ACTION_INPUT: Record<keyof DatabaseInputs, string> = {
  postgresApp: 'postgres-app',
  migrationsDir: 'migrations-dir',
  migrationsSchema: 'migrations-schema',
  migrationsTable: 'migrations-table',
  seedFile: 'seed-file',
};

/** Runs `work` with the server URL reachable from here: through a `flyctl proxy` tunnel to the cluster when there is one. */
export async function withServer<T>(
  fly: Fly,
  serverUrl: string,
  postgresApp: string | undefined,
  work: (url: string) => Promise<T>,
): Promise<T> {
  registerSecret(serverUrl, "input 'database-url'");
  const parsed = new URL(serverUrl.replaceAll('{database}', 'postgres'));
  if (parsed.password) registerSecret(decodeURIComponent(parsed.password), "input 'database-url' password");
  if (!postgresApp) return work(serverUrl);
  const proxy = await startProxy(fly, {
    app: postgresApp,
    remotePort: Number(parsed.port || 5432),
    readyTimeoutMs: 60_000,
  });
  try {
    // Only host and port change: the `{database}` placeholder must survive URL parsing.
    const tunnelled = serverUrl.replace(
      /^(postgres(?:ql)?:\/\/(?:[^@/]*@)?)([^/?#]+)/,
      (_, head: string) => `${head}${proxy.host}:${proxy.port}`,
    );
    return await work(tunnelled);
  } finally {
    await proxy.stop();
  }
}

/** Fails with a clear message when `postgresApp` is not a Fly Postgres cluster this token can see. */
export async function checkCluster(fly: Fly, postgresApp: string): Promise<void> {
  const run = await fly.run(['postgres', 'db', 'list', '--app', postgresApp, '--json'], {
    quietStdout: true,
    allowFailure: true,
    timeoutMs: 120_000,
  });
  if (run.code === 0 && !run.timedOut) return;
  const why = run.errorMessage || `flyctl exited ${run.code}`;
  if (/Could not find App|not a postgres app/i.test(why)) {
    throw new UserError(
      `Input 'postgres-app': ${postgresApp} is not a Fly Postgres cluster this token can see (${why})`,
      {
        hint: 'Name an existing cluster (`fly postgres create`), in the organization of the preview token.',
      },
    );
  }
  throw fly.failure(run);
}

/** Attaches the cluster to the app unless it already has DATABASE_URL; true when it attached now. */
async function attach(fly: Fly, request: PreviewDatabaseRequest, name: string, url: string): Promise<boolean> {
  const cluster = request.postgresApp as string;
  const secrets = await listSecrets(fly, request.app, { timeoutMs: 120_000 });
  if (secrets.some((s) => s.name === 'DATABASE_URL')) return false;
  const args = ['postgres', 'attach', cluster, '--app', request.app, '--database-name', name, '--yes'];
  // attach prints the new user's password (attach.go:338): its stdout never reaches the log.
  let run = await fly.run(args, { quietStdout: true, allowFailure: true, timeoutMs: 180_000 });
  if (run.code !== 0 && /database user "[^"]+" already exists/.test(run.errorMessage)) {
    // The user of an attach that stopped half-way (same name as the database): ours, so start over.
    log.info(`Removing the database user ${name} an earlier run left, then attaching again`);
    await dropRole(url, name);
    run = await fly.run(args, { quietStdout: true, allowFailure: true, timeoutMs: 180_000 });
  }
  const printed = /DATABASE_URL=(\S+)/.exec(run.stdout)?.[1];
  if (printed) registerSecret(printed, 'the preview DATABASE_URL');
  if (run.code !== 0 || run.timedOut) throw fly.failure(run);
  log.info(`Attached ${cluster} to ${request.app}: DATABASE_URL is staged for the deploy`);
  return true;
}

/**
 * Creates (once), attaches, migrates and seeds the preview database. When a step fails, a database
 * this run created is dropped again, so the next run starts clean.
 */
export async function openPreviewDatabase(fly: Fly, request: PreviewDatabaseRequest): Promise<PreviewDatabaseOutcome> {
  const name = previewDatabaseName(request.app);
  const owner = ownerOf(request.repository, request.pr);
  if (request.postgresApp) await checkCluster(fly, request.postgresApp);
  return withServer(fly, request.serverUrl, request.postgresApp, async (url) => {
    const outcome: PreviewDatabaseOutcome = { name, created: false, attached: false, applied: [], seeded: false };
    outcome.created = await ensureDatabase(url, name, owner);
    log.info(outcome.created ? `Created database ${name}` : `Database ${name} exists (this pull request's)`);
    try {
      if (request.postgresApp) outcome.attached = await attach(fly, request, name, url);
      else if (!(await listSecrets(fly, request.app, { timeoutMs: 120_000 })).some((s) => s.name === 'DATABASE_URL')) {
        // PostgreSQL elsewhere: the app connects with the URL's own user.
        await importSecrets(fly, request.app, { DATABASE_URL: urlFor(request.serverUrl, name) }, { stage: true });
        outcome.attached = true;
      }
      const databaseUrl = urlFor(url, name);
      if (request.migrationsDir) outcome.applied = await migrateDatabase(databaseUrl, request);
      if (outcome.created && request.seedFile) {
        await runSeed(databaseUrl, resolve(request.root, request.seedFile));
        outcome.seeded = true;
        log.info(`Seeded ${name} from ${request.seedFile}`);
      }
    } catch (error) {
      if (outcome.attached && !outcome.created) {
        // An attach on a database that stays: its DATABASE_URL must not outlive this run either.
        await unsetSecrets(fly, request.app, ['DATABASE_URL'], { stage: true }).catch(() => {});
      }
      if (outcome.created) {
        if (outcome.attached) await unsetSecrets(fly, request.app, ['DATABASE_URL'], { stage: true }).catch(() => {});
        log.info(`Dropping database ${name} again: this run created it and could not finish`);
        await dropDatabase(url, name, owner, { role: request.postgresApp ? name : undefined }).catch((e) =>
          log.warning(`Could not drop ${name}: ${(e as Error).message}`),
        );
      }
      throw error;
    }
    return outcome;
  });
}

async function migrateDatabase(databaseUrl: string, request: PreviewDatabaseRequest): Promise<string[]> {
  // Loaded only for previews with migrations: the deploy path stays light.
  const { actionLogger, migrate } = await import('@deploy-actions/migrate');
  const result = await migrate({
    databaseUrl,
    dir: request.migrationsDir as string,
    root: request.root,
    schema: request.migrationsSchema,
    table: request.migrationsTable,
    appliedBy: `preview of ${ownerOf(request.repository, request.pr)}`,
    // Nothing reads a preview's compatibility classes: no parser process, no parse per file.
    classify: false,
    logger: actionLogger,
  });
  const applied = result.done.map((d) => d.version);
  log.info(applied.length ? `Applied migrations ${applied.join(', ')}` : 'No migrations pending');
  return applied;
}

/** Drops the preview database (and the cluster's user for it). True when a database was dropped; missing is fine. */
export async function closePreviewDatabase(
  fly: Fly,
  request: Pick<PreviewDatabaseRequest, 'app' | 'repository' | 'pr' | 'serverUrl' | 'postgresApp'>,
): Promise<boolean> {
  const name = previewDatabaseName(request.app);
  return withServer(fly, request.serverUrl, request.postgresApp, (url) =>
    dropDatabase(url, name, ownerOf(request.repository, request.pr), {
      role: request.postgresApp ? name : undefined,
    }),
  );
}
