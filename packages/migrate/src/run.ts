import { UserError } from '@deploy-actions/toolkit';
import type { Adoption } from './adopt';
import type { Settings } from './apply';
import { migrationRecords } from './classify/plan';
import { type MigrationFile, versionKey } from './files';
import type { LintFinding } from './lint';
import type { Plan, PlanOptions } from './plan';
import { renderPlan } from './render';
import { type AppliedRow, type RowValues, type ServerState, type Tracking, tracking } from './tracking';
import type { DoneMigration, MigrateLogger, MigrateOptions, MigrateResult } from './types';
import { registerDatabaseUrl, requireDatabaseName } from './url';

/** One run of `migrate`: its options with their defaults, and what it has done so far. */
export interface Run {
  options: MigrateOptions;
  logger: MigrateLogger;
  direction: 'up' | 'down';
  dryRun: boolean;
  /** Up runs classify what they apply (`options.classify`, default true). */
  classify: boolean;
  root: string;
  t: Tracking;
  /** Timeouts and retries; the lock joins them once taken. */
  settings: Settings;
  lockWaitMs: number;
  appliedBy: string;
  applicationName: string;
  planOptions: PlanOptions;
  /** Migrations applied or reverted, in order (reported with a failure too). */
  done: DoneMigration[];
}

/** What the database holds and what the run plans from it (read again once the lock is held). */
export interface Reading {
  files: MigrationFile[];
  state: ServerState;
  rows: AppliedRow[];
  /** The tracking table matched the folder: nothing else was read. */
  upToDate: boolean;
  plan: Plan;
  /** The highest applied version before the run. */
  previousVersion: string | undefined;
}

const silent: MigrateLogger = { info: () => undefined, warning: () => undefined };

/** The run `options` ask for; refuses options that contradict each other before anything opens. */
export function runOf(options: MigrateOptions): Run {
  const direction = options.direction ?? 'up';
  const t = tracking(options.schema ?? 'public', options.table ?? 'schema_migrations');
  registerDatabaseUrl(options.databaseUrl);
  requireDatabaseName(options.databaseUrl);
  if (options.baseline !== undefined && direction === 'down') {
    throw new UserError("Input 'baseline' adopts a database on the way up; it cannot be used with `direction: down`");
  }
  const appliedBy = options.appliedBy ?? 'pg-migrate';
  return {
    options,
    logger: options.logger ?? silent,
    direction,
    dryRun: options.dryRun ?? false,
    classify: options.classify ?? true,
    root: options.root ?? process.cwd(),
    t,
    settings: {
      lockTimeoutMs: options.lockTimeoutMs ?? 5_000,
      statementTimeoutMs: options.statementTimeoutMs ?? 0,
      lockRetries: options.lockRetries ?? 3,
    },
    lockWaitMs: options.lockWaitMs ?? 120_000,
    appliedBy,
    applicationName: `pg-migrate ${appliedBy}`,
    planOptions: {
      direction,
      target: options.target,
      steps: options.steps,
      allowDrift: options.allowDrift ?? false,
      allowOutOfOrder: options.allowOutOfOrder ?? false,
    },
    done: [],
  };
}

/** The tracking row of `f` as this run records it. */
export function rowValues(run: Run, f: MigrationFile): RowValues {
  return {
    version: f.version,
    name: f.name,
    checksum: f.checksum,
    appliedBy: run.appliedBy,
    appVersion: run.options.appVersion,
  };
}

export const adoptedOf = (a: Adoption) => ({ source: a.source, versions: a.files.map((f) => f.version) });

/** Files not recorded as finished. */
function pendingCount(reading: Reading): number {
  if (reading.upToDate) return 0;
  const finished = new Set(reading.rows.filter((r) => r.finished).map((r) => versionKey(r.version)));
  return reading.files.filter((f) => !finished.has(f.order.toString())).length;
}

/** The result of a run that ends with `reading`'s plan; `extra` overrides what applying changed. */
export function resultOf(
  run: Run,
  reading: Reading,
  findings: LintFinding[],
  extra: Partial<MigrateResult> = {},
): MigrateResult {
  const { direction, dryRun, done } = run;
  const { plan, state } = reading;
  return {
    direction,
    dryRun,
    done,
    plan: plan.items,
    pendingCount: extra.pendingCount ?? pendingCount(reading),
    previousVersion: reading.previousVersion,
    currentVersion: plan.currentVersion,
    planMarkdown: renderPlan({ direction, database: state.database, plan, findings, dryRun }),
    lintFindings: findings,
    classes: migrationRecords(
      dryRun ? plan.items : plan.items.filter((item) => done.some((d) => d.version === item.file.version)),
    ),
    warnings: plan.warnings,
    serverVersionNum: state.versionNum,
    database: state.database,
    ...extra,
  };
}
