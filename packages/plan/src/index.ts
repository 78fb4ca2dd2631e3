export { type Checkout, type CheckoutLayout, readCheckout, readSecretNames } from './checkout';
export { upsertPlanComment } from './comment';
export { buildPlan, type PlanOptions, pendingMigrations } from './plan';
export { type DeployPlanOptions, type DeployPlanResult, planOutputs, planSummary, runDeployPlan } from './run';
export { windowAtMerge } from './window';
