export {
  type Annotation,
  commandProperty,
  parseCommandLine,
  parseFileCommands,
  REGISTERED_COMMANDS,
  toAnnotation,
  type WorkflowCommand,
} from './commands';
export { node24Path } from './node';
export {
  findLeaks,
  type LeakScanOptions,
  REPO_ROOT,
  type RunBundleOptions,
  type RunBundleResult,
  type RunContextOverrides,
  runBundle,
  secretForms,
  writtenFiles,
} from './run-bundle';
export { StepLog } from './step-log';
