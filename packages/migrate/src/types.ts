import { UserError } from '@deploy-actions/toolkit';
import type { MigrationRecord } from './classify/plan';
import type { PlanItem } from './plan';

export interface Location {
  file: string;
  line?: number;
}

/** Where the engine reports progress; the action maps it to the job log and annotations. */
export interface MigrateLogger {
  info(message: string): void;
  warning(message: string, at?: Location): void;
}

export interface MigrateOptions {
  databaseUrl: string;
  /** Folder of migrations (resolved against `root`). */
  dir: string;
  /** Base for relative paths in messages and annotations (the workspace). Default: cwd. */
  root?: string;
  direction?: 'up' | 'down';
  /** up: apply pending versions up to and including this one. down: revert every version newer than it. */
  target?: string;
  /** down: how many applied versions to revert, newest first (default 1 when no target). */
  steps?: number;
  /** Plan, analyse and lint only; change nothing. */
  dryRun?: boolean;
  /** Schema of the tracking table (default `public`). */
  schema?: string;
  table?: string;
  /** How long to wait for another runner's lock (default 2 min). */
  lockWaitMs?: number;
  /** `lock_timeout` per statement (default 5 s; 0 = off). */
  lockTimeoutMs?: number;
  /** `statement_timeout` per statement (default 0 = off). */
  statementTimeoutMs?: number;
  /** Retries of a migration that failed with lock_not_available (55P03). Default 3. */
  lockRetries?: number;
  allowOutOfOrder?: boolean;
  allowDrift?: boolean;
  allowPooler?: boolean;
  /** Recorded with each applied migration. */
  appVersion?: string;
  /** Who applies (actor and run), recorded with each migration and shown to other runners. */
  appliedBy?: string;
  lint?: 'off' | 'warn' | 'error';
  /**
   * Classify the compatibility of each migration an up run applies (the result's `classes`).
   * Default true; off where nothing reads the classes (a preview's database), which saves the
   * parser process and a parse per pending file. Override comments are checked either way.
   */
  classify?: boolean;
  /**
   * Adopt a database migrated before pg-migrate: record every migration up to this version as
   * applied, with its checksum, without running it. Only while nothing is recorded yet.
   */
  baseline?: string;
  /** Run `pg_dump --format=custom` to this file first when anything will change. */
  backupPath?: string;
  logger?: MigrateLogger;
}

export interface DoneMigration {
  version: string;
  name: string;
  path: string;
  noTransaction: boolean;
  durationMs: number;
}

export interface MigrateResult {
  direction: 'up' | 'down';
  dryRun: boolean;
  /** Migrations applied (up) or reverted (down) by this run, in order. */
  done: DoneMigration[];
  /** What the run set out to do (pending for up, to revert for down). */
  plan: PlanItem[];
  /** Pending migrations left after the run (all of the plan for a dry run). */
  pendingCount: number;
  previousVersion?: string;
  currentVersion?: string;
  /** The plan as Markdown: summary and PR comment ready. */
  planMarkdown: string;
  lintFindings: LintFinding[];
  /** Compatibility class of each migration the run applied (or, for a dry run, would apply). */
  classes: MigrationRecord[];
  backupPath?: string;
  warnings: string[];
  /** Migrations this run recorded as applied without running them (baseline, imported history). */
  adopted?: { source: string; versions: string[] };
  serverVersionNum: number;
  database: string;
}

/** A migration failed: the file and line, SQLSTATE and PostgreSQL's message. */
export class MigrationError extends UserError {
  override name = 'MigrationError';
  constructor(
    message: string,
    readonly location: Location,
    readonly sqlstate: string | undefined,
    /** Migrations done before the failure (they stay applied). */
    readonly done: DoneMigration[],
    options?: { hint?: string; cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A finding of the migration linter, at a line of a migration file. */
export interface LintFinding {
  file: string;
  /** 1-based line in the migration file. */
  line: number;
  rule: string;
  level: 'warning' | 'error';
  message: string;
}
