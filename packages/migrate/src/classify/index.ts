export { classifyScript, shorten } from './classify';
export { readOverride } from './override';
export { SQUAWK_RULE_CLASS } from './squawk';
export {
  CLASS_ORDER,
  type Classification,
  type ClassOverride,
  LOCK_ORDER,
  type LockMode,
  type MigrationClass,
  type Reason,
  ROLLBACK_BLOCKING,
  type StatementClassification,
  sortClasses,
} from './types';
