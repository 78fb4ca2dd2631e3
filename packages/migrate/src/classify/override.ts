import { UserError } from '@deploy-actions/toolkit';
import type { Script } from '../files';
import { CLASS_ORDER, type MigrationClass } from './types';

/** `-- deploy-actions: class=expand reason="the column is unused since 3.2"` anywhere in the file. */
const OVERRIDE = /^[ \t]*--[ \t]*deploy-actions:(.*)$/gm;
const FIELDS = /^\s*class=(\S+)(?:\s+reason=(?:"([^"]*)"|'([^']*)'|(\S+)))?\s*$/;

export interface ParsedOverride {
  class: MigrationClass;
  reason: string;
  line: number;
}

/**
 * The class a migration's author set by comment, with the reason they gave. A malformed comment
 * is an error naming the file and line: silently ignoring it would let a rollback pass a contract.
 */
export function readOverride(script: Script): ParsedOverride | undefined {
  let found: ParsedOverride | undefined;
  for (const match of script.sql.matchAll(OVERRIDE)) {
    const line = script.firstLine + script.sql.slice(0, match.index).split('\n').length - 1;
    const at = `${script.path}:${line}`;
    const fields = FIELDS.exec(match[1]);
    if (!fields) {
      throw new UserError(`${at}: cannot read the class override "${match[0].trim()}"`, {
        hint: 'Write it as: -- deploy-actions: class=expand reason="why the running release is unaffected"',
      });
    }
    const klass = fields[1] as MigrationClass;
    if (!CLASS_ORDER.includes(klass)) {
      throw new UserError(
        `${at}: class override "${fields[1]}" is not a class; expected one of ${CLASS_ORDER.join(', ')}`,
      );
    }
    const reason = (fields[2] ?? fields[3] ?? fields[4] ?? '').trim();
    if (!reason) {
      throw new UserError(`${at}: the class override needs a reason, e.g. class=${klass} reason="..."`, {
        hint: 'The reason is recorded with the release and shown when a rollback relies on it.',
      });
    }
    if (found) throw new UserError(`${at}: a second class override (the first is on line ${found.line}); keep one`);
    found = { class: klass, reason, line };
  }
  return found;
}
