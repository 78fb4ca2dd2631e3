import { UserError } from '@deploy-actions/toolkit';
import type { Script } from './files';
import { parseSql, SqlSyntaxError } from './parser';

/** One top-level statement of a script, located in its file. */
export interface Statement {
  /** The statement text (from its first token, without the trailing semicolon). */
  text: string;
  /** 1-based line in the file where the statement starts. */
  line: number;
  /** Index of `text` in the script's SQL. */
  offset: number;
  /** Node type from PostgreSQL's parser, e.g. `IndexStmt`. */
  kind: string;
  /** Why it cannot run inside a transaction block, e.g. `CREATE INDEX CONCURRENTLY`; undefined when it can. */
  nonTransactional?: string;
  /** BEGIN / COMMIT / ROLLBACK / SAVEPOINT ... inside the file. */
  transactionControl: boolean;
  /** `COPY ... FROM STDIN`: its rows would have to follow in psql's copy protocol, which no migration sends. */
  copyFromStdin?: boolean;
  /** For CREATE INDEX CONCURRENTLY: the index, schema-qualified when the statement qualifies its table. */
  concurrentIndex?: { name: string; schema?: string; ifNotExists: boolean };
}

type Node = Record<string, unknown>;
export interface RawStmt {
  stmt: Record<string, Node>;
  stmt_location?: number;
  stmt_len?: number;
}

const LEADING_TRIVIA = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;

function hasDefElem(list: unknown, name: string): boolean {
  return (
    Array.isArray(list) && list.some((item) => (item as { DefElem?: { defname?: string } }).DefElem?.defname === name)
  );
}

/**
 * Why a parsed statement cannot run inside a transaction block: PostgreSQL's callers of
 * PreventInTransactionBlock (src/backend: dbcommands.c createdb/dropdb/movedb, tablespace.c,
 * indexcmds.c ReindexMultipleTables and the CONCURRENTLY paths, vacuum.c, cluster.c,
 * subscriptioncmds.c, alter.c AlterSystemSetConfigFile, discard.c).
 */
function nonTransactional(kind: string, node: Node): string | undefined {
  switch (kind) {
    case 'IndexStmt':
      return node.concurrent ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'DropStmt':
      return node.concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'ReindexStmt': {
      if (hasDefElem(node.params, 'concurrently')) return 'REINDEX CONCURRENTLY';
      const what = String(node.kind ?? '');
      const multiple: Record<string, string> = {
        REINDEX_OBJECT_SYSTEM: 'REINDEX SYSTEM',
        REINDEX_OBJECT_DATABASE: 'REINDEX DATABASE',
        REINDEX_OBJECT_SCHEMA: 'REINDEX SCHEMA',
      };
      return multiple[what];
    }
    case 'AlterDatabaseStmt':
      return hasDefElem(node.options, 'tablespace') ? 'ALTER DATABASE ... SET TABLESPACE' : undefined;
    case 'AlterSubscriptionStmt': {
      // REFRESH PUBLICATION, and SET/ADD/DROP PUBLICATION unless `WITH (refresh = false)`.
      const kind = String(node.kind ?? '');
      if (kind === 'ALTER_SUBSCRIPTION_REFRESH' || kind === 'ALTER_SUBSCRIPTION_REFRESH_PUBLICATION')
        return 'ALTER SUBSCRIPTION ... REFRESH PUBLICATION';
      const publication = /PUBLICATION$/.test(kind);
      const noRefresh = Array.isArray(node.options)
        ? (node.options as { DefElem?: { defname?: string; arg?: unknown } }[]).some(
            (o) => o.DefElem?.defname === 'refresh' && /false|off|\b0\b/i.test(JSON.stringify(o.DefElem.arg ?? '')),
          )
        : false;
      return publication && !noRefresh ? 'ALTER SUBSCRIPTION ... PUBLICATION (with refresh)' : undefined;
    }
    case 'VacuumStmt':
      return node.is_vacuumcmd ? 'VACUUM' : undefined;
    case 'ClusterStmt':
      return node.relation ? undefined : 'CLUSTER without a table';
    case 'CreatedbStmt':
      return 'CREATE DATABASE';
    case 'DropdbStmt':
      return 'DROP DATABASE';
    case 'CreateTableSpaceStmt':
      return 'CREATE TABLESPACE';
    case 'DropTableSpaceStmt':
      return 'DROP TABLESPACE';
    case 'AlterSystemStmt':
      return 'ALTER SYSTEM';
    case 'CreateSubscriptionStmt':
      return 'CREATE SUBSCRIPTION';
    case 'DropSubscriptionStmt':
      return 'DROP SUBSCRIPTION';
    case 'DiscardStmt':
      return node.target === 'DISCARD_ALL' ? 'DISCARD ALL' : undefined;
    case 'AlterTableStmt': {
      const cmds = (node.cmds as { AlterTableCmd?: { def?: { PartitionCmd?: { concurrent?: boolean } } } }[]) ?? [];
      return cmds.some((c) => c.AlterTableCmd?.def?.PartitionCmd?.concurrent)
        ? 'DETACH PARTITION CONCURRENTLY'
        : undefined;
    }
    default:
      return undefined;
  }
}

