import { errorMessage } from '@deploy-actions/toolkit';
import type { LintFinding } from '../lint';
import type { PlanItem } from '../plan';
import { classifyScript } from './classify';
import { readOverride } from './override';
import type { MigrationClass } from './types';

/**
 * What the deploy record keeps about one applied migration: enough for auto-rollback to decide
 * (class, whether a down migration exists) and for a person to see why (reason codes at lines).
 */
export interface MigrationRecord {
  version: string;
  name: string;
  class: MigrationClass;
  /** Every class its statements have, worst first. */
  classes: MigrationClass[];
  /** `code@line`, e.g. `drop-column@3`, de-duplicated. */
  reasons: string[];
  /** A down migration exists for it. */
  down: boolean;
  /** The override comment's reason, when its author set the class. */
  override?: string;
}

/**
 * Starts classifying the migrations an up run applies (apply and resume items), adding squawk's
 * findings; a malformed override comment is a problem reported with the others, before anything
 * runs, also when `classify` is false (then nothing is parsed and the items stay unclassified).
 * The parse itself goes on beside the apply (`classified` collects it): nothing the run does
 * depends on a class, only its result does. A file PostgreSQL's parser refuses stays unclassified:
 * the server reports its error, with SQLSTATE, when the run reaches it, and a migration that fails
 * is never recorded as applied.
 */
export function startClassifying(
  items: PlanItem[],
  findings: readonly LintFinding[],
  problems: string[],
  classify: boolean,
): void {
  for (const item of items) {
    if (item.action === 'revert' || item.classification || item.classifying) continue;
    try {
      readOverride(item.file.up);
    } catch (error) {
      problems.push(errorMessage(error));
      continue;
    }
    if (!classify) continue;
    // All at once: the parser process answers requests in turn, without a round trip between files.
    item.classifying = classifyScript(item.file.up, findings).catch(() => undefined);
  }
}

/** Waits for the classifications `startClassifying` began and keeps them on their items. */
export async function classified(items: PlanItem[]): Promise<void> {
  await Promise.all(
    items.map(async (item) => {
      if (!item.classifying) return;
      item.classification = await item.classifying;
      item.classifying = undefined;
    }),
  );
}

export function migrationRecords(items: readonly PlanItem[]): MigrationRecord[] {
  return items.flatMap((item) => {
    const c = item.classification;
    if (!c) return [];
    const reasons = [
      ...new Set(
        c.statements.flatMap((s) => s.reasons.filter((r) => r.class !== 'expand').map((r) => `${r.code}@${s.line}`)),
      ),
    ];
    const record: MigrationRecord = {
      version: item.file.version,
      name: item.file.name,
      class: c.class,
      classes: c.classes,
      reasons,
      down: item.file.down !== undefined,
    };
    if (c.override) record.override = c.override.reason;
    return [record];
  });
}
