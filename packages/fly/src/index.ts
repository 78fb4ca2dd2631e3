// What other packages use of the flyctl client; tests import the modules themselves.
export { Fly, type FlyOptions, type FlyRun, type RunOptions } from './client';
export {
  appExists,
  assertAppName,
  createApp,
  destroyApp,
  ensureIpv6,
  getStatus,
  type Ipv6Kind,
  importSecrets,
  listApps,
  listIps,
  listMachines,
  listReleases,
  listSecrets,
  machineLogs,
  sshConsole,
  startMachines,
  unsetSecrets,
} from './commands';
export {
  DeployError,
  type DeployOptions,
  deploy,
  deployArgs,
  findReleaseByImage,
  type NewRelease,
  sameImage,
} from './deploy';
export { requireToken } from './env';
export { FlyError, isAppNotFound, isTransient } from './errors';
export type { InstalledFlyctl } from './install';
export { DEFAULT_FLYCTL_VERSION, ENV_NAME, imageTag, type Strategy } from './names';
export { type OpenFlyOptions, openFly } from './open';
export { type Proxy, type ProxyOptions, startProxy } from './proxy';
export {
  type AppStatus,
  appUrl,
  lastExit,
  type Machine,
  type MachineCheck,
  type MachineEvent,
  machineImageRef,
  machineProcessGroup,
  machineReleaseVersion,
  PLATFORM_GROUPS,
  type Release,
  type Secret,
  type SecretStatus,
} from './schemas';
export { encodeImport } from './secrets-import';
