import { UserError } from '@deploy-actions/toolkit';
import type { Classification } from './classify/types';
import { type MigrationFile, migrationLabel, versionKey } from './files';
import type { Statement } from './sql';
import type { AppliedRow } from './tracking';

export interface PlanItem {
  file: MigrationFile;
  /** `apply` a new migration, `resume` a non-transactional one part-way through, `revert` (down). */
  action: 'apply' | 'resume' | 'revert';
  /** Statements already done (resume). */
  resumeFrom: number;
  /** Filled in by the analysis of the script the item runs. */
  statements?: Statement[];
  /** Compatibility class of an up migration (classify/), set once `classifying` settles. */
  classification?: Classification;
  /** The classification in flight: it runs beside the apply and is awaited before the result. */
  classifying?: Promise<Classification | undefined>;
}

export interface Plan {
  items: PlanItem[];
  warnings: string[];
  /** Highest finished version before this run. */
  currentVersion?: string;
  /** Pending migrations outside this run (beyond `target`). */
  notInRun: number;
}

export interface PlanOptions {
  direction: 'up' | 'down';
  target?: string;
  steps?: number;
  allowDrift: boolean;
  allowOutOfOrder: boolean;
}

function highest(rows: AppliedRow[]): string | undefined {
  let best: AppliedRow | undefined;
  let bestOrder = 0n;
  for (const row of rows) {
    if (!row.finished) continue;
    const order = BigInt(row.version);
    if (!best || order > bestOrder) {
      best = row;
      bestOrder = order;
    }
  }
  return best?.version;
}

/** Fails with every problem found (one UserError, before anything changed); nothing when there are none. */
export function refuseProblems(problems: readonly string[]): void {
  if (problems.length === 0) return;
  throw new UserError(
    problems.length === 1
      ? problems[0]
      : `${problems.length} problems, nothing was changed:\n- ${problems.join('\n- ')}`,
  );
}

/**
 * Decides what a run does and runs every check that does not need the SQL parsed:
 * drift of applied files, out-of-order pending files, missing files, down files.
 * All problems are reported together, before anything is applied.
 */
