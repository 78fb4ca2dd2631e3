import type { Script } from '../files';
import type { LintFinding } from '../lint';
import { parseTree, statementsOf } from '../sql';
import { readOverride } from './override';
import { type Context, statementFacts } from './rules';
import { squawkReasons } from './squawk';
import { type Classification, type MigrationClass, type StatementClassification, sortClasses } from './types';

/** One line of at most 120 characters, for tables and comments. */
export function shorten(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 120 ? `${one.slice(0, 117)}...` : one;
}

/**
 * Classifies a migration script from PostgreSQL's parse tree: each statement gets its reasons
 * and the lock it takes; squawk findings of the file add theirs; an override comment decides
 * the class and is recorded with what the statements gave. A syntax error is a UserError
 * naming file and line (from parseTree).
 */
export async function classifyScript(script: Script, findings: readonly LintFinding[] = []): Promise<Classification> {
  const override = readOverride(script);
  // One parse gives both the statements' places and their trees.
  const tree = await parseTree(script);
  const located = statementsOf(script, tree);
  const ctx: Context = { created: new Set() };
  const statements: StatementClassification[] = [];
  (tree.stmts ?? []).forEach((raw, i) => {
    const [kind, node] = Object.entries(raw.stmt)[0] ?? ['Unknown', {}];
    const facts = statementFacts(kind, node, ctx);
    if (facts.creates) ctx.created.add(facts.creates);
    if (kind === 'TransactionStmt') return;
    const at = located[i];
    statements.push({
      line: at?.line ?? script.firstLine,
      statement: shorten(at?.text ?? ''),
      kind,
      lock: facts.lock,
      table: facts.table,
      reasons: facts.reasons,
    });
  });
  for (const { line, reason } of squawkReasons(findings, script.path)) {
    const owner = [...statements].reverse().find((s) => s.line <= line) ?? statements[0];
    if (owner && !owner.reasons.some((r) => r.code === reason.code)) owner.reasons.push(reason);
  }
  const classes = sortClasses(statements.flatMap((s) => s.reasons.map((r) => r.class)));
  const computed: MigrationClass = classes[0] ?? 'expand';
  return {
    file: script.path,
    class: override?.class ?? computed,
    classes,
    statements,
    override: override && { ...override, computed },
  };
}
