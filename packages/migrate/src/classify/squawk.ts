import type { LintFinding } from '../lint';
import type { MigrationClass } from './types';

/**
 * What a squawk rule says about compatibility (rule names from sbdchd/squawk's rule list,
 * https://squawkhq.com/docs/rules). Rules about style or transaction use are left out: they do not
 * change what the running release can do.
 */
export const SQUAWK_RULE_CLASS: Readonly<Record<string, MigrationClass>> = {
  'ban-drop-column': 'contract',
  'ban-drop-table': 'contract',
  'ban-drop-database': 'contract',
  'ban-drop-not-null': 'expand',
  'renaming-column': 'contract',
  'renaming-table': 'contract',
  'adding-required-field': 'contract',
  'adding-not-nullable-field': 'contract',
  'ban-alter-domain-with-add-constraint': 'contract',
  'ban-truncate-cascade': 'data',
  'changing-column-type': 'breaking',
  'require-concurrent-index-creation': 'breaking',
  'require-concurrent-index-deletion': 'breaking',
  'constraint-missing-not-valid': 'breaking',
  'adding-foreign-key-constraint': 'breaking',
  'adding-field-with-default': 'breaking',
  'adding-serial-primary-key-field': 'breaking',
  'disallowed-unique-constraint': 'breaking',
  'ban-char-field': 'expand',
  'prefer-robust-stmts': 'expand',
};

/** The squawk findings of one file whose rules bear on compatibility. */
export function squawkReasons(findings: readonly LintFinding[], file: string) {
  return findings
    .filter((f) => f.file === file && SQUAWK_RULE_CLASS[f.rule] !== undefined && SQUAWK_RULE_CLASS[f.rule] !== 'expand')
    .map((f) => ({
      line: f.line,
      reason: { class: SQUAWK_RULE_CLASS[f.rule], code: `squawk:${f.rule}`, detail: f.message },
    }));
}
