import { parseMigrationRecords } from '@deploy-actions/deployments';
import { openFly } from '@deploy-actions/fly';
import { GitHubClient } from '@deploy-actions/github';
import { ROLLED_BACK_ENV, rollback } from '@deploy-actions/rollback';
import {
  exportVariable,
  log,
  parseInputs,
  readRunContext,
  registerSecret,
  runStep,
  UserError,
} from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';
import { checkInputs, rollbackOptions } from './options';
import { rollbackSummary } from './summary';

await runStep(outputs, async (out) => {
  const i = parseInputs(inputs);
  checkInputs(i);
  for (const value of Object.values(i.secrets ?? {})) registerSecret(value, "input 'secrets'");
  const appliedMigrations = parseMigrationRecords(i['applied-migrations'], 'applied-migrations');
  // Known before anything can fail: a refused or failed rollback still says so.
  out.set('rolled-back', false);
  out.set('refused', false);
  out.set('verified', false);
  const context = readRunContext();
  // A missing token fails before any flyctl download.
  const { fly } = await openFly({
    token: i['fly-api-token'],
    version: i['flyctl-version'],
    onLine: (line) => log.info(line),
  });
  const github =
    i['github-token'] && context.repository
      ? new GitHubClient({ token: i['github-token'], repository: context.repository, apiUrl: context.apiUrl })
      : undefined;

  const result = await rollback(rollbackOptions(i, context, fly, github, appliedMigrations));

  out.set('rolled-back', result.rolledBack);
  out.set('from-image', result.fromImage);
  out.set('to-image', result.target.imageRef);
  out.set('to-release-version', result.target.version);
  out.set('new-release-version', result.newReleaseVersion);
  out.set('verified', result.verified);
  out.set('reason', result.reason);
  out.set('refused', result.refused);
  if (result.rolledBack) {
    const done = [process.env[ROLLED_BACK_ENV], i.app].filter(Boolean).join(',');
    exportVariable(ROLLED_BACK_ENV, done);
  }
  rollbackSummary(result, {
    app: i.app,
    runUrl: context.runUrl,
    dryRun: i['dry-run'],
    migrationsRolledBack: i['rollback-migrations'],
  }).write();
  if (result.refused && !i['dry-run']) {
    throw new UserError(result.reason, {
      hint: 'Nothing was changed: the failed release still runs. Fix forward, or roll back by hand once the schema suits the older release.',
    });
  }
  if (result.rolledBack && !result.verified) {
    // Down only when the gate said so; a wrong image or no URL means unverified, not down.
    const why = result.verification ? 'the service is still down' : 'it could not be verified';
    throw new UserError(`Rollback of ${i.app} deployed ${result.target.imageRef}, but ${why}: page a human.`, {
      hint: `Verification: ${result.verification?.reason ?? result.reason}. No other release was tried.`,
    });
  }
  log.info(result.reason);
});