/** Byte offset (what the parser reports) to string index, for text with multi-byte characters. */
function byteToIndex(text: string): (byte: number) => number {
  if (Buffer.byteLength(text) === text.length) return (byte) => byte;
  const buffer = Buffer.from(text, 'utf8');
  return (byte) => buffer.subarray(0, byte).toString('utf8').length;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * PostgreSQL's parse tree of a script. A syntax error is a UserError naming file and line.
 */
export async function parseTree(script: Script): Promise<{ stmts?: RawStmt[] }> {
  try {
    return (await parseSql(script.sql)) as { stmts?: RawStmt[] };
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    // The parser's cursor counts characters (scanner_errposition converts bytes with pg_mbstrlen_with_len).
    const index = codePointToIndex(script.sql, error.cursorPosition);
    const line = script.firstLine + lineAt(script.sql, index) - 1;
    throw new UserError(`${script.path}:${line}: ${explainSyntaxError(error.message, script.sql, index)}`);
  }
}

/**
 * Splits a script into statements with PostgreSQL's own parser, so dollar-quoted bodies,
 * `E''` strings and comments containing `;` are handled exactly as the server does.
 * A syntax error is a UserError naming file and line.
 */
export async function parseScript(script: Script): Promise<Statement[]> {
  return statementsOf(script, await parseTree(script));
}

/** The statements of `tree`, the parse tree of `script`, with their text, line and offset. */
export function statementsOf(script: Script, result: { stmts?: RawStmt[] }): Statement[] {
  const toIndex = byteToIndex(script.sql);
  const statements: Statement[] = [];
  for (const raw of result.stmts ?? []) {
    const [kind, node] = Object.entries(raw.stmt)[0] ?? ['Unknown', {}];
    const startByte = raw.stmt_location ?? 0;
    const start = toIndex(startByte);
    const end = raw.stmt_len ? toIndex(startByte + raw.stmt_len) : script.sql.length;
    const slice = script.sql.slice(start, end);
    const trivia = LEADING_TRIVIA.exec(slice)?.[0].length ?? 0;
    const text = slice.slice(trivia).replace(/;\s*$/, '');
    const statement: Statement = {
      text,
      line: script.firstLine + lineAt(script.sql, start + trivia) - 1,
      offset: start + trivia,
      kind,
      nonTransactional: nonTransactional(kind, node),
      transactionControl: kind === 'TransactionStmt',
    };
    if (kind === 'CopyStmt' && node.is_from && !node.filename && !node.is_program) statement.copyFromStdin = true;
    if (kind === 'IndexStmt' && node.concurrent && typeof node.idxname === 'string') {
      const relation = node.relation as { schemaname?: string } | undefined;
      statement.concurrentIndex = {
        name: node.idxname,
        schema: relation?.schemaname,
        ifNotExists: Boolean(node.if_not_exists),
      };
    }
    statements.push(statement);
  }
  return statements;
}

/**
 * The string index of the character `count` code points into `text`. PostgreSQL counts
 * characters, JavaScript strings count UTF-16 units: they differ after each character outside
 * the BMP (emoji), which takes two units.
 */
export function codePointToIndex(text: string, count: number): number {
  if (!/[\uD800-\uDBFF]/.test(text)) return count;
  let index = 0;
  for (let seen = 0; seen < count && index < text.length; seen++) {
    const unit = text.charCodeAt(index);
    index += unit >= 0xd800 && unit <= 0xdbff ? 2 : 1;
  }
  return index;
}

/** The 1-based file line of a 1-based character `position` inside `script.sql` (PostgreSQL error positions). */
export function lineOfPosition(script: Script, position: number): number {
  return script.firstLine + lineAt(script.sql, codePointToIndex(script.sql, position - 1)) - 1;
}

/** What to do about syntax errors that come from psql habits rather than from SQL. */
function explainSyntaxError(message: string, sql: string, index: number): string {
  if (/^unterminated quoted string/.test(message))
    return `${message}: a string literal opened here is never closed (a missing ')`;
  if (/^unterminated dollar-quoted string/.test(message))
    return `${message}: a dollar-quoted body opened here is never closed (a missing closing $$ or $tag$)`;
  if (/^unterminated \/\* comment/.test(message)) return `${message}: a /* comment opened here is never closed`;
  if (/^unterminated quoted identifier/.test(message))
    return `${message}: a quoted identifier opened here is never closed (a missing ")`;
  const lineStart = sql.lastIndexOf('\n', index - 1) + 1;
  const meta = /^\s*(\\[A-Za-z!?]+)/.exec(sql.slice(lineStart, sql.indexOf('\n', index) + 1 || undefined));
  if (meta)
    return `${meta[1]} is a psql meta-command, not SQL: pg-migrate sends the file to the server, without psql. Write it in SQL (inline an \\i file as its own migration, SET instead of \\set) or remove it.`;
  return message;
}
