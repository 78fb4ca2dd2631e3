import type { Script } from './files';
import type { PlanItem } from './plan';
import { parseScript } from './sql';

/**
 * Words every statement that cannot run in a transaction block (or controls one) contains.
 * A transactional script without any of them needs no parsing before it runs; one with any
 * of them (even in a comment or string) is parsed with PostgreSQL's parser, which decides.
 */
const NEEDS_PARSING =
  /\b(concurrently|vacuum|reindex|database|tablespace|system|subscription|discard|cluster|begin|commit|rollback|start|end|savepoint|release|prepare|abort)\b/i;

/**
 * Parses the scripts a plan will run (all of them for a dry run, whose plan shows statement
 * counts) and refuses, before anything runs, statements that cannot run inside the transaction
 * pg-migrate opens, and transaction control in such files.
 */
export async function analyse(items: PlanItem[], problems: string[], all: boolean): Promise<void> {
  for (const item of items) {
    if (item.statements) continue;
    const script = scriptOf(item);
    if (!all && !script.noTransaction && !NEEDS_PARSING.test(script.sql)) continue;
    const statements = await parseScript(script).catch((error) => {
      problems.push((error as Error).message);
      return undefined;
    });
    if (!statements) continue;
    item.statements = statements;
    if (script.noTransaction) continue;
    for (const s of statements) {
      if (s.nonTransactional) {
        problems.push(
          `${script.path}:${s.line}: ${s.nonTransactional} cannot run inside a transaction. Put \`-- pg-migrate:no-transaction\` on the first line of the file (pg-migrate then runs its statements one by one and resumes after the last finished one).`,
        );
      } else if (s.transactionControl) {
        problems.push(
          `${script.path}:${s.line}: transaction control (${s.text.split(/\s+/)[0].toUpperCase()}) in a migration that pg-migrate already runs in its own transaction. Remove it, or put \`-- pg-migrate:no-transaction\` on the first line.`,
        );
      }
    }
  }
}

export function scriptOf(item: PlanItem): Script {
  return item.action === 'revert' ? item.file.down! : item.file.up;
}
