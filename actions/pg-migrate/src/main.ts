import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  actionLogger,
  failureSummary,
  MigrationError,
  migrate,
  resultSummary,
  withFlyPostgresTunnel,
} from '@deploy-actions/migrate';
import { log, parseInputs, readRunContext, runStep, UserError } from '@deploy-actions/toolkit';
import { appliedBy, runCommandMode } from './command';
import { inputs, outputs } from './contract';

await runStep(outputs, async (out) => {
  const i = parseInputs(inputs);
  const ctx = readRunContext();
  const root = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const fly = { token: i['fly-api-token'], flyctlVersion: i['flyctl-version'], logger: actionLogger };

  if (i.command) return runCommandMode({ ...i, command: i.command }, ctx, fly, root);
  const databaseUrl = i['database-url'];
  if (!databaseUrl) throw new UserError("Input required and not supplied: database-url (unless 'command' is set)");

  const apply = (url: string) =>
    migrate({
      databaseUrl: url,
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
      appliedBy: appliedBy(ctx) || undefined,
      lint: i.lint,
      backupPath: i.backup,
      baseline: i.baseline,
      logger: actionLogger,
    });
  try {
    const tunnelApp = i['fly-postgres-app'];
    const result = tunnelApp
      ? await withFlyPostgresTunnel(tunnelApp, databaseUrl, fly, apply)
      : await apply(databaseUrl);
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
    out.set('classes', JSON.stringify(result.classes));
    resultSummary(result).write();
  } catch (error) {
    if (!(error instanceof MigrationError)) throw error;
    const at = error.location.line ? `${error.location.file}:${error.location.line}` : error.location.file;
    log.error(error.message, { file: error.location.file, startLine: error.location.line, title: 'Migration failed' });
    out.set('applied', error.done.map((d) => d.version).join(','));
    out.set('applied-count', error.done.length);
    failureSummary(error, i.direction).write();
    const kept = i.direction === 'down' ? 'reverted before it stay reverted' : 'applied before it stay applied';
    throw new UserError(
      `pg-migrate stopped at ${at}${error.sqlstate ? ` (SQLSTATE ${error.sqlstate})` : ''}; ${error.done.length} migration(s) ${kept}.`,
    );
  }
});
