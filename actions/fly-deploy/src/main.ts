import { resolve } from 'node:path';
import {
  type DeployAppOutcome,
  defaultImageLabel,
  deployApp,
  deployReason,
  deployRecord,
  destroyApp,
  destroyRecord,
  ensureApp,
  ensureFlyctl,
  Fly,
  isAppNotFound,
  locateConfig,
  requireToken,
  resolveTarget,
  writeDeploymentFile,
} from '@deploy-actions/fly';
import {
  log,
  type Outputs,
  parseInputs,
  readRunContext,
  registerSecret,
  runStep,
  UserError,
} from '@deploy-actions/toolkit';
import { inputs, outputs } from './contract';
import { deploySummary, destroySummary, stoppedSummary } from './summary';

await runStep(outputs, async (out) => {
  try {
    await deployStep(out);
  } catch (error) {
    // A failed deploy has written its own summary; anything that stopped earlier gets this one.
    if (!out.get('deployment-file')) stoppedSummary(out.get('app-name'), error).write();
    throw error;
  }
});

async function deployStep(out: Outputs<(typeof outputs)[number]>): Promise<void> {
  const started = Date.now();
  const i = parseInputs(inputs);
  // Each build secret on its own, not only the whole NAME=VALUE lines the input holds.
  for (const value of Object.values(i['build-secrets'] ?? {})) registerSecret(value, "input 'build-secrets'");
  const ctx = readRunContext();
  const workdir = resolve(process.env.GITHUB_WORKSPACE || process.cwd(), i['working-directory'] ?? '.');
  const config = locateConfig(workdir, i.config, i.config === inputs.config.default);
  const target = resolveTarget(
    { app: i.app, preview: i.preview, destroy: i.destroy, configApp: config.toml?.app },
    ctx,
  );
  out.set('app-name', target.app);
  const token = requireToken(i['fly-api-token']);
  const flyctl = await ensureFlyctl(i['flyctl-version']);
  log.info(`Using flyctl ${flyctl.version} (${flyctl.source})`);
  const deadline = started + i.timeout;
  const fly = new Fly({ token, bin: flyctl.bin, cwd: workdir, onLine: (line) => log.info(line) });
  const base = {
    sha: ctx.sha,
    ref: ctx.ref,
    actor: ctx.actor,
    reason: deployReason(ctx),
    started: new Date(started).toISOString(),
  };
  const strategy = i.strategy ?? config.toml?.strategy ?? 'rolling';

  if (target.destroy) {
    const destroyed = await destroyApp(fly, target.app, { timeoutMs: Math.min(300_000, deadline - Date.now()) });
    const record = destroyRecord(target.app, base);
    out.set('deployment-file', writeDeploymentFile(record));
    out.set('duration-ms', Date.now() - started);
    destroySummary(target.app, destroyed, target.why).write();
    return;
  }

  if (i.preview || i['create-app']) {
    if (await ensureApp(fly, target.app, i.org, { timeoutMs: 120_000 })) log.info(`Created app ${target.app}`);
  }
  const imageLabel = i.image ? undefined : (i['image-label'] ?? defaultImageLabel(ctx.ref, ctx.sha));
  const outcome = await deployApp(
    fly,
    {
      app: target.app,
      config: config.arg,
      image: i.image,
      imageLabel,
      strategy: i.strategy,
      buildArgs: i['build-args'],
      buildSecrets: i['build-secrets'],
      env: i.env,
      regions: i.regions,
      ha: i.ha,
      waitTimeoutMs: i['wait-timeout'],
      remoteOnly: i['remote-only'],
      retries: i.retries,
      deadline,
      cwd: workdir,
    },
    {
      onRetry: (a, ms) =>
        log.warning(`Deploy attempt ${a.attempt} failed (${a.kind}), retrying in ${ms} ms: ${a.message}`),
    },
  );

  out.set('app-url', outcome.appUrl);
  out.set('release-id', outcome.release?.id);
  out.set('release-version', outcome.release?.version);
  out.set('image-ref', outcome.imageRef);
  out.set('previous-release-version', outcome.previous?.version);
  out.set('previous-image-ref', outcome.previous?.imageRef);
  const durationMs = Date.now() - started;
  const record = deployRecord(outcome, base, strategy);
  out.set('deployment-file', writeDeploymentFile(record));
  out.set('duration-ms', durationMs);
  deploySummary(outcome, record, durationMs).write();
  if (outcome.result === 'failure' && outcome.error) {
    throw new UserError(`Deploy of ${target.app} failed at ${outcome.failedStep}: ${outcome.error.flyMessage}`, {
      hint: failureHint(outcome),
    });
  }
  if (outcome.result === 'unchanged') log.info(`Nothing to do: ${target.app} already runs ${outcome.imageRef}`);
}

/** The next step after a failed deploy. */
function failureHint(outcome: DeployAppOutcome): string | undefined {
  if (outcome.error && isAppNotFound(outcome.error.flyMessage)) {
    return 'Check the app name, or create the app with `create-app: true` and `org` (a deploy token only sees its own app).';
  }
  return outcome.previous
    ? `The previous release was v${outcome.previous.version}; auto-rollback can restore it.`
    : undefined;
}
