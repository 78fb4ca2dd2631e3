export { secretDigest } from './commands/secrets';
export { FAULTS, type Fault, parseFaults } from './faults';
export {
  type FlySim,
  type FlySimOptions,
  type RunResult,
  readSimState,
  type SeedOptions,
  startFlySim,
} from './harness';
export { parseSecretsImport, SecretsImportError, SecretsImportPanic } from './import-parser';
export type { SimCall } from './server';
export type { ConsoleConfig, SimApp, SimMachine, SimRelease, SimSecret, SimState } from './state';
