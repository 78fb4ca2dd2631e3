export { type CurrentRelease, currentRelease, currentState } from './current';
export { type Attempt, type DeployAppOutcome, type DeployAppRequest, deployApp, leaseWaitMs } from './deploy-app';
export { type DeployFile, deployRecord, destroyRecord, type RecordBase, writeDeploymentFile } from './deploy-file';
export { type FlyToml, parseFlyToml } from './flytoml';
export { isPreviewApp, previewAppName } from './preview';
export { type FlyDeployRequest, type FlyDeployResult, runFlyDeploy } from './run';
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