export function buildPlan(files: MigrationFile[], rows: AppliedRow[], options: PlanOptions): Plan {
  const problems: string[] = [];
  const warnings: string[] = [];
  const byVersion = new Map(rows.map((r) => [versionKey(r.version), r]));
  const fileKeys = files.map((f) => f.order.toString());
  const onDisk = new Set(fileKeys);
  // The tracking row of each file (by position), looked up once.
  const rowOf = fileKeys.map((k) => byVersion.get(k));
  const currentVersion = highest(rows);

  const drifted = files.filter((f, i) => {
    const row = rowOf[i];
    return row?.finished && row.checksum !== f.checksum;
  });
  if (drifted.length > 0) {
    const list = drifted.map((f) => f.up.path).join(', ');
    const message = `Applied migration${drifted.length > 1 ? 's were' : ' was'} edited since ${drifted.length > 1 ? 'they were' : 'it was'} applied (checksum differs): ${list}`;
    if (options.allowDrift) warnings.push(message);
    else
      problems.push(
        `${message}. Restore the applied SQL and put the change in a new migration, or set \`allow-drift: true\`.`,
      );
  }
  for (const [i, f] of files.entries()) {
    const row = rowOf[i];
    if (row && !row.finished && row.checksum !== f.checksum) {
      problems.push(
        `${f.up.path} was edited while part-way applied (${row.statementsDone} of ${row.statementsTotal} statements done); restore it so the run can resume, then change things in a new migration.`,
      );
    }
  }
  const missing = rows.filter((r) => !onDisk.has(versionKey(r.version)));
  if (missing.length > 0) {
    const list = missing.map(migrationLabel).join(', ');
    const message = `Applied migration${missing.length > 1 ? 's' : ''} not found on disk: ${list} (recorded in the tracking table, no file in the migrations folder)`;
    if (options.allowDrift) warnings.push(`${message}.`);
    else
      problems.push(
        `${message}. Restore the file${missing.length > 1 ? 's' : ''} (a deleted or renamed migration is still in the database), or set \`allow-drift: true\` to go on without ${missing.length > 1 ? 'them' : 'it'}.`,
      );
  }

  if (options.target !== undefined && !/^\d+$/.test(options.target)) {
    problems.push(`target must be a version number (the leading digits of a migration), got "${options.target}"`);
  }
  const target = options.target !== undefined && /^\d+$/.test(options.target) ? BigInt(options.target) : undefined;
  let items: PlanItem[] = [];
  let notInRun = 0;

  if (options.direction === 'up') {
    const pending: PlanItem[] = [];
    for (const [i, f] of files.entries()) {
      const row = rowOf[i];
      if (!row) pending.push({ file: f, action: 'apply', resumeFrom: 0 });
      else if (!row.finished) pending.push({ file: f, action: 'resume', resumeFrom: row.statementsDone ?? 0 });
    }
    if (target !== undefined && !onDisk.has(target.toString()) && !byVersion.has(target.toString())) {
      problems.push(`target ${options.target} is not a migration in the folder`);
    }
    items = target === undefined ? pending : pending.filter((p) => p.file.order <= target);
    notInRun = pending.length - items.length;
    const newest = currentVersion === undefined ? undefined : BigInt(currentVersion);
    const late = newest === undefined ? [] : items.filter((p) => p.action === 'apply' && p.file.order < newest);
    if (late.length > 0) {
      const message = `Pending migration${late.length > 1 ? 's are' : ' is'} older than the newest applied one (${currentVersion}): ${late.map((p) => p.file.up.path).join(', ')}`;
      if (options.allowOutOfOrder) warnings.push(`${message}; applying out of order as allowed.`);
      else
        problems.push(
          `${message}. This usually comes from merging parallel branches: renumber the file after ${currentVersion}, or set \`allow-out-of-order: true\`.`,
        );
    }
  } else {
    if (options.target !== undefined && options.steps !== undefined) {
      problems.push('Give either `target` or `steps` for a down migration, not both');
    }
    const applied = rows.filter((r) => r.finished).sort((a, b) => (BigInt(b.version) > BigInt(a.version) ? 1 : -1));
    const chosen =
      target !== undefined ? applied.filter((r) => BigInt(r.version) > target) : applied.slice(0, options.steps ?? 1);
    const unfinished = rows.filter((r) => !r.finished && (target === undefined || BigInt(r.version) > target));
    if (unfinished.length > 0) {
      problems.push(
        `Cannot revert while ${unfinished.map(migrationLabel).join(', ')} ${unfinished.length > 1 ? 'are' : 'is'} part-way applied; run up first to finish ${unfinished.length > 1 ? 'them' : 'it'}.`,
      );
    }
    const filesByVersion = new Map(files.map((f) => [versionKey(f.version), f]));
    const noFile = chosen.filter((r) => !filesByVersion.has(versionKey(r.version)));
    const noDown = chosen.filter(
      (r) => filesByVersion.get(versionKey(r.version)) && !filesByVersion.get(versionKey(r.version))?.down,
    );
    if (noFile.length > 0)
      problems.push(`Cannot revert ${noFile.map(migrationLabel).join(', ')}: no migration file on disk`);
    if (noDown.length > 0) {
      problems.push(
        `Cannot revert ${noDown.map((r) => filesByVersion.get(versionKey(r.version))?.up.path).join(', ')}: no down migration (add a .down.sql file, a \`-- migrate:down\` section or down.sql)`,
      );
    }
    items = chosen
      .map((r) => filesByVersion.get(versionKey(r.version)))
      .filter((f): f is MigrationFile => f !== undefined)
      .map((file) => ({ file, action: 'revert' as const, resumeFrom: 0 }));
  }
  refuseProblems(problems);
  return { items, warnings, currentVersion, notInRun };
}
