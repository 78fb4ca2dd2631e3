import { type DeploymentInfo, listDeployments, type MigrationRecord } from '@deploy-actions/deployments';
import { appUrl, deploy, type Fly, getStatus, imageTag, listMachines, listReleases } from '@deploy-actions/fly';
import type { GitHubClient } from '@deploy-actions/github';
import { type GateResult, resolveChecks, runHealthGate, type VersionSource } from '@deploy-actions/health';
import { log, UserError } from '@deploy-actions/toolkit';
import { type CompatDecision, decideCompat, migrationsSince } from './compat';
import { crashedStopped, startLeftStopped } from './crashed';
import { recordedGood } from './recorded';
import { runningImageProblem } from './running';
import { chooseTarget, type LkgSource, type RollbackTarget, type TargetRequest } from './select';

/** Marks, for later steps of the same job, that an app was rolled back by this run. */
export const ROLLED_BACK_ENV = 'DEPLOY_ACTIONS_ROLLED_BACK';

/** Where the down migrations run: the database and tracking table pg-migrate applied them to. */
export interface DatabaseAccess {
  databaseUrl: string;
  migrationsDir: string;
  /** The tracking table's schema and name, when not pg-migrate's defaults (public.schema_migrations). */
  schema?: string;
  table?: string;
  /** The URL reaches PostgreSQL through a pooler in session mode (pg-migrate's allow-pooler). */
  allowPooler?: boolean;
  /** Reach the database through a `flyctl proxy` tunnel to this Fly Postgres app, as pg-migrate did. */
  tunnel?: { app: string; token?: string; flyctlVersion?: string };
}

export interface RollbackOptions {
  fly: Fly;
  app: string;
  failed: { version?: number; imageRef?: string };
  request: TargetRequest;
  lkgSource: LkgSource;
  environment: string;
  /** Reads the verified-deployment record; without it only Fly releases are used. */
  github?: GitHubClient;
  /** This run, to refuse a second rollback of the same app in one run; its repository, to trust only its own records. */
  run: { id: string; sha: string; repository: string; alreadyRolledBack: readonly string[] };
  strategy: 'immediate' | 'rolling' | 'canary' | 'bluegreen';
  waitTimeoutMs: number;
  verify: RollbackVerify;
  /** Where down migrations run: to `migrateTo`, and those a contract or breaking migration calls for. */
  database?: DatabaseAccess;
  /** `rollback-migrations`: revert every migration newer than this version first. */
  migrateTo?: string;
  /** Classes of the migrations this run applied (pg-migrate's `classes`), besides those recorded. */
  appliedMigrations?: MigrationRecord[];
  /** Roll the image back past contract or breaking migrations without down migrations. */
  pastContract?: boolean;
  dryRun: boolean;
}

export interface TimelineEntry {
  step: 'failed release' | 'last known good' | 'migrations' | 'database' | 'rollback release' | 'verification';
  detail: string;
}

export interface RollbackResult {
  rolledBack: boolean;
  fromImage: string;
  target: RollbackTarget;
  newReleaseVersion?: number;
  verified: boolean;
  verification?: GateResult;
  appUrl?: string;
  timeline: TimelineEntry[];
  reason: string;
  revertedMigrations: string[];
  /** What the migrations since the target allowed. */
  compat?: CompatDecision;
  /** True when the migrations since the target forbade an image-only rollback: nothing was changed. */
  refused: boolean;
}

/**
 * Verification defaults tuned for speed: the image is known good, so two passing
 * rounds a second apart prove it, and three failing rounds end the attempt.
 */
/** How the rolled-back release is proven to serve (the same settings as the deploy's health gate). */
export interface RollbackVerify {
  /** `http` and `both` probe URLs; `machines` only checks the machines (a worker with no public port). */
  kind?: 'http' | 'machines' | 'both';
  urls: string[];
  checksFile?: string;
  /** A fixed version the app reports; wins over `versionFrom`. */
  expectedVersion?: string;
  /**
   * `image-label`: the rollback target's image label must answer. `none` (the default): no version
   * is compared, since many apps report none (`{"ok":true}`) or another one (`v1.0.0` on a
   * `main-<sha>` image); the machines still have to run the rollback release.
   */
  versionFrom?: 'image-label' | 'none';
  versionSource?: VersionSource;
  /** Values for `${NAME}` in the checks file. */
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
}

const VERIFY = {
  requestTimeoutMs: 5_000,
  intervalMs: 1_000,
  maxIntervalMs: 4_000,
  successThreshold: 2,
  failureThreshold: 3,
};

/** The version a health endpoint reports for an image: its tag (the image label), when it has one. */
export function versionOfImage(imageRef: string): string | undefined {
  if (imageRef.includes('@')) return undefined;
  return imageTag(imageRef) || undefined;
}

