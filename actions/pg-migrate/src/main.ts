import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failureSummary, type MigrateLogger, MigrationError, migrate, resultSummary } from '@deploy-actions/migrate';
import { log, parseInputs, readRunContext, runStep, UserError } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';

await runStep(outputs, async (out) => {
  const i = parseInputs(inputs);
  if (!i['database-url']) throw new UserError('Input required and not supplied: database-url (a postgres:// URL)');
  const ctx = readRunContext();
  const root = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const logger: MigrateLogger = {
    info: (message) => log.info(message),
    warning: (message, at) => log.warning(message, at && { file: at.file, startLine: at.line }),
  };
  try {
    const result = await migrate({
      databaseUrl: i['database-url'],
      dir: i['migrations-dir'],
      root,
      direction: i.direction,
      target: i.target,
      steps: i.steps,
      dryRun: i['dry-run'],
      schema: i.schema,
      table: i.table,
      lockWaitMs: i['lock-wait'],
      lockTimeoutMs: i['lock-timeout'],
      statementTimeoutMs: i['statement-timeout'],
      lockRetries: i['lock-retries'],
      allowOutOfOrder: i['allow-out-of-order'],
      allowDrift: i['allow-drift'],
      allowPooler: i['allow-pooler'],
      appVersion: i['app-version'],
      appliedBy: [ctx.actor, ctx.runId && `run ${ctx.runId}`].filter(Boolean).join(' ') || undefined,
      lint: i.lint,
      backupPath: i.backup,
      logger,
    });
    const planFile = join(process.env.RUNNER_TEMP ?? root, 'pg-migrate-plan.md');
    writeFileSync(planFile, result.planMarkdown);
    out.set('applied', result.done.map((d) => d.version).join(','));
    out.set('applied-count', result.done.length);
    out.set('pending-count', result.pendingCount);
    out.set('current-version', result.currentVersion);
    out.set('previous-version', result.previousVersion);
    out.set('plan-file', planFile);
    out.set('backup-path', result.backupPath);
    out.set('lint-findings', result.lintFindings.length);
    resultSummary(result).write();
  } catch (error) {
    if (error instanceof MigrationError) {
      log.error(error.message, {
        file: error.location.file,
        startLine: error.location.line,
        title: 'Migration failed',
      });
      out.set('applied', error.done.map((d) => d.version).join(','));
      out.set('applied-count', error.done.length);
      failureSummary(error).write();
      throw new UserError(
        `pg-migrate stopped at ${error.location.file}${error.location.line ? `:${error.location.line}` : ''}${error.sqlstate ? ` (SQLSTATE ${error.sqlstate})` : ''}; ${error.done.length} migration(s) applied before it stay applied.`,
      );
    }
    throw error;
  }
});
