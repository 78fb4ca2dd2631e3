import { resolve } from 'node:path';
import { formatDuration, UserError } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import { type Adoption, adoption } from './adopt';
import { answerWithin, close, connect } from './db';
import { type MigrationFile, readMigrationsInSlices } from './files';
import { buildPlan } from './plan';
import type { Reading, Run } from './run';
import { inSyncDigest, readRows, readState, type ServerState } from './tracking';

/** The run's one connection, on its way, and the migration files, read meanwhile. */
export interface Opening {
  files: MigrationFile[];
  connecting: Promise<Client>;
  readingState: Promise<ServerState>;
}

/**
 * Opens the connection while the files are read: its handshake is mostly waiting for the
 * server. The state is read as soon as the connection is up, while the last files may still be
 * read. A problem in the files abandons the connection.
 */
export async function connectWhileReading(run: Run): Promise<Opening> {
  const { options } = run;
  const abandon = new AbortController();
  const connecting = connect({
    url: options.databaseUrl,
    applicationName: run.applicationName,
    deadline: Date.now() + 60_000,
    signal: abandon.signal,
    pipeline: true,
  });
  // A pooler in session mode queues this query while its server connections are all taken (by
  // other runs waiting for the lock, say): that wait is bounded like the lock's.
  const firstAnswerMs = Math.max(run.lockWaitMs, 5_000);
  const readingState = connecting.then((client) =>
    answerWithin(
      client,
      readState(client, run.t),
      firstAnswerMs,
      () =>
        new UserError(
          `PostgreSQL did not answer the first query within ${formatDuration(firstAnswerMs)}: the connection waits in a queue, most likely a pooler's in session mode whose server connections are all taken (for example by other runs waiting for the migration lock).`,
          {
            hint: 'Use the direct database URL for migrations, give the pooler more server connections than there are concurrent runs (PgBouncer: default_pool_size), or raise `lock-wait`.',
          },
        ),
    ),
  );
  // Both are awaited by the caller; until then a rejection is not an unhandled one.
  connecting.catch(() => undefined);
  readingState.catch(() => undefined);
  try {
    const files = await readMigrationsInSlices(resolve(run.root, options.dir), run.root);
    return { files, connecting, readingState };
  } catch (error) {
    abandon.abort();
    await close(await connecting.catch(() => undefined));
    throw error;
  }
}

/**
 * The digest the tracking table must match for the common case, a database already up to date,
 * to be settled by one comparison. A baseline is checked against the table on every run
 * (refused once anything else is recorded), so it never takes this shortcut.
 */
export function upToDateDigest(run: Run, files: MigrationFile[]): string | undefined {
  const { direction, options } = run;
  return direction === 'up' && options.target === undefined && options.baseline === undefined
    ? inSyncDigest(files)
    : undefined;
}

/**
 * A down run finds no tracking table: nothing was ever recorded under this schema and table, so
 * "nothing to revert" would be a guess. Most likely the migrations were applied with another
 * schema or table (auto-rollback given pg-migrate's defaults, say): refused, naming both.
 */
function missingTable(run: Run, state: ServerState): UserError {
  return new UserError(
    `Nothing can be reverted: database "${state.database}" has no tracking table ${run.t.schema}.${run.t.table}, so no migration is recorded as applied there.`,
    {
      hint: "Give the schema and table the migrations were applied with: pg-migrate's schema and table inputs, auto-rollback's migrations-schema and migrations-table.",
    },
  );
}

/**
 * What to do, from the state read at connection: nothing when the digests match; else every
 * row, and a database migrated before pg-migrate (baseline, another tool's history) to adopt:
 * recorded, not run.
 */
export async function readPlan(
  run: Run,
  work: Client,
  files: MigrationFile[],
  state: ServerState,
  digest: string | undefined,
): Promise<{ reading: Reading; adopting?: Adoption }> {
  const upToDate = digest !== undefined && state.matches(digest);
  if (run.direction === 'down' && !state.exists) throw missingTable(run, state);
  let rows = upToDate || !state.exists ? [] : await readRows(work, run.t);
  const adopting =
    upToDate || run.direction === 'down' ? undefined : await adoption(work, run.t, files, rows, run.options.baseline);
  if (adopting) rows = adopting.rows;
  const plan = upToDate
    ? { items: [], warnings: [], currentVersion: files.at(-1)?.version, notInRun: 0 }
    : buildPlan(files, rows, run.planOptions);
  return { reading: { files, state, rows, upToDate, plan, previousVersion: plan.currentVersion }, adopting };
}
