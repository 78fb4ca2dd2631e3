export { type RehearsalOptions, rehearse } from './engine';
export { RehearsalError } from './errors';
export { evaluateCondition, evaluateExpression, type Json } from './expressions';
export { markdownToHtml } from './markdown';
export { allJobs, allLeaks, allSteps, type JobRecord, type Result, type RunRecord, type StepRecord } from './model';
export {
  type Check,
  formatJob,
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
} from './scenario';
export { PENDING_SCENARIOS, SCENARIOS } from './scenarios/index';
export { type Stage, startStage } from './stage';
export { NOOP_ACTIONS, resolveUses } from './uses';
export { loadWorkflow } from './workflow';
