export type { Fault } from './faults';
export { readFlyToml, type SimFlyToml } from './flytoml';
export {
  type FlySim,
  type FlySimOptions,
  type RunResult,
  type SeedOptions,
  startFlySim,
} from './harness';
export { parseSecretsImport, SecretsImportError, SecretsImportPanic } from './import-parser';
export { postgresAttachments, registerPostgresCluster, type SimPgAttachment } from './postgres';
export { seedPostgresCluster } from './postgres-seed';
export type { SimCall } from './server';
export type { ConsoleConfig, ServeConfig, SimApp, SimMachine, SimRelease, SimSecret, SimState } from './state';
