/** pg-migrate's `command` mode: the team's own migrator, run under pg-migrate's lock. */
import { type FlyAccess, runMigrationCommand } from '@deploy-actions/migrate';
import { formatDuration, type ParsedInputs, type RunContext, Summary, UserError } from '@deploy-actions/toolkit';
import type { inputs } from './contract';

type Inputs = ParsedInputs<typeof inputs>;

/** Who applied the migrations, as the history table records it: the actor and the run. */
export function appliedBy(ctx: RunContext): string {
  return [ctx.actor, ctx.runId && `run ${ctx.runId}`].filter(Boolean).join(' ');
}

/** Runs `command` on the runner, or on a machine of `app`, and writes the step summary. */
export async function runCommandMode(
  i: Inputs & { command: string },
  ctx: RunContext,
  fly: FlyAccess,
  cwd: string,
): Promise<void> {
  if (i.baseline) throw new UserError("Input 'baseline' is for SQL migrations; it cannot be used with 'command'");
  const run = await runMigrationCommand({
    command: i.command,
    app: i.app,
    databaseUrl: i['database-url'],
    flyPostgresApp: i['fly-postgres-app'],
    fly,
    cwd,
    lock: {
      schema: i.schema,
      table: i.table,
      lockWaitMs: i['lock-wait'],
      allowPooler: i['allow-pooler'],
      appliedBy: appliedBy(ctx),
      logger: fly.logger,
    },
  });
  new Summary()
    .heading(`pg-migrate: ran the migration command on ${run.where}`)
    .facts([
      ['Command', i.command],
      ['Migration lock', run.locked ? 'held while it ran' : 'not taken (no database-url)'],
      ['Time', formatDuration(run.durationMs)],
    ])
    .code(run.tail || '(no output)')
    .write();
}
