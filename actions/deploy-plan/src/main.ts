import { parseNow } from '@deploy-actions/deploy-window';
import { openFly } from '@deploy-actions/fly';
import { GitHubClient } from '@deploy-actions/github';
import { planOutputs, planSummary, runDeployPlan } from '@deploy-actions/plan';
import { InputError, parseInputs, readRunContext, runStep } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';

await runStep(outputs, async (out) => {
  const i = parseInputs(inputs);
  const context = readRunContext();
  const pr = i['pr-number'] ?? context.pullRequest;
  if (i.comment && (!pr || !i['github-token'] || !context.repository)) {
    throw new InputError([
      {
        input: 'pr-number',
        message:
          "Input 'pr-number' is required outside a pull_request event (with 'github-token'); or set comment: false to write the plan to the job summary only",
      },
    ]);
  }
  const client =
    i.comment && pr && i['github-token']
      ? new GitHubClient({ token: i['github-token'], repository: context.repository, apiUrl: context.apiUrl })
      : undefined;
  const result = await runDeployPlan({
    basePath: i['base-path'],
    headPath: i['head-path'],
    layout: {
      migrationsDir: i['migrations-dir'],
      flyConfig: i['fly-config'],
      secretNamesFile: i['secret-names-file'] || undefined,
    },
    window: i['business-hours']
      ? {
          timezone: i.timezone,
          days: i.days,
          start: i.start,
          end: i.end,
          freeze: i.freeze,
          holidays: i.holidays,
          holidayTypes: ['public'],
        }
      : undefined,
    mergeAt: parseNow(i['merge-at'], 'merge-at'),
    pgVersionNum: i.lint ? i['pg-version'] * 10_000 : 0,
    lockTimeout: i['lock-timeout'],
    comment: client && pr ? { client, pr } : undefined,
    // Without a token (a fork's run gets none) secret names are compared between base and head.
    app:
      i.app && i['fly-api-token']
        ? {
            name: i.app,
            mode: i['secrets-mode'],
            fly: (await openFly({ token: i['fly-api-token'], version: i['flyctl-version'] })).fly,
          }
        : undefined,
  });
  const values = planOutputs(result);
  for (const name of outputs) out.set(name, values[name]);
  planSummary(result).write();
});
