export { flyTomlChanges, type SettingChange, secretNameChanges } from './flytoml';
export { type DeployPlan, PLAN_MARKER, type PlannedMigration, renderDeployPlan, rollbackOutlook } from './render';
