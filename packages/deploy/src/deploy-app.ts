import {
  type AppStatus,
  appUrl,
  DeployError,
  type DeployOptions,
  deploy,
  deployArgs,
  type Fly,
  FlyError,
  findReleaseByImage,
  getStatus,
  isTransient,
  listMachines,
  listReleases,
  listSecrets,
  type Machine,
  machineReleaseVersion,
  type NewRelease,
  type RunOptions,
  sameImage,
} from '@deploy-actions/fly';
import { errorMessage, retry } from '@deploy-actions/toolkit';
import { type CurrentRelease, currentState } from './current';
import {
  type Convergence,
  type Crash,
  classifyFleet,
  crashLogs,
  describeCrash,
  type FleetMachine,
  fleetDigest,
  fleetOf,
  type NewReleaseMark,
  watchForCrash,
} from './fleet';

export interface DeployAppRequest extends DeployOptions {
  /** Extra attempts after a transient failure that changed no machine. */
  retries: number;
  /** Absolute time (ms) by which everything must be over. */
  deadline: number;
  /** flyctl's working directory (where fly.toml and the Dockerfile are). */
  cwd?: string;
  /** Delay before the first retry; doubles up to 20 s, with jitter. */
  retryBaseMs?: number;
  /** How often the machines are read while flyctl deploys, to catch a crash (default 3 s). */
  watchIntervalMs?: number;
}

export interface Attempt {
  attempt: number;
  ok: boolean;
  message?: string;
  kind?: 'transient' | 'permanent';
  machinesTouched?: boolean;
}

export interface DeployAppOutcome {
  app: string;
  /**
   * `unchanged`: the requested image already is the current release, nothing was deployed.
   * `success` includes a deploy flyctl reported failed while every machine converged
   * (`convergence` says `deployed-but-flyctl-failed`): the health gate verifies it.
   */
  result: 'success' | 'failure' | 'unchanged';
  /** Where the machines stand after flyctl, read from the machines themselves. */
  convergence?: Convergence;
  /** The app's serving machines after the deploy: which runs what. */
  fleet: FleetMachine[];
  /** A machine of the new release that crashed while flyctl deployed (flyctl was stopped). */
  crash?: Crash;
  previous?: CurrentRelease;
  release?: NewRelease;
  imageRef: string;
  /** The content digest every machine of the new release runs (`sha256:…`), when they agree. */
  imageDigest?: string;
  appUrl: string;
  attempts: Attempt[];
  /** Why it failed (flyctl's message is `error.flyMessage`). */
  error?: FlyError;
  /** What was being done when it failed. */
  failedStep?: 'read current release' | 'deploy' | 'read new release' | 'read machines';
  startedAt: Date;
  finishedAt: Date;
}

