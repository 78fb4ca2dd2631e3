import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseFlyToml } from '@deploy-actions/deploy/flytoml';
import { openFly } from '@deploy-actions/fly';
import {
  changeCount,
  collectDeclared,
  loadRules,
  outcome,
  renderSummary,
  stoppedSummary,
  syncSecrets,
} from '@deploy-actions/secrets-sync';
import { InputError, log, type Outputs, parseInputs, runStep } from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';

/** fly.toml's `[env]`, which the rules judge too; a missing default fly.toml means none. */
function readFlyTomlEnv(cwd: string, config: string, isDefault: boolean): Map<string, string> {
  const path = resolve(cwd, config);
  if (!existsSync(path)) {
    if (isDefault) return new Map();
    throw new InputError([
      { input: 'config', message: `Invalid input 'config': ${config} does not exist (relative to the workspace)` },
    ]);
  }
  return new Map(Object.entries(parseFlyToml(readFileSync(path, 'utf8')).env));
}

const writes: string[] = [];
let app = '';

await runStep(outputs, async (out) => {
  try {
    await syncStep(out);
  } catch (error) {
    stoppedSummary(app, error, writes).write();
    throw error;
  }
});

async function syncStep(out: Outputs<(typeof outputs)[number]>): Promise<void> {
  const i = parseInputs(inputs);
  app = i.app;
  const cwd = process.env.GITHUB_WORKSPACE || process.cwd();
  const declared = collectDeclared({ secrets: i.secrets, envFile: i['env-file'], envPrefix: i['env-prefix'], cwd });
  for (const warning of declared.warnings) log.warning(warning);
  const rules = i.rules ? await loadRules(i.rules, cwd) : undefined;
  const flyTomlEnv = rules ? readFlyTomlEnv(cwd, i.config, i.config === inputs.config.default) : undefined;

  const { fly } = await openFly({
    token: i['fly-api-token'],
    version: i['flyctl-version'],
    onLine: (line) => log.info(line),
  });
  const result = await syncSecrets(fly, {
    app: i.app,
    declared: declared.values,
    mode: i.mode,
    protectedNames: i.protected,
    rules,
    flyTomlEnv,
    stage: i.stage,
    deploy: i.deploy,
    dryRun: i['dry-run'],
    onWrite: (write) => writes.push(write),
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
}
