export { actionLogger } from './action-logger';
export { type Classification, classifyScript, type LockMode, type MigrationClass, ROLLBACK_BLOCKING } from './classify';
export { type MigrationRecord, migrationRecords } from './classify/plan';
export { classCell, classCounts } from './classify/render';
export {
  type CommandModeOptions,
  type CommandModeResult,
  commandArgv,
  runMigrationCommand,
  shForm,
  withMigrationLock,
} from './command';
export { checksum, compareVersions, type MigrationFile, normalise, readMigrations, type Script } from './files';
export { type AppMigratorResult, type FlyAccess, runAppMigrator, withFlyPostgresTunnel } from './fly';
export type { LintFinding } from './lint';
export {
  type DoneMigration,
  type Location,
  type MigrateLogger,
  type MigrateOptions,
  type MigrateResult,
  MigrationError,
  migrate,
} from './migrate';
export type { Plan, PlanItem } from './plan';
export { failureSummary, resultSummary } from './report';
export { parseScript, type Statement } from './sql';
