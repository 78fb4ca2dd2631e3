import { ensureFlyctl, Fly, requireToken } from '@deploy-actions/fly';
import {
  changeCount,
  collectDeclared,
  loadRules,
  outcome,
  renderSummary,
  syncSecrets,
} from '@deploy-actions/secrets-sync';
import { log, parseInputs, runStep } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';

await runStep(outputs, async (out) => {
  const i = parseInputs(inputs);
  const cwd = process.env.GITHUB_WORKSPACE || process.cwd();
  const declared = collectDeclared({ secrets: i.secrets, envFile: i['env-file'], envPrefix: i['env-prefix'], cwd });
  for (const warning of declared.warnings) log.warning(warning);
  const rules = i.rules ? await loadRules(i.rules, cwd) : undefined;

  const token = requireToken(i['fly-api-token']);
  const flyctl = await ensureFlyctl(i['flyctl-version']);
  const fly = new Fly({ token, bin: flyctl.bin, onLine: (line) => log.info(line) });
  const result = await syncSecrets(fly, {
    app: i.app,
    declared: declared.values,
    mode: i.mode,
    protectedNames: i.protected,
    rules,
    stage: i.stage,
    deploy: i.deploy,
    dryRun: i['dry-run'],
  });

  const { plan } = result;
  out.set('added', plan.add.join(','));
  out.set('changed', plan.change.join(','));
  out.set('removed', plan.remove.join(','));
  out.set('unchanged', plan.unchanged.join(','));
  out.set('changes', changeCount(plan));
  out.set('staged', result.staged);
  log.info(outcome(i.app, result, i['dry-run']));
  renderSummary(i.app, result, i['dry-run']).write();
});