/** Refuses what would make a loop: a second rollback in one run, or rolling back a recorded rollback. */
function guardAgainstLoops(options: RollbackOptions, deployments: DeploymentInfo[], failedImage: string): void {
  if (options.run.alreadyRolledBack.includes(options.app)) {
    throw new UserError(`${options.app} was already rolled back in this run; not rolling back twice.`, {
      hint: 'If the rolled-back release is failing too, a person needs to look at the app.',
    });
  }
  const failedRecord = deployments.find(
    (d) => d.record?.app === options.app && d.record.image_ref === failedImage,
  )?.record;
  if (failedRecord?.rollback) {
    throw new UserError(
      `The failing release of ${options.app} (${failedImage}) was itself a rollback; not rolling back again.`,
      {
        hint: 'A rollback that fails needs a person: check the app, then deploy a known good image with `target`.',
      },
    );
  }
  const sameRun = deployments.find(
    (d) =>
      d.record?.app === options.app &&
      d.record.rollback &&
      d.record.run_id === options.run.id &&
      d.sha === options.run.sha,
  );
  if (sameRun)
    throw new UserError(`${options.app} was already rolled back by this workflow run (deployment ${sameRun.id}).`);
}

/** Reverts every migration newer than `to`, under pg-migrate's lock, newest first. */
async function revertDatabase(database: DatabaseAccess, to: string): Promise<string[]> {
  // pg and the parser load only on this path.
  const { actionLogger: logger, migrate, withFlyPostgresTunnel } = await import('@deploy-actions/migrate');
  const revert = (databaseUrl: string) =>
    migrate({
      databaseUrl,
      dir: database.migrationsDir,
      direction: 'down',
      target: to,
      schema: database.schema,
      table: database.table,
      allowPooler: database.allowPooler,
      logger,
    });
  const { tunnel } = database;
  const result = tunnel
    ? await withFlyPostgresTunnel(tunnel.app, database.databaseUrl, { ...tunnel, logger }, revert)
    : await revert(database.databaseUrl);
  return result.done.map((m) => m.version);
}

/** Reverts the database before the older image starts: to `migrate-to` when asked, and the downs the compatibility check chose. */
async function revertMigrations(
  options: RollbackOptions,
  compat: CompatDecision,
  result: RollbackResult,
): Promise<void> {
  const { timeline } = result;
  const { database, migrateTo } = options;
  if (!database) return;
  if (migrateTo !== undefined) {
    result.revertedMigrations = await revertDatabase(database, migrateTo);
    timeline.push({
      step: 'database',
      detail:
        result.revertedMigrations.length > 0
          ? `reverted ${result.revertedMigrations.join(', ')}`
          : `already at ${migrateTo}`,
    });
  }

  if (compat.action === 'downs') {
    // Before the older image starts.
    const reverted = await revertDatabase(database, compat.revertTo);
    result.revertedMigrations.push(...reverted);
    timeline.push({ step: 'database', detail: `reverted ${reverted.join(', ') || 'nothing (already reverted)'}` });
  }
}

/**
 * Rolls `app` back to its last known good release: choose the target (with the reason),
 * optionally revert the database, redeploy the target's image (never a rebuild), and
 * verify it with the health gate. One attempt only: a failed verification is final.
 */
