export {
  chooseTarget,
  type FailedRelease,
  isRollbackRelease,
  type LkgSource,
  type RecordedGood,
  type ReleaseInfo,
  type RollbackTarget,
  type Skipped,
  type TargetRequest,
} from './select';
