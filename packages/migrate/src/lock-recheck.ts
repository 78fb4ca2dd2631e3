import { formatDuration } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import { type Adoption, adoption } from './adopt';
import { analyse } from './analyse';
import { startClassifying } from './classify/plan';
import { connect, loginPid, poolerReason } from './db';
import type { LintFinding } from './lint';
import { acquire, lockKey, release, releaseThroughPooler } from './lock';
import { buildPlan, type Plan, refuseProblems } from './plan';
import { type Reading, type Run, rowValues } from './run';
import { ensureTable, insertAdopted, readState, type ServerState } from './tracking';

/**
 * Takes the migration lock on the connection that migrates, the only one a run opens before it
 * holds the lock: runs queued by a small pool cannot each hold one connection while waiting
 * for a second. A statement still executing for a killed runner keeps its backend, and the
 * lock with it, until it ends. Returns what releases it.
 */
export async function takeLock(run: Run, work: Client, serverVersionNum: number): Promise<() => Promise<void>> {
  const { options, logger, lockWaitMs, t } = run;
  const held = await acquire(work, lockKey(t, 'work'), {
    deadline: Date.now() + lockWaitMs,
    waitMs: lockWaitMs,
    what: `the migration lock on ${t.schema}.${t.table}`,
    loginPid: loginPid(work),
    allowPooler: options.allowPooler ?? false,
    urlHint: poolerReason(options.databaseUrl),
    onWait: () => logger.info(`Waiting up to ${formatDuration(lockWaitMs)} for another runner's migration lock...`),
  });
  if (!held.direct)
    logger.info(
      'database-url goes through a connection pooler (allow-pooler): the migration lock is checked inside every migration.',
    );
  run.settings.lock = held;
  run.settings.serverVersionNum = serverVersionNum;
  return async () => {
    // A broken connection ends its backend, and the lock with it.
    let released = await release(work, held, 1_000).catch(() => true);
    if (!released && !held.direct)
      released = await releaseThroughPooler(
        () =>
          connect({ url: options.databaseUrl, applicationName: run.applicationName, deadline: Date.now() + 10_000 }),
        held,
      );
    if (!released)
      logger.warning(
        `Could not release the migration lock held by server connection pid ${held.pid} (a pooler gave this run other connections): end it with SELECT pg_terminate_backend(${held.pid}).`,
      );
  };
}

/** Records the migrations `adopted` found as applied, without running them. */
async function recordAdoption(run: Run, work: Client, state: ServerState, adopted: Adoption): Promise<void> {
  if (!state.exists) await ensureTable(work, run.t);
  await work.query(
    insertAdopted(
      run.t,
      adopted.files.map((f) => ({ ...rowValues(run, f), appliedBy: `${run.appliedBy} (${adopted.source})` })),
    ),
  );
  state.exists = true;
  run.logger.info(`Recorded ${adopted.files.length} migration(s) as applied (${adopted.source}).`);
}

/** Keeps what was parsed and classified (or is being classified) for a migration planned again the same way. */
function carryAnalysis(before: Plan, plan: Plan): void {
  for (const item of plan.items) {
    const earlier = before.items.find((b) => b.file === item.file && b.action === item.action);
    item.statements = earlier?.statements;
    item.classification = earlier?.classification;
    item.classifying = earlier?.classifying;
  }
}

/**
 * Another runner may have finished while this one waited for the lock: reads the state again
 * under the lock, records an adoption, and plans and checks again from there.
 */
export async function recheckUnderLock(
  run: Run,
  work: Client,
  before: Reading,
  findings: LintFinding[],
): Promise<{ reading: Reading; adopted?: Adoption }> {
  const { files } = before;
  const state = await readState(work, run.t, true);
  let rows = state.rows ?? [];
  const adopted = run.direction === 'down' ? undefined : await adoption(work, run.t, files, rows, run.options.baseline);
  if (adopted) {
    await recordAdoption(run, work, state, adopted);
    rows = adopted.rows;
  }
  const plan = buildPlan(files, rows, run.planOptions);
  carryAnalysis(before.plan, plan);
  const problems: string[] = [];
  await analyse(plan.items, problems, false);
  if (run.direction === 'up') startClassifying(plan.items, findings, problems, run.classify);
  refuseProblems(problems);
  return { reading: { ...before, state, rows, upToDate: false, plan }, adopted };
}
