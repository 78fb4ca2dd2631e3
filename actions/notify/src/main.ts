import { notify, notifySummary, reportResults, STARTED_AT_ENV, startedAtFromEnv } from '@deploy-actions/notify';
import { exportVariable, parseInputs, readRunContext, runStep } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';
import { notifyOptions } from './options';

await runStep(outputs, async (out) => {
  const values = parseInputs(inputs);
  // Later notify steps of this job report the duration from here.
  if (values.status === 'started' && startedAtFromEnv() === undefined) {
    exportVariable(STARTED_AT_ENV, String(Date.now()));
  }
  const result = await notify(notifyOptions(values), readRunContext(), { startedAt: startedAtFromEnv() });
  out.set('sent', result.sent.join(','));
  out.set('failed', result.failed.join(','));
  out.set('deployment-id', result.deploymentId);
  out.set('comment-url', result.commentUrl);
  notifySummary(result).write();
  reportResults(result, values['fail-on-error']);
});
