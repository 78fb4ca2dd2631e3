export { describeArgs, Fly, type FlyOptions, type FlyRun, forLog, type RunOptions } from './client';
export {
  appExists,
  assertAppName,
  assertNotFlag,
  createApp,
  deploySecrets,
  destroyApp,
  getStatus,
  importSecrets,
  listApps,
  listMachines,
  listReleases,
  listSecrets,
  showImages,
  sshConsole,
  unsetSecrets,
} from './commands';
export { type CurrentRelease, currentRelease, currentState } from './current';
export {
  DeployError,
  type DeployOptions,
  type DeployResult,
  deploy,
  deployArgs,
  findReleaseByImage,
  machinesTouched,
  type NewRelease,
  parseReleaseLine,
} from './deploy';
export {
  type Attempt,
  type DeployAppOutcome,
  type DeployAppRequest,
  deployApp,
  leaseWaitMs,
} from './deploy-app';
export { flyEnv, requireToken, resolveToken } from './env';
export {
  classifyFailure,
  type FailureKind,
  FlyError,
  flyErrorMessage,
  isAppNotFound,
  isTransient,
} from './errors';
export { type FlyToml, parseFlyToml } from './flytoml';
export {
  compareVersions,
  DEFAULT_DOWNLOAD_BASE_URL,
  DEFAULT_RELEASES_URL,
  ensureFlyctl,
  flyctlVersion,
  type InstalledFlyctl,
  parseFlyctlVersion,
  parseVersionRequest,
  satisfies,
} from './install';
export {
  APP_NAME,
  DEFAULT_FLYCTL_VERSION,
  defaultImageLabel,
  ENV_NAME,
  FLYCTL_VERSION_INPUT,
  IMAGE_LABEL,
  IMAGE_REF,
  imageTag,
  isAppName,
  ORG_SLUG,
  previewAppName,
  REGION,
  STRATEGIES,
  type Strategy,
} from './names';
export { type Proxy, type ProxyOptions, startProxy } from './proxy';
export { type DeploymentRecord, deployRecord, destroyRecord, type RecordBase, writeDeploymentFile } from './record';
export {
  type AppStatus,
  appUrl,
  type ImageInfo,
  type Machine,
  type MachineCheck,
  machineImageRef,
  machineProcessGroup,
  machineReleaseVersion,
  type Release,
  type Secret,
  type SecretStatus,
} from './schemas';
export { encodeImport, encodeImportEntry, MAX_IMPORT_LINE_BYTES } from './secrets-import';
export {
  deployReason,
  ensureApp,
  type FlyConfig,
  locateConfig,
  pullRequestNumber,
  resolveTarget,
  type Target,
} from './target';
