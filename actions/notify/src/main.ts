import { doraReport } from '@deploy-actions/deployments';
import { GitHubClient } from '@deploy-actions/github';
import { notify, notifySummary, reportResults, STARTED_AT_ENV, startedAtFromEnv } from '@deploy-actions/notify';
import { exportVariable, InputError, parseInputs, readRunContext, runStep } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';
import { notifyOptions } from './options';
import { writeReport } from './report';

await runStep(outputs, async (out) => {
  const values = parseInputs(inputs);
  if (values.report === 'dora') {
    const context = readRunContext();
    if (!values['github-token'] || !context.repository) {
      throw new InputError([{ input: 'github-token', message: "Input 'github-token' is required with report: dora" }]);
    }
    const client = new GitHubClient({
      token: values['github-token'],
      repository: context.repository,
      apiUrl: context.apiUrl,
    });
    const until = values['report-until'] ? new Date(values['report-until']) : new Date();
    const report = await doraReport(client, {
      days: values['report-days'],
      until,
      environments: values['report-environments'],
    });
    out.set('report-file', writeReport(report.json));
    out.set('report', JSON.stringify(JSON.parse(report.json)));
    report.summary.write();
    return;
  }
  const status = values.status;
  if (!status) {
    throw new InputError([
      { input: 'status', message: 'Input required and not supplied: status (or set report: dora)' },
    ]);
  }
  // Later notify steps of this job report the duration from here.
  if (status === 'started' && startedAtFromEnv() === undefined) {
    exportVariable(STARTED_AT_ENV, String(Date.now()));
  }
  const result = await notify(notifyOptions({ ...values, status }), readRunContext(), {
    startedAt: startedAtFromEnv(),
  });
  out.set('sent', result.sent.join(','));
  out.set('failed', result.failed.join(','));
  out.set('deployment-id', result.deploymentId);
  out.set('comment-url', result.commentUrl);
  notifySummary(result).write();
  reportResults(result, values['fail-on-error']);
});
