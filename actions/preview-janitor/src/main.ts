import { janitorSummary, runJanitor } from '@deploy-actions/deploy';
import { openFly } from '@deploy-actions/fly';
import { GitHubClient } from '@deploy-actions/github';
import { log, parseInputs, readRunContext, runStep, UserError } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';

await runStep(outputs, async (out) => {
  const i = parseInputs(inputs);
  const ctx = readRunContext();
  if (i['postgres-app'] && !i['database-url']) {
    throw new UserError(
      "Input 'database-url' is required with 'postgres-app': the preview databases are found and dropped over it",
    );
  }
  const { fly } = await openFly({
    token: i['fly-api-token'],
    version: i['flyctl-version'],
    onLine: (l) => log.info(l),
  });
  const token = i['github-token'];
  if (!token)
    throw new UserError(
      "Input required and not supplied: github-token (it reads the pull requests' state and retires the removed previews' deployments)",
    );
  const github = new GitHubClient({ token, repository: ctx.repository, apiUrl: ctx.apiUrl });
  const report = await runJanitor(fly, github, {
    repository: ctx.repository,
    org: i.org,
    ttlMs: i.ttl,
    dryRun: i['dry-run'],
    serverUrl: i['database-url'],
    postgresApp: i['postgres-app'],
  });
  out.set('removed', report.items.filter((item) => item.result === 'removed').length);
  out.set('found', JSON.stringify(report.items));
  janitorSummary(report, i['dry-run']).write();
  const failed = report.items.filter((item) => item.result === 'failed');
  if (failed.length)
    throw new UserError(`Could not remove the previews of ${failed.map((f) => `#${f.pr}`).join(', ')}`);
});
