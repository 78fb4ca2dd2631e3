export { type RehearsalOptions, rehearse } from './engine';
export { RehearsalError } from './errors';
export { evaluateCondition, evaluateExpression, type Json } from './expressions';
export { markdownToHtml } from './markdown';
export { allJobs, allLeaks, allSteps, type JobRecord, type Result, type RunRecord, type StepRecord } from './model';
export { stageUrl } from './public-urls';
export {
  type Expectation,
  outcomeOf,
  parseRepoArgs,
  preflight,
  REPO_USAGE,
  type RepoRehearsal,
  type RepoRunOptions,
  repoScenario,
} from './repo';
export { type RepoApp, repoApps } from './repo-apps';
export { parseSeededCheck, type SeededCheck, seedChecks } from './repo-checks';
export {
  type Check,
  clock,
  formatJob,
  formatRunEnd,
  formatStep,
  formatTimeline,
  type LabelledRun,
  type ReportFiles,
  seconds,
  writeReport,
} from './report';
export {
  formatResults,
  type RunSpec,
  runScenario,
  runScenarios,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
  stepOf,
  writeIndex,
} from './scenario';
export { APP_COMMANDS, APP_SCENARIOS } from './scenarios/apps';
export { SCENARIOS } from './scenarios/index';
export { type Stage, startStage } from './stage';
export { imageLabel, type Story, storyOf } from './story';
export { NOOP_ACTIONS, resolveUses } from './uses';
export { loadWorkflow } from './workflow';
