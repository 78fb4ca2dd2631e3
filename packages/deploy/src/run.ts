import { resolve } from 'node:path';
import {
  destroyApp,
  ensureIpv6,
  type Fly,
  importSecrets,
  isAppNotFound,
  openFly,
  type Strategy,
} from '@deploy-actions/fly';
import { defaultImageLabel } from '@deploy-actions/fly/names';
import { log, type RunContext, registerSecret, type Summary } from '@deploy-actions/toolkit';
import { type DeployAppOutcome, deployApp } from './deploy-app';
import { type DeployFile, deployRecord, destroyRecord, writeDeploymentFile } from './deploy-file';
import { closePreviewDatabase, openPreviewDatabase, type PreviewDatabaseOutcome } from './preview-db';
import { previewDatabaseName } from './preview-sql';
import { databaseLine, deploySummary, destroySummary } from './summary';
import { deployReason, ensureApp, locateConfig, pullRequestNumber, resolveTarget } from './target';

/** What fly-deploy asks for: its inputs, parsed. */
export interface FlyDeployRequest {
  app?: string;
  config: string;
  /** True when `config` is the default name (a missing default file is fine). */
  configIsDefault: boolean;
  workingDirectory?: string;
  image?: string;
  imageLabel?: string;
  strategy?: Strategy;
  buildArgs?: Record<string, string>;
  buildSecrets?: Record<string, string>;
  env?: Record<string, string>;
  regions?: readonly string[];
  ha?: boolean;
  waitTimeoutMs: number;
  /** flyctl's own `--deploy-retries` (unset: flyctl's `auto`). */
  deployRetries?: number;
  remoteOnly: boolean;
  flyctlVersion: string;
  token?: string;
  createApp: boolean;
  org?: string;
  /** Make sure the app has an IPv6 address of this kind after a successful deploy. */
  ipv6?: 'public' | 'private' | 'none';
  preview: boolean;
  destroy: boolean;
  timeoutMs: number;
  retries: number;
  /** Preview mode: the pull request's own database (see preview-db.ts). */
  database?: PreviewDatabaseInput;
  /** Preview mode: secrets staged on the app before its deploy (already filtered by the allow-list). */
  previewSecrets?: Record<string, string>;
}

export interface PreviewDatabaseInput {
  serverUrl: string;
  postgresApp?: string;
  migrationsDir?: string;
  seedFile?: string;
}

/** What a run did: the outcome (absent for a destroy), the file written, the summary to show. */
export interface FlyDeployResult {
  app: string;
  /** Absent when the run destroyed the app. */
  outcome?: DeployAppOutcome;
  deploymentFile: string;
  record: DeployFile;
  durationMs: number;
  /** fly.toml defines a service (so something answers at the app URL); undefined without fly.toml. */
  hasServices?: boolean;
  /** The app's IPv6 address of the asked kind, and whether this run allocated it. */
  ipv6?: { address: string; allocated: boolean };
  summary: Summary;
  /** Set when the deploy failed: the message and the next step, for the step's error. */
  failure?: { message: string; hint?: string };
  /** The preview's database: what this run did to it (open), or whether it was dropped (close). */
  database?: PreviewDatabaseOutcome;
  databaseDropped?: boolean;
}

/**
 * fly-deploy's flow: find the config and the target app, set up flyctl, then destroy
 * (a closed preview) or create-if-asked and deploy. `onApp` learns the app name as soon
 * as it is known, so a run that stops later still reports it.
 */
