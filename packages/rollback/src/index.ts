export { type CompatDecision, type CompatOptions, decideCompat, migrationsSince } from './compat';
export {
  type DatabaseAccess,
  ROLLED_BACK_ENV,
  type RollbackOptions,
  type RollbackResult,
  type RollbackVerify,
  rollback,
  type TimelineEntry,
  versionOfImage,
} from './run';
export {
  chooseTarget,
  type FailedRelease,
  isRollbackRelease,
  type LkgSource,
  parseTarget,
  type RecordedGood,
  type ReleaseInfo,
  type RollbackTarget,
  type Skipped,
  type TargetRequest,
} from './select';