export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  const releases = await listReleases(options.fly, options.app);
  const failedVersion = options.failed.version ?? releases[0]?.version;
  const failedRelease = releases.find((r) => r.version === failedVersion);
  const fromImage = options.failed.imageRef || failedRelease?.imageRef || '';
  const timeline: TimelineEntry[] = [
    {
      step: 'failed release',
      detail: `v${failedVersion ?? '?'} ${fromImage}${failedRelease ? ` (${failedRelease.status})` : ''}`,
    },
  ];

  // The newest page of the environment's deployments serves the loop guard; the search for the
  // last known good reads further, proving each record against Fly's history before trusting it.
  const deployments = options.github
    ? await listDeployments(options.github, { environment: options.environment, maxPages: 1 })
    : [];
  guardAgainstLoops(options, deployments, fromImage);
  const { recorded, refused } = await recordedGood(
    { ...options, repository: options.run.repository },
    releases.map((r) => ({ version: r.version, status: r.status, imageRef: r.imageRef })),
    fromImage,
  );
  const target = chooseTarget({
    failed: { version: failedVersion, imageRef: fromImage },
    releases: releases.map((r) => ({ version: r.version, status: r.status, imageRef: r.imageRef })),
    recorded,
    request: options.request,
    lkgSource: options.lkgSource,
    refused,
  });
  if (refused.length > 0) target.why += `; ${refused.length} unproven GitHub deployment record(s) refused`;
  timeline.push({
    step: 'last known good',
    detail: `${target.version ? `v${target.version} ` : ''}${target.imageRef}: ${target.why}`,
  });
  log.info(`Rolling back ${options.app} from ${fromImage} to ${target.imageRef} (${target.why})`);
  for (const s of target.skipped) log.info(`  passed over v${s.version} ${s.imageRef}: ${s.why}`);

  const result: RollbackResult = {
    rolledBack: false,
    fromImage,
    target,
    verified: false,
    timeline,
    reason: target.why,
    revertedMigrations: [],
    refused: false,
  };

  // What was migrated since the target decides whether its image may come back alone.
  const compat = decideCompat(
    migrationsSince(deployments, {
      app: options.app,
      repository: options.run.repository,
      targetImage: target.imageRef,
      appliedByThisRun: options.appliedMigrations ?? [],
    }),
    {
      pastContract: options.pastContract ?? false,
      canRunDowns: options.database !== undefined,
      migrateTo: options.migrateTo,
    },
  );
  result.compat = compat;
  if (compat.action === 'refuse') {
    result.refused = true;
    result.reason = `Not rolling back ${options.app} to ${target.imageRef}: ${compat.reason}`;
    timeline.push({ step: 'migrations', detail: `refused: ${compat.reason}` });
    return result;
  }
  timeline.push({ step: 'migrations', detail: compat.note });
  if (options.dryRun) {
    result.reason = `dry run: would roll back to ${target.imageRef} (${target.why}; ${compat.note})`;
    return result;
  }

  await revertMigrations(options, compat, result);

  // Read before the deploy: the update wipes what the events say about the crash.
  const crashed = await listMachines(options.fly, options.app).then(crashedStopped, () => []);
  const deployed = await deploy(options.fly, {
    app: options.app,
    image: target.imageRef,
    strategy: options.strategy,
    waitTimeoutMs: options.waitTimeoutMs,
  });
  result.rolledBack = true;
  result.newReleaseVersion =
    deployed.release?.version ??
    (await listReleases(options.fly, options.app)).find((r) => r.imageRef === target.imageRef)?.version;
  const started = await startLeftStopped(options.fly, options.app, crashed);
  timeline.push({
    step: 'rollback release',
    detail: `v${result.newReleaseVersion ?? '?'} ${target.imageRef} (${options.strategy})${started.length > 0 ? `; started ${started.join(', ')}, stopped by the crash` : ''}`,
  });

  // The machines must run what was chosen (and the digest the record verified, when it names one).
  const wrongImage = await runningImageProblem(options.fly, options.app, target, result.newReleaseVersion);
  if (wrongImage) {
    result.reason = `rolled back to ${target.imageRef}, but ${wrongImage}`;
    timeline.push({ step: 'verification', detail: `failed: ${wrongImage}` });
    return result;
  }

  return verifyRollback(options, result);
}

/** Proves the rollback with the health gate: the app's URL (or the given checks), every machine judged as Fly leaves it. */
async function verifyRollback(options: RollbackOptions, result: RollbackResult): Promise<RollbackResult> {
  const { target, timeline } = result;
  const status = await getStatus(options.fly, options.app);
  result.appUrl = appUrl(status) || undefined;
  const verify = options.verify;
  const http = verify.kind !== 'machines';
  const given = verify.urls.length > 0 || verify.checksFile !== undefined;
  if (http && !given && !result.appUrl) {
    result.reason = `rolled back to ${target.imageRef}, but it cannot be verified: flyctl reports no URL for the app; give health-url or checks-file`;
    timeline.push({ step: 'verification', detail: 'not run: no URL to probe' });
    return result;
  }
  const urls = !http ? [] : given ? verify.urls : [`${result.appUrl?.replace(/\/$/, '')}/health`];
  const expectedVersion = !http
    ? undefined
    : verify.expectedVersion || (verify.versionFrom === 'image-label' ? versionOfImage(target.imageRef) : undefined);
  const { machineGate } = await import('@deploy-actions/health/fly');
  const gate = await runHealthGate({
    ...VERIFY,
    checks: await resolveChecks({
      urls,
      checksFile: http ? verify.checksFile : undefined,
      version: expectedVersion !== undefined,
      allowNone: !http,
      env: verify.env,
    }),
    expectedVersion,
    versionSource: verify.versionSource,
    timeoutMs: options.verify.timeoutMs,
    // Every machine must be on the rollback release, started, with passing checks.
    fly: machineGate(options.fly, {
      app: options.app,
      releaseVersion: result.newReleaseVersion === undefined ? undefined : String(result.newReleaseVersion),
      perMachine: false,
    }),
  });
  result.verification = gate;
  result.verified = gate.healthy;
  timeline.push({ step: 'verification', detail: `${gate.verdict}: ${gate.reason}` });
  result.reason = gate.healthy
    ? `rolled back to ${target.imageRef} (${target.why}) and verified`
    : `rolled back to ${target.imageRef} but the service is still down: ${gate.reason}`;
  return result;
}
