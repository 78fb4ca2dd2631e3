export { candidateDigests, digestMatches } from './digest';
export { type DotenvEntry, type DotenvResult, parseDotenv, SECRET_NAME } from './dotenv';
export {
  type Action,
  buildPlan,
  changeCount,
  type Plan,
  type PlanItem,
  type RemoteSecret,
  type SyncMode,
} from './plan';
export { checkRules, enforceRules, loadRules, type Rules } from './rules';
export {
  collectDeclared,
  type Declared,
  ENV_PREFIX,
  ENV_PREFIX_EXPECTED,
  envPrefixProblem,
  registerValue,
  type SourceOptions,
} from './sources';
export { outcome, renderSummary, stoppedSummary } from './summary';
export { type SyncOptions, type SyncResult, syncSecrets } from './sync';
