import {
  type DeployPlan,
  flyTomlChanges,
  type PlannedMigration,
  secretNameChanges,
} from '@deploy-actions/deployments/plan';
import type { MigrateLogger, MigrationFile } from '@deploy-actions/migrate';
import { classifyScript } from '@deploy-actions/migrate/classify';
import { type LintFinding, lint } from '@deploy-actions/migrate/lint';
import type { Checkout } from './checkout';

export interface PlanOptions {
  /** The head checkout's folder: lint writes file names relative to it. */
  headRoot: string;
  /** `server_version_num` squawk lints for (e.g. 170000); 0 skips lint. */
  pgVersionNum: number;
  /** pg-migrate's default `lock-timeout` is on, so squawk's rule asking for one is dropped likewise. */
  lockTimeout: boolean;
  /** The app's current secret names: the plan compares head's names with these instead of base's. */
  currentSecrets?: { app: string; names: readonly string[]; mode: 'merge' | 'exact' };
  /** The deploy window at the likely merge time, in one sentence, when the pipeline has one. */
  window?: string;
  logger: MigrateLogger;
}

/**
 * Migrations merging would apply: those in head whose version base does not have. A version in
 * both whose up SQL changed is returned apart: pg-migrate refuses to run an edited applied migration.
 */
export function pendingMigrations(base: Checkout, head: Checkout) {
  const before = new Map(base.migrations.map((m) => [m.version, m]));
  return {
    pending: head.migrations.filter((m) => !before.has(m.version)),
    edited: head.migrations.filter((m) => {
      const old = before.get(m.version);
      return old !== undefined && old.checksum !== m.checksum;
    }),
  };
}

async function planMigration(file: MigrationFile, findings: readonly LintFinding[]): Promise<PlannedMigration> {
  const c = await classifyScript(file.up, findings);
  return {
    version: file.version,
    name: file.name,
    file: file.up.path,
    class: c.class,
    override: c.override?.reason,
    hasDown: file.down !== undefined,
    statements: c.statements.map((s) => ({
      line: s.line,
      statement: s.statement,
      lock: s.lock && (s.table ? `${s.lock} on ${s.table}` : s.lock),
      reasons: s.reasons.map((r) => r.detail),
    })),
    lint: findings
      .filter((f) => f.file === file.up.path)
      .map((f) => ({ line: f.line, rule: f.rule, message: f.message })),
  };
}

/**
 * Names added and removed: against the app's current secrets when known (fly-secrets-sync in merge
 * mode never removes one), else between base and head. Names only, never values.
 */
function secretsPlan(base: Checkout, head: Checkout, current: PlanOptions['currentSecrets']): DeployPlan['secrets'] {
  if (!current)
    return { ...secretNameChanges(base.secretNames, head.secretNames), basis: 'compared with the base branch' };
  const changes = secretNameChanges(current.names, head.secretNames);
  return {
    added: changes.added,
    removed: current.mode === 'exact' ? changes.removed : [],
    basis: `compared with the secrets of ${current.app} now${current.mode === 'merge' ? '; merge mode removes none' : ''}`,
  };
}

/** The plan of merging head into base: pending migrations classified and linted, fly.toml and secret name changes. */
export async function buildPlan(
  base: Checkout,
  head: Checkout,
  options: PlanOptions,
): Promise<DeployPlan & { edited: string[] }> {
  const { pending, edited } = pendingMigrations(base, head);
  const findings =
    options.pgVersionNum > 0 && pending.length > 0
      ? await lint(
          pending.map((m) => m.up),
          {
            serverVersionNum: options.pgVersionNum,
            lockTimeoutMs: options.lockTimeout ? 1 : 0,
            statementTimeoutMs: 0,
            root: options.headRoot,
            logger: options.logger,
          },
        )
      : [];
  const migrations: PlannedMigration[] = [];
  for (const file of pending) migrations.push(await planMigration(file, findings));
  return {
    migrations,
    flyToml: flyTomlChanges(base.flyToml, head.flyToml),
    secrets: secretsPlan(base, head, options.currentSecrets),
    window: options.window,
    edited: edited.map((m) => m.up.path),
  };
}