/** `lease ... expires at <RFC 3339>`: how long until the holder's lease lapses. */
export function leaseWaitMs(message: string, now = Date.now()): number | undefined {
  const m = /expires at (\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(message);
  if (!m) return undefined;
  const wait = Date.parse(m[1]) - now;
  return Number.isFinite(wait) && wait > 0 ? Math.min(wait + 250, 30_000) : undefined;
}

/**
 * Deploys one app the safe way: records the current release first (auto-rollback needs
 * it), runs `flyctl deploy`, retries only transient failures that changed no machine
 * (bounded by `retries` and the deadline), and learns the new release from the
 * FLY_EMIT_RELEASE_JSON line or, on older flyctl, from `releases` by image. Failures
 * come back as an outcome with everything known so far, not as an exception.
 */
export async function deployApp(
  fly: Fly,
  request: DeployAppRequest,
  hooks: { onRetry?: (attempt: Attempt, delayMs: number) => void } = {},
): Promise<DeployAppOutcome> {
  // Refuse bad options before touching anything.
  deployArgs(request);
  const startedAt = new Date();
  const remaining = () => Math.max(1_000, request.deadline - Date.now());
  const quick = () => ({ cwd: request.cwd, timeoutMs: Math.min(120_000, remaining()) });
  const outcome: DeployAppOutcome = {
    app: request.app,
    result: 'failure',
    imageRef: request.image ?? '',
    appUrl: '',
    attempts: [],
    fleet: [],
    startedAt,
    finishedAt: startedAt,
  };
  const bounds = {
    attempts: request.retries + 1,
    baseDelayMs: request.retryBaseMs ?? 1_000,
    maxDelayMs: 20_000,
    deadline: request.deadline,
  };
  // Reads change nothing, so any transient failure of theirs is retried (same bounds).
  const reading = <T>(read: () => Promise<T>) => retry(read, { ...bounds, retryable: isTransient });
  const fail = (step: DeployAppOutcome['failedStep'], error: unknown): DeployAppOutcome => {
    if (!(error instanceof FlyError)) throw error;
    outcome.result = 'failure';
    outcome.error = error;
    outcome.failedStep = step;
    outcome.finishedAt = new Date();
    return outcome;
  };

  let before: Awaited<ReturnType<typeof currentState>>;
  try {
    before = await reading(() => currentState(fly, request.app, quick()));
    outcome.previous = before.current;
    // A deploy does not change an app's URL, but an app never deployed may not report its final one yet.
    if (before.current) outcome.appUrl = appUrl(before.status);
  } catch (error) {
    return fail('read current release', error);
  }
  const previous = outcome.previous;
  if (previous && (await alreadyDeployed(fly, request, before.status, previous, quick()))) {
    outcome.result = 'unchanged';
    outcome.convergence = 'deployed';
    outcome.fleet = fleetOf(before.status.Machines, { version: previous.version });
    outcome.imageDigest = fleetDigest(outcome.fleet);
    outcome.release = newRelease(previous);
    outcome.finishedAt = new Date();
    return outcome;
  }

  // Machines left on a failed deploy's release are not this deploy's doing: only newer releases are.
  const mark: NewReleaseMark = { after: before.newestVersion };
  const machinesNow = () => reading(() => listMachines(fly, request.app, { ...quick(), onLine: () => {} }));
  let flyctlOk = false;
  let deployError: DeployError | undefined;
  try {
    outcome.release = (
      await deployRetried(fly, request, { outcome, mark, bounds, remaining, machinesNow, hooks })
    ).release;
    flyctlOk = true;
  } catch (error) {
    if (!(error instanceof DeployError)) throw error;
    deployError = error;
  }

  // Whatever flyctl said, the machines say where the fleet is.
  try {
    if (!outcome.release && !flyctlOk) {
      // A failed deploy still names the release it created (flyctl creates it before any lease).
      outcome.release = await createdRelease(fly, request, before.newestVersion, quick()).catch(() => undefined);
    }
    if (outcome.release) mark.version = outcome.release.version;
    outcome.fleet = fleetOf(await machinesNow(), mark);
    outcome.convergence = classifyFleet(outcome.fleet, flyctlOk && !outcome.crash);
    outcome.imageDigest = fleetDigest(outcome.fleet);
  } catch (error) {
    return fail(deployError ? 'deploy' : 'read machines', deployError ?? error);
  }
  if (outcome.crash) outcome.crash.logs = await crashLogs(fly, request.app, outcome.crash.machine, quick());
  if (outcome.release?.imageRef) outcome.imageRef = outcome.release.imageRef;
  if (deployError || outcome.crash) {
    if (outcome.crash || outcome.convergence !== 'deployed-but-flyctl-failed') {
      // A release no machine runs is not the app's: nothing to roll back from.
      if (outcome.convergence === 'not-deployed' && !deployError?.machinesTouched) outcome.release = undefined;
      return fail('deploy', outcome.crash ? crashError(outcome.crash, request) : deployError);
    }
    // flyctl gave up while every machine converged: the health gate verifies it, nothing is failed blindly.
    outcome.error = deployError;
  }

  try {
    if (!outcome.release) {
      // flyctl older than 0.4.56 prints no release line: find it by image.
      const releases = await reading(() => listReleases(fly, request.app, quick()));
      const found = findReleaseByImage(releases, { imageRef: request.image, label: request.imageLabel });
      if (found) outcome.release = newRelease(found);
    }
    outcome.imageRef = outcome.release?.imageRef || outcome.imageRef;
    if (!outcome.appUrl) outcome.appUrl = appUrl(await reading(() => getStatus(fly, request.app, quick())));
  } catch (error) {
    return fail('read new release', error);
  }
  outcome.result = 'success';
  outcome.finishedAt = new Date();
  return outcome;
}

/**
 * `flyctl deploy` with the machines watched, retried only on a transient failure that changed no
 * machine: flyctl's output and the machines must both say nothing changed (a deploy that reached
 * a machine may have half-rolled, and its release command may have migrated). Records every attempt.
 */
function deployRetried(
  fly: Fly,
  request: DeployAppRequest,
  s: {
    outcome: DeployAppOutcome;
    mark: NewReleaseMark;
    bounds: { attempts: number; baseDelayMs: number; maxDelayMs: number; deadline: number };
    remaining: () => number;
    machinesNow: () => Promise<Machine[]>;
    hooks: { onRetry?: (attempt: Attempt, delayMs: number) => void };
  },
) {
  const { outcome, mark, bounds, remaining, machinesNow, hooks } = s;
  return retry(
    async (attempt) => {
      try {
        const r = await deployWatched(fly, request, mark, { cwd: request.cwd, timeoutMs: remaining() }, (crash) => {
          outcome.crash = crash;
        });
        outcome.attempts.push({ attempt, ok: true });
        return r;
      } catch (error) {
        if (!(error instanceof DeployError)) throw error;
        // A retry is only safe when no machine changed: flyctl's output says so, and so must the machines.
        const changed =
          error.machinesTouched ||
          (error.kind === 'transient' && fleetOf(await machinesNow().catch(() => []), mark).some((m) => m.current));
        const checked = changed === error.machinesTouched ? error : new DeployError(error, changed);
        outcome.attempts.push({
          attempt,
          ok: false,
          message: checked.flyMessage,
          kind: checked.kind,
          machinesTouched: checked.machinesTouched,
        });
        throw checked;
      }
    },
    {
      ...bounds,
      // Never re-run a deploy that reached the machines: it may have half-rolled.
      retryable: (error) =>
        !outcome.crash && error instanceof DeployError && error.kind === 'transient' && !error.machinesTouched,
      requestedDelayMs: (error) => leaseWaitMs(errorMessage(error)),
      onRetry: (_error, _attempt, delayMs) => {
        const last = outcome.attempts.at(-1);
        if (last) hooks.onRetry?.(last, delayMs);
      },
    },
  );
}

/** The release this deploy created (any status), found by its image among those newer than `after`. */
async function createdRelease(
  fly: Fly,
  request: DeployAppRequest,
  after: number,
  options: RunOptions,
): Promise<NewRelease | undefined> {
  const releases = await listReleases(fly, request.app, options);
  const newer = releases.filter((r) => r.version > after);
  const found = findReleaseByImage(newer, { imageRef: request.image, label: request.imageLabel });
  return found ? newRelease(found) : undefined;
}

function newRelease(r: Pick<NewRelease, 'id' | 'version' | 'imageRef'>): NewRelease {
  return { id: r.id, version: r.version, imageRef: r.imageRef };
}

/**
 * True when deploying would change nothing: the requested image is the current, complete
 * release, every machine runs it and is started, and no secret waits staged for a deploy
 * (fly-secrets-sync stages them for exactly this step). Any doubt means deploy.
 */
async function alreadyDeployed(
  fly: Fly,
  request: DeployAppRequest,
  status: AppStatus,
  current: CurrentRelease,
  options: RunOptions,
): Promise<boolean> {
  if (!request.image || !sameImage(current.imageRef, request.image) || current.status !== 'complete') return false;
  // Standbys and autostopped machines are stopped by design: the release they carry is what counts.
  const settled =
    status.Machines.length > 0 && status.Machines.every((m) => machineReleaseVersion(m) === current.version);
  if (!settled) return false;
  try {
    const secrets = await listSecrets(fly, request.app, { ...options, onLine: () => {} });
    return secrets.every((s) => s.status === 'Deployed' || s.status === undefined);
  } catch {
    return false;
  }
}

/** The failure of a deploy stopped because a machine of the new release crashed. */
function crashError(crash: Crash, request: DeployAppRequest): DeployError {
  const cause = new FlyError({
    command: 'deploy',
    exitCode: null,
    kind: 'permanent',
    flyMessage: `${describeCrash(crash)} while flyctl deployed ${request.app}; flyctl was stopped instead of waiting out its wait-timeout`,
  });
  return new DeployError(cause, true);
}

/**
 * One `flyctl deploy`, with the machines watched while it runs: a machine of the new
 * release that crashes stops flyctl at once (flyctl would wait out --wait-timeout).
 */
async function deployWatched(
  fly: Fly,
  request: DeployAppRequest,
  mark: NewReleaseMark,
  run: RunOptions,
  onCrash: (crash: Crash) => void,
) {
  const controller = new AbortController();
  const watch = watchForCrash(fly, request.app, {
    mark,
    since: Date.now() - 1_000,
    intervalMs: request.watchIntervalMs ?? 3_000,
    onCrash: (crash) => {
      onCrash(crash);
      controller.abort();
    },
  });
  try {
    return await deploy(fly, request, { ...run, signal: controller.signal });
  } finally {
    watch.stop();
  }
}
