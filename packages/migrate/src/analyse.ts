import type { Script } from './files';
import type { PlanItem } from './plan';
import { parseScript } from './sql';

/**
 * Words every statement that cannot run in a transaction block (or controls one) contains.
 * A transactional script without any of them needs no parsing before it runs; one with any
 * of them (even in a comment or string) is parsed with PostgreSQL's parser, which decides.
 */
const NEEDS_PARSING =
  /\b(concurrently|vacuum|reindex|database|tablespace|system|subscription|discard|cluster|begin|commit|rollback|start|end|savepoint|release|prepare|abort|stdin)\b|^\s*\\/im;

const count = (text: string, what: string) => text.split(what).length - 1;

/**
 * Whether a transactional script must be parsed before it runs: a word above, a psql
 * meta-command (a line starting with a backslash), or an odd number of quotes or `$$`, or more
 * `/*` than `*\/`, which may be an unterminated string or comment. The server would report
 * those only when the script runs, pointing into the bookkeeping sent after it.
 */
function needsParsing(sql: string): boolean {
  return (
    NEEDS_PARSING.test(sql) ||
    count(sql, "'") % 2 === 1 ||
    count(sql, '"') % 2 === 1 ||
    count(sql, '$$') % 2 === 1 ||
    count(sql, '/*') > count(sql, '*/')
  );
}

/**
 * Parses the scripts a plan will run (all of them for a dry run, whose plan shows statement
 * counts) and refuses, before anything runs, statements that cannot run inside the transaction
 * pg-migrate opens, and transaction control in such files.
 */
export async function analyse(items: PlanItem[], problems: string[], all: boolean): Promise<void> {
  for (const item of items) {
    if (item.statements) continue;
    const script = scriptOf(item);
    if (!all && !script.noTransaction && !needsParsing(script.sql)) continue;
    const statements = await parseScript(script).catch((error) => {
      problems.push((error as Error).message);
      return undefined;
    });
    if (!statements) continue;
    item.statements = statements;
    for (const s of statements) {
      if (s.copyFromStdin) {
        problems.push(
          `${script.path}:${s.line}: COPY ... FROM stdin needs psql to send the rows after it; pg-migrate sends SQL only. Put the rows in INSERT ... VALUES, or COPY from a file on the database server.`,
        );
      }
    }
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
