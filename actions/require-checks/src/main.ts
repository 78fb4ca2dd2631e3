import { type CheckVerdict, GitHubClient, waitForChecks } from '@deploy-actions/github';
import { InputError, log, parseInputs, readRunContext, runStep, Summary, UserError } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';

const ICON = { passed: '✅', pending: '⏳', missing: '❔', failed: '❌' } as const;

await runStep(outputs, async (out) => {
  const i = parseInputs(inputs);
  const context = readRunContext();
  if (!i['github-token']) {
    throw new InputError([
      { input: 'github-token', message: "Input required: 'github-token' (to read the commit's checks)" },
    ]);
  }
  const ref = i.ref || context.sha;
  if (!ref || !context.repository) throw new UserError('No commit to check: set `ref` (GITHUB_SHA is empty)');
  const client = new GitHubClient({ token: i['github-token'], repository: context.repository, apiUrl: context.apiUrl });
  const result = await waitForChecks(client, ref, {
    names: i.checks ?? [],
    ownRunId: context.runId,
    timeoutMs: i.timeout,
    intervalMs: i.interval,
    onPoll: (verdicts) => log.info(progress(verdicts)),
  });
  const named = (outcomes: CheckVerdict['outcome'][]) =>
    result.verdicts.filter((v) => outcomes.includes(v.outcome)).map((v) => v.name);
  out.set('passed', result.passed);
  out.set('failed', named(['failed']).join(','));
  out.set('pending', named(['pending', 'missing']).join(','));
  new Summary()
    .heading(`Required checks: ${result.passed ? '✅ passed' : '❌ not passed'}`)
    .text(`Commit \`${ref}\`: ${result.reason}.`)
    .table(
      ['check', 'kind', 'result'],
      result.verdicts.map((v) => [v.name, v.kind, `${ICON[v.outcome]} ${v.detail}`]),
    )
    .write();
  if (!result.passed) {
    throw new UserError(`Required checks of ${ref.slice(0, 12)} ${result.reason}`, {
      hint: 'Fix or re-run the failed checks, then deploy again; `checks` limits the gate to the ones that must pass.',
    });
  }
  log.info(`Required checks of ${ref.slice(0, 12)}: ${result.reason}`);
});

function progress(verdicts: CheckVerdict[]): string {
  const count = (o: CheckVerdict['outcome']) => verdicts.filter((v) => v.outcome === o).length;
  return `checks: ${count('passed')} passed, ${count('pending') + count('missing')} pending, ${count('failed')} failed`;
}
