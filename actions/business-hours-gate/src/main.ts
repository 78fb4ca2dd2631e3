import { decideGate, gateOutputs, gateSummary, openDeployWindow, parseNow } from '@deploy-actions/deploy-window';
import { log, parseInputs, readRunContext, runStep, UserError } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';

await runStep(outputs, async (out) => {
  const i = parseInputs(inputs);
  const window = await openDeployWindow({
    timezone: i.timezone,
    days: i.days,
    start: i.start,
    end: i.end,
    freeze: i.freeze,
    holidays: i.holidays,
    holidayTypes: i['holiday-types'],
  });
  const result = decideGate({
    window,
    now: parseNow(i.now),
    mode: i.mode,
    override: {
      requested: i.override,
      reason: i['override-reason'],
      actors: i['override-actors'] ?? [],
      // On a re-run the triggering actor, not the original one, is who asks to override.
      actor: process.env.GITHUB_TRIGGERING_ACTOR || readRunContext().actor,
    },
  });

  const values = gateOutputs(result);
  for (const name of outputs) out.set(name, values[name]);
  if (result.audit) log.notice(result.audit, { title: 'Deploy window override' });
  if (result.refusal && !result.failure) log.warning(result.refusal, { title: 'Override refused' });
  if (!result.allowed && !result.failure) log.warning(result.message, { title: 'Deploy window closed' });
  if (result.allowed) log.info(result.message);
  gateSummary(result).write();
  if (result.failure) throw new UserError(result.failure, { hint: result.hint });
});
