/**
 * What a run needs only when there is something to do: analysis, lint, locks, backup and the
 * appliers. `migrate` loads this module after the up-to-date check, so a run with nothing to do
 * never compiles it.
 */
export { applyPlan } from './apply-plan';
export { checkPlan } from './check-plan';
export { classified } from './classify/plan';
export { recheckUnderLock, takeLock } from './lock-recheck';
