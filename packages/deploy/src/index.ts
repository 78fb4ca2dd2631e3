export { type CurrentRelease, currentRelease, currentState } from './current';
export { type Attempt, type DeployAppOutcome, type DeployAppRequest, deployApp, leaseWaitMs } from './deploy-app';
export { type DeployFile, deployRecord, destroyRecord, type RecordBase, writeDeploymentFile } from './deploy-file';
export { type FlyToml, parseFlyToml } from './flytoml';
export { type JanitorItem, type JanitorReport, type JanitorRequest, janitorSummary, runJanitor } from './janitor';
export { isPreviewApp, previewAppName } from './preview';
export {
  checkCluster,
  closePreviewDatabase,
  openPreviewDatabase,
  type PreviewDatabaseOutcome,
  type PreviewDatabaseRequest,
  previewDatabaseInput,
  withServer,
} from './preview-db';
export { allowedPreviewSecrets } from './preview-secrets';
export {
  dropDatabase,
  ensureDatabase,
  listPreviewDatabases,
  ownerOf,
  parseMark,
  previewDatabaseName,
  urlFor,
} from './preview-sql';
export { type FlyDeployRequest, type FlyDeployResult, type PreviewDatabaseInput, runFlyDeploy } from './run';
export { deploySummary, destroySummary, stoppedSummary } from './summary';
export {
  deployReason,
  ensureApp,
  type FlyConfig,
  locateConfig,
  pullRequestNumber,
  resolveTarget,
  type Target,
} from './target';
