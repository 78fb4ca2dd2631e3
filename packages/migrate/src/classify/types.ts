/**
 * What a migration does to the release running beside it (and to the one a rollback would bring back):
 * - `expand`: the running release keeps working (new tables, nullable columns, concurrent indexes);
 * - `contract`: removes or narrows what an older release may use (drops, renames, NOT NULL, type changes);
 * - `breaking`: takes locks or rewrites that stall traffic while it runs;
 * - `data`: changes rows (DML), not the schema.
 */
export type MigrationClass = 'expand' | 'contract' | 'breaking' | 'data';

/** Display and "worst first" order: a migration shows its worst class. */
export const CLASS_ORDER: readonly MigrationClass[] = ['breaking', 'contract', 'data', 'expand'];

/** The classes an image-only rollback cannot pass: the older release may not run against the schema. */
export const ROLLBACK_BLOCKING: readonly MigrationClass[] = ['contract', 'breaking'];

/**
 * Table-level lock modes, weakest first (PostgreSQL docs, "13.3.1 Table-Level Locks":
 * https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-TABLES).
 */
export type LockMode =
  | 'ACCESS SHARE'
  | 'ROW SHARE'
  | 'ROW EXCLUSIVE'
  | 'SHARE UPDATE EXCLUSIVE'
  | 'SHARE'
  | 'SHARE ROW EXCLUSIVE'
  | 'EXCLUSIVE'
  | 'ACCESS EXCLUSIVE';

export const LOCK_ORDER: readonly LockMode[] = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
];

/** One reason a statement has a class: a stable code, and a sentence for people. */
export interface Reason {
  class: MigrationClass;
  /** Stable code, e.g. `drop-column`, `index-not-concurrent`, `squawk:ban-drop-column`. */
  code: string;
  detail: string;
}

export interface StatementClassification {
  /** 1-based line in the migration file. */
  line: number;
  /** The statement, shortened to one line for tables. */
  statement: string;
  /** PostgreSQL parse node, e.g. `AlterTableStmt`. */
  kind: string;
  /** The strongest table lock the statement takes, when it takes one. */
  lock?: LockMode;
  /** The table the lock is on, when there is one. */
  table?: string;
  reasons: Reason[];
}

export interface ClassOverride {
  class: MigrationClass;
  reason: string;
  line: number;
  /** What the statements alone gave. */
  computed: MigrationClass;
}

export interface Classification {
  /** The migration file (path relative to the workspace). */
  file: string;
  /** The class that decides: the override's, else the worst of the statements' (expand when none). */
  class: MigrationClass;
  /** Every class found among the statements, worst first. */
  classes: MigrationClass[];
  statements: StatementClassification[];
  override?: ClassOverride;
}

/** Worst first, without repeats. */
export function sortClasses(classes: Iterable<MigrationClass>): MigrationClass[] {
  const set = new Set(classes);
  return CLASS_ORDER.filter((c) => set.has(c));
}

export function strongerLock(a: LockMode | undefined, b: LockMode | undefined): LockMode | undefined {
  if (!a) return b;
  if (!b) return a;
  return LOCK_ORDER.indexOf(a) >= LOCK_ORDER.indexOf(b) ? a : b;
}
