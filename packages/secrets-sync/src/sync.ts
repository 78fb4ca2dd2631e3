import {
  encodeImport,
  type Fly,
  type FlyRun,
  importSecrets,
  isTransient,
  listSecrets,
  type Secret,
  unsetSecrets,
} from '@deploy-actions/fly';
import { errorMessage, log, retry, UserError } from '@deploy-actions/toolkit';
import { SECRET_NAME } from './dotenv';
import { buildPlan, changeCount, describePlan, type Plan, type SyncMode } from './plan';
import { enforceRules, type Rules } from './rules';

export interface SyncOptions {
  app: string;
  /** Declared secrets, already registered as secrets. */
  declared: ReadonlyMap<string, string>;
  mode: SyncMode;
  protectedNames?: readonly string[];
  rules?: Rules;
  /** fly.toml `[env]`: plain variables the rules judge too (a secret of the same name hides one). */
  flyTomlEnv?: ReadonlyMap<string, string>;
  /** Write with `--stage` (no machine restart). */
  stage: boolean;
  /** Make the written secrets take effect now (one machine restart). */
  deploy: boolean;
  dryRun: boolean;
  /** Per flyctl command that restarts nothing (default 2 minutes). */
  timeoutMs?: number;
  /** For the write that restarts machines and waits for their checks (default 15 minutes). */
  restartTimeoutMs?: number;
  /** Told after each successful write (e.g. `secrets import --stage`), so a later failure can say what was done. */
  onWrite?: (write: string) => void;
}

export interface SyncResult {
  plan: Plan;
  remote: Secret[];
  /** flyctl write commands run, e.g. `secrets import --stage`. */
  writes: string[];
  /** Something was written that is not on the machines yet. */
  staged: boolean;
  /** The app has no machines: flyctl kept the secrets for its first deployment. */
  firstDeployment: boolean;
  /** Untouched remote secrets flyctl reports as not deployed everywhere (`Staged`, `Partial`). */
  pending: string[];
}

const RETRY = { attempts: 3, baseDelayMs: 2_000, maxDelayMs: 15_000, retryable: isTransient };

function withRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
  return retry(fn, {
    ...RETRY,
    onRetry: (error, attempt, delayMs) =>
      log.warning(
        `flyctl ${what} failed (attempt ${attempt}), retrying in ${Math.round(delayMs / 1000)}s: ${errorMessage(error)}`,
      ),
  });
}

/**
 * Makes the app's secrets equal the declared ones: one `secrets list`, then at most
 * one `secrets import` (added and changed values, on stdin) and one `secrets unset`
 * (removals). Both are staged, except that when the change should take effect now
 * the last write runs without `--stage`, so flyctl restarts the machines once with
 * every secret (what `secrets deploy` does, one call fewer, and it also works on an
 * app with no machines yet). Rules and quoting are checked before any write.
 */
export async function syncSecrets(fly: Fly, options: SyncOptions): Promise<SyncResult> {
  const { app } = options;
  if (options.mode === 'exact' && options.declared.size === 0) {
    throw new UserError('mode is exact but no secrets are declared: that would remove every secret of the app', {
      hint: 'Check the secrets, env-file and env-prefix inputs.',
    });
  }
  // packages/fly keeps the JSON list out of the log; the plan line below says what matters.
  const remote = await withRetry('secrets list', () =>
    listSecrets(fly, app, { timeoutMs: options.timeoutMs ?? 120_000 }),
  );
  const plan = buildPlan(options.declared, remote, { mode: options.mode, protectedNames: options.protectedNames });
  if (options.rules) enforceRules(options.rules, options.declared, plan.after, options.flyTomlEnv);
  log.info(describePlan(plan));

  const upserts = new Map(
    [...plan.add, ...plan.change].map((name) => [name, options.declared.get(name) ?? ''] as const),
  );
  // Encoded now (importSecrets encodes again) so a value flyctl cannot read fails even a dry run, before any write.
  encodeImport(upserts);
  const touched = new Set([...plan.add, ...plan.change, ...plan.remove]);
  const pending = remote
    .filter((s) => (s.status === 'Staged' || s.status === 'Partial') && !touched.has(s.name))
    .map((s) => s.name);
  const result: SyncResult = { plan, remote, writes: [], staged: false, firstDeployment: false, pending };
  if (options.dryRun || changeCount(plan) === 0) return result;

  // Names reach flyctl's argv: only environment-style names, so none can read as a flag.
  const odd = plan.remove.filter((name) => !SECRET_NAME.test(name));
  if (odd.length > 0) {
    throw new UserError(
      `Refusing to unset secrets with unexpected names: ${odd.map((n) => JSON.stringify(n)).join(', ')}`,
    );
  }
  const applyNow = options.deploy || !options.stage;
  type Write = (stage: boolean, timeoutMs: number) => Promise<FlyRun | undefined>;
  const writes: { what: string; write: Write }[] = [];
  if (upserts.size > 0) {
    writes.push({
      what: 'secrets import',
      write: (stage, timeoutMs) => importSecrets(fly, app, upserts, { stage, timeoutMs }),
    });
  }
  if (plan.remove.length > 0) {
    writes.push({
      what: 'secrets unset',
      write: (stage, timeoutMs) => unsetSecrets(fly, app, plan.remove, { stage, timeoutMs }),
    });
  }
  let lastOutput = '';
  for (const [i, { what, write }] of writes.entries()) {
    const stage = i < writes.length - 1 || !applyNow;
    const timeoutMs = stage ? (options.timeoutMs ?? 120_000) : (options.restartTimeoutMs ?? 900_000);
    const run = await withRetry(what, () => write(stage, timeoutMs));
    lastOutput = run?.stdout ?? '';
    result.writes.push(`${what}${stage ? ' --stage' : ''}`);
    options.onWrite?.(result.writes[result.writes.length - 1]);
  }
  result.firstDeployment = applyNow && /staged for the first deployment/i.test(lastOutput);
  result.staged = !applyNow || result.firstDeployment;
  // A restart puts every secret on the machines, the earlier staged ones too.
  if (!result.staged) result.pending = [];
  return result;
}