export async function runFlyDeploy(
  request: FlyDeployRequest,
  ctx: RunContext,
  hooks: { onApp?: (app: string) => void } = {},
): Promise<FlyDeployResult> {
  const started = Date.now();
  // Each build secret on its own, not only the whole NAME=VALUE lines the input holds.
  for (const value of Object.values(request.buildSecrets ?? {})) registerSecret(value, "input 'build-secrets'");
  const workdir = resolve(process.env.GITHUB_WORKSPACE || process.cwd(), request.workingDirectory ?? '.');
  const config = locateConfig(workdir, request.config, request.configIsDefault);
  const target = resolveTarget(
    { app: request.app, preview: request.preview, destroy: request.destroy, configApp: config.toml?.app },
    ctx,
  );
  hooks.onApp?.(target.app);
  const { fly, flyctl } = await openFly({
    token: request.token,
    version: request.flyctlVersion,
    cwd: workdir,
    onLine: (line) => log.info(line),
  });
  log.info(`Using flyctl ${flyctl.version} (${flyctl.source})`);
  const deadline = started + request.timeoutMs;
  const base = {
    sha: ctx.sha,
    ref: ctx.ref,
    actor: ctx.actor,
    reason: deployReason(ctx),
    started: new Date(started).toISOString(),
  };

  const pr = pullRequestNumber(ctx);
  const previewDb = request.preview && request.database && pr ? { ...request.database, pr } : undefined;
  if (target.destroy) {
    const destroyed = await destroyApp(fly, target.app, { timeoutMs: Math.min(300_000, deadline - Date.now()) });
    // After the app: its machines' sessions are gone, and a database is never left without its app's removal.
    const databaseDropped = previewDb
      ? await closePreviewDatabase(fly, { app: target.app, repository: ctx.repository, ...previewDb })
      : undefined;
    const record = destroyRecord(target.app, base);
    return {
      app: target.app,
      record,
      deploymentFile: writeDeploymentFile(record),
      durationMs: Date.now() - started,
      summary: destroySummary(
        target.app,
        destroyed,
        target.why,
        databaseDropped === undefined ? undefined : { name: previewDatabaseName(target.app), dropped: databaseDropped },
      ),
      databaseDropped,
    };
  }

  const database = await prepareApp(fly, request, target.app, ctx.repository, previewDb);
  const imageLabel = request.image ? undefined : (request.imageLabel ?? defaultImageLabel(ctx.ref, ctx.sha));
  const outcome = await deployApp(
    fly,
    {
      app: target.app,
      config: config.arg,
      image: request.image,
      imageLabel,
      strategy: request.strategy,
      buildArgs: request.buildArgs,
      buildSecrets: request.buildSecrets,
      env: request.env,
      regions: request.regions,
      ha: request.ha,
      waitTimeoutMs: request.waitTimeoutMs,
      deployRetries: request.deployRetries,
      remoteOnly: request.remoteOnly,
      retries: request.retries,
      deadline,
      cwd: workdir,
    },
    {
      onRetry: (a, ms) =>
        log.warning(`Deploy attempt ${a.attempt} failed (${a.kind}), retrying in ${ms} ms: ${a.message}`),
    },
  );
  let ipv6: FlyDeployResult['ipv6'];
  if (request.ipv6 && request.ipv6 !== 'none' && outcome.result === 'success') {
    // After the deploy: flyctl provisions a first deploy's addresses only while the app has none.
    ipv6 = await ensureIpv6(fly, target.app, request.ipv6, { org: request.org, timeoutMs: 120_000 });
    log.info(`IPv6 (${request.ipv6}) of ${target.app}: ${ipv6.address}${ipv6.allocated ? ' (allocated now)' : ''}`);
  }
  const durationMs = Date.now() - started;
  const record = deployRecord(outcome, base, request.strategy ?? config.toml?.strategy ?? 'rolling');
  const result: FlyDeployResult = {
    app: target.app,
    database,
    outcome,
    record,
    deploymentFile: writeDeploymentFile(record),
    durationMs,
    hasServices: config.toml?.hasServices,
    ipv6,
    summary: deploySummary(outcome, record, durationMs),
  };
  if (database) result.summary.text(databaseLine(database));
  if (outcome.result === 'success' && outcome.convergence === 'deployed-but-flyctl-failed') {
    log.warning(
      `flyctl failed, but every machine of ${target.app} runs release v${outcome.release?.version ?? '?'}: ${outcome.error?.flyMessage.split('\n')[0] ?? ''}`,
    );
  }
  if (outcome.result === 'failure' && outcome.error) {
    const split =
      outcome.convergence === 'partial'
        ? ` (partial: ${outcome.fleet.filter((m) => m.current).length} of ${outcome.fleet.length} machines run the new release)`
        : '';
    result.failure = {
      message: `Deploy of ${target.app} failed at ${outcome.failedStep}${split}: ${outcome.error.flyMessage}`,
      hint: failureHint(outcome),
    };
  }
  if (outcome.result === 'unchanged') log.info(`Nothing to do: ${target.app} already runs ${outcome.imageRef}`);
  return result;
}

/** A preview's database settings with the pull request it belongs to. */
type PreviewDb = NonNullable<FlyDeployRequest['database']> & { pr: number };

/**
 * Creates the app when asked (a preview always), then stages a preview's secrets and opens its
 * database. A preview app this run created does not outlive a failed setup.
 */
async function prepareApp(
  fly: Fly,
  request: FlyDeployRequest,
  app: string,
  repository: string,
  previewDb: PreviewDb | undefined,
): Promise<PreviewDatabaseOutcome | undefined> {
  let createdApp = false;
  if (request.preview || request.createApp) {
    createdApp = await ensureApp(fly, app, request.org, { timeoutMs: 120_000 });
    if (createdApp) log.info(`Created app ${app}`);
  }
  if (request.preview) {
    try {
      await stagePreviewSecrets(fly, app, request.previewSecrets);
      if (previewDb) {
        return await openPreviewDatabase(fly, {
          app,
          repository,
          root: workdirRoot(),
          ...previewDb,
        });
      }
    } catch (error) {
      // A preview app this run created does not outlive a failed setup: the next run starts clean.
      if (createdApp) {
        log.info(`Destroying ${app} again: this run created it and its setup failed`);
        await destroyApp(fly, app, { timeoutMs: 300_000 }).catch((e) =>
          log.warning(`Could not destroy ${app}: ${(e as Error).message}`),
        );
      }
      throw error;
    }
  }
  return undefined;
}

/** The repository root: where migrations and seed paths are resolved. */
function workdirRoot(): string {
  return process.env.GITHUB_WORKSPACE || process.cwd();
}

/** Stages the allow-listed secrets, so the deploy that follows starts the machines with them. */
async function stagePreviewSecrets(fly: Fly, app: string, values: Record<string, string> | undefined): Promise<void> {
  if (!values || Object.keys(values).length === 0) return;
  await importSecrets(fly, app, values, { stage: true, timeoutMs: 120_000 });
  log.info(`Staged ${Object.keys(values).sort().join(', ')} on ${app}`);
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
