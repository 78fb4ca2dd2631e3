import type { LockMode, Reason } from './types';

/** A node of PostgreSQL's parse tree in libpg-query's JSON form: `{ NodeType: { ...fields } }`. */
export type Node = Record<string, unknown>;

/** What one statement does: its reasons and the lock it takes. */
export interface StatementFacts {
  reasons: Reason[];
  lock?: LockMode;
  table?: string;
  /** A table this statement creates: later statements of the migration on it are expand. */
  creates?: string;
}

/** What the classifier knows about the migration so far (tables it created). */
export interface Context {
  created: Set<string>;
}

const expand = (code: string, detail: string): Reason => ({ class: 'expand', code, detail });
const contract = (code: string, detail: string): Reason => ({ class: 'contract', code, detail });
const breaking = (code: string, detail: string): Reason => ({ class: 'breaking', code, detail });
const data = (code: string, detail: string): Reason => ({ class: 'data', code, detail });

interface RangeVar {
  relname?: string;
  schemaname?: string;
}

function tableName(relation: unknown): string | undefined {
  const r = relation as RangeVar | undefined;
  if (!r?.relname) return undefined;
  return r.schemaname ? `${r.schemaname}.${r.relname}` : r.relname;
}

/** The unqualified name, for matching tables created earlier in the file (search_path is not known). */
function bare(name: string | undefined): string | undefined {
  return name?.split('.').pop();
}

function isNew(ctx: Context, table: string | undefined): boolean {
  const b = bare(table);
  return b !== undefined && ctx.created.has(b);
}

function strings(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((n) => String((n as { String?: { sval?: string } }).String?.sval ?? '')).filter(Boolean);
}

function constraintsOf(columnDef: Node): Node[] {
  const list = columnDef.constraints;
  return Array.isArray(list) ? list.map((c) => (c as { Constraint?: Node }).Constraint ?? {}) : [];
}

/** Every function name called anywhere under `node`. */
function calledFunctions(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) calledFunctions(item, found);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node as Node)) {
      if (key === 'FuncCall') found.push(strings((value as Node).funcname).join('.'));
      calledFunctions(value, found);
    }
  }
  return found;
}

/**
 * Volatile functions commonly used as column defaults: a volatile default makes ADD COLUMN rewrite
 * the table (PostgreSQL docs, ALTER TABLE "Notes": only a non-volatile DEFAULT avoids the rewrite,
 * https://www.postgresql.org/docs/current/sql-altertable.html#SQL-ALTERTABLE-NOTES).
 */
const VOLATILE =
  /(^|\.)(random|clock_timestamp|timeofday|gen_random_uuid|uuid_generate_v[14]|uuidv[47]|nextval|txid_current)$/;

const SERIAL = /^(small|big)?serial[248]?$/;

function addColumn(def: Node, table: string, ctx: Context): StatementFacts {
  const column = String(def.colname ?? '?');
  const constraints = constraintsOf(def);
  const has = (type: string) => constraints.some((c) => c.contype === type);
  const typeNames = strings((def.typeName as Node | undefined)?.names);
  const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
  const reasons: Reason[] = [];
  const rewrite =
    typeNames.some((t) => SERIAL.test(t)) ||
    has('CONSTR_IDENTITY') ||
    has('CONSTR_GENERATED') ||
    calledFunctions(defaultExpr).some((f) => VOLATILE.test(f));
  if (rewrite) {
    reasons.push(
      breaking(
        'table-rewrite',
        `ADD COLUMN ${column} with a volatile, serial, identity or stored generated value rewrites ${table} under an ACCESS EXCLUSIVE lock`,
      ),
    );
  }
  if (has('CONSTR_NOTNULL') && defaultExpr === undefined && !rewrite) {
    reasons.push(
      contract(
        'add-required-column',
        `${column} is NOT NULL without a default: the running release's INSERTs into ${table} fail`,
      ),
    );
  }
  if (has('CONSTR_PRIMARY') || has('CONSTR_UNIQUE')) {
    reasons.push(
      breaking('index-not-concurrent', `ADD COLUMN ${column} with a key builds an index while ${table} is locked`),
    );
  }
  if (has('CONSTR_FOREIGN') || has('CONSTR_CHECK')) {
    reasons.push(
      contract('constraint-added', `${column} gets a constraint that rejects writes the running release may make`),
    );
  }
  if (reasons.length === 0)
    reasons.push(expand('add-column', `adds ${column} to ${table}; the running release ignores it`));
  return { reasons: isNew(ctx, table) ? [expand('new-table', `${table} is created by this migration`)] : reasons };
}

function addConstraint(con: Node, table: string): Reason[] {
  const type = String(con.contype ?? '');
  const name = typeof con.conname === 'string' ? ` ${con.conname}` : '';
  const reasons: Reason[] = [];
  if (type === 'CONSTR_PRIMARY' || type === 'CONSTR_UNIQUE') {
    if (con.indexname) {
      reasons.push(
        contract(
          'constraint-added',
          `constraint${name} (USING INDEX) rejects duplicates the running release may write`,
        ),
      );
    } else {
      reasons.push(
        breaking(
          'index-not-concurrent',
          `constraint${name} builds its index while ${table} is ACCESS EXCLUSIVE locked`,
        ),
        contract('constraint-added', `constraint${name} rejects duplicates the running release may write`),
      );
    }
    return reasons;
  }
  if (type === 'CONSTR_EXCLUSION') {
    return [
      breaking('index-not-concurrent', `exclusion constraint${name} builds its index while ${table} is locked`),
      contract('constraint-added', `exclusion constraint${name} rejects writes the running release may make`),
    ];
  }
  if (type === 'CONSTR_FOREIGN' || type === 'CONSTR_CHECK') {
    reasons.push(contract('constraint-added', `constraint${name} rejects writes the running release may make`));
    if (!con.skip_validation) {
      reasons.push(
        breaking(
          'constraint-validated-under-lock',
          `constraint${name} is validated against every row while ${table} is locked; add it NOT VALID, then VALIDATE CONSTRAINT`,
        ),
      );
    }
    return reasons;
  }
  if (type === 'CONSTR_NOTNULL') {
    return [contract('set-not-null', `NOT NULL constraint${name}: the running release may still write NULL`)];
  }
  return [contract('constraint-added', `constraint${name} narrows what ${table} accepts`)];
}

/** Lock for one ALTER TABLE subcommand (ALTER TABLE docs: ACCESS EXCLUSIVE "unless explicitly noted"). */
function alterLock(subtype: string, def: Node | undefined): LockMode {
  switch (subtype) {
    case 'AT_SetStatistics':
    case 'AT_ValidateConstraint':
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_AttachPartition':
      return 'SHARE UPDATE EXCLUSIVE';
    case 'AT_EnableTrig':
    case 'AT_DisableTrig':
    case 'AT_EnableTrigAll':
    case 'AT_DisableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrigUser':
      return 'SHARE ROW EXCLUSIVE';
    case 'AT_AddConstraint':
      return (def?.Constraint as Node | undefined)?.contype === 'CONSTR_FOREIGN'
        ? 'SHARE ROW EXCLUSIVE'
        : 'ACCESS EXCLUSIVE';
    default:
      return 'ACCESS EXCLUSIVE';
  }
}

function alterCommand(cmd: Node, table: string, ctx: Context): Reason[] {
  const subtype = String(cmd.subtype ?? '');
  const def = cmd.def as Node | undefined;
  const column = typeof cmd.name === 'string' ? cmd.name : '?';
  switch (subtype) {
    case 'AT_AddColumn':
      return addColumn((def?.ColumnDef as Node) ?? {}, table, ctx).reasons;
    case 'AT_DropColumn':
      return [contract('drop-column', `drops ${table}.${column}, which the running release may read or write`)];
    case 'AT_AlterColumnType':
      return [
        contract(
          'change-column-type',
          `changes the type of ${table}.${column}: the running release reads and writes the old type`,
        ),
        breaking('table-rewrite', `a type change rewrites ${table} (and its indexes) under an ACCESS EXCLUSIVE lock`),
      ];
    case 'AT_SetNotNull':
      return [
        contract('set-not-null', `${table}.${column} becomes NOT NULL: the running release may still write NULL`),
        breaking('full-table-scan', `SET NOT NULL scans all of ${table} under an ACCESS EXCLUSIVE lock`),
      ];
    case 'AT_DropNotNull':
      return [expand('drop-not-null', `${table}.${column} accepts NULL; the running release keeps working`)];
    case 'AT_ColumnDefault':
      return def
        ? [expand('set-default', `sets the default of ${table}.${column}`)]
        : [
            contract(
              'drop-default',
              `drops the default of ${table}.${column}: INSERTs of the running release may rely on it`,
            ),
          ];
    case 'AT_AddConstraint':
      return addConstraint((def?.Constraint as Node) ?? {}, table);
    case 'AT_ValidateConstraint':
      return [
        expand('validate-constraint', `validates ${column} under SHARE UPDATE EXCLUSIVE (reads and writes go on)`),
      ];
    case 'AT_DropConstraint':
      return [expand('drop-constraint', `drops constraint ${column}; ${table} accepts more than before`)];
    case 'AT_SetLogged':
    case 'AT_SetUnLogged':
    case 'AT_SetTableSpace':
    case 'AT_SetAccessMethod':
      return [breaking('table-rewrite', `rewrites ${table} under an ACCESS EXCLUSIVE lock`)];
    case 'AT_AttachPartition':
      return [expand('attach-partition', `attaches a partition to ${table} (SHARE UPDATE EXCLUSIVE on the parent)`)];
    case 'AT_DetachPartition':
      return [
        contract('detach-partition', `detaches a partition of ${table}: its rows leave what the running release sees`),
      ];
    case 'AT_AddIdentity':
    case 'AT_SetIdentity':
    case 'AT_DropIdentity':
    case 'AT_DropExpression':
      return [contract('alter-identity', `changes how ${table}.${column} gets its value`)];
    case 'AT_SetStatistics':
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
    case 'AT_SetStorage':
    case 'AT_SetCompression':
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
    case 'AT_ChangeOwner':
    case 'AT_EnableRowSecurity':
    case 'AT_ForceRowSecurity':
    case 'AT_ReplicaIdentity':
    case 'AT_EnableTrig':
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
    case 'AT_EnableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_GenericOptions':
      return [expand('alter-table-setting', `changes a setting of ${table}; its columns stay as they are`)];
    case 'AT_DisableTrig':
    case 'AT_DisableTrigAll':
    case 'AT_DisableTrigUser':
    case 'AT_DisableRowSecurity':
    case 'AT_NoForceRowSecurity':
      return [
        contract(
          'disable-behaviour',
          `turns off a trigger or row security on ${table} the running release may rely on`,
        ),
      ];
    default:
      return [
        contract('unrecognised', `ALTER TABLE ${subtype.replace(/^AT_/, '')} is not recognised: treated as contract`),
      ];
  }
}

function alterTable(node: Node, ctx: Context): StatementFacts {
  const table = tableName(node.relation) ?? '?';
  const objtype = String(node.objtype ?? 'OBJECT_TABLE');
  const cmds = (Array.isArray(node.cmds) ? node.cmds : []).map(
    (c) => (c as { AlterTableCmd?: Node }).AlterTableCmd ?? {},
  );
  let lock: LockMode | undefined;
  const reasons: Reason[] = [];
  for (const cmd of cmds) {
    const mode = alterLock(String(cmd.subtype ?? ''), cmd.def as Node | undefined);
    lock = lock === undefined || mode === 'ACCESS EXCLUSIVE' ? mode : lock;
    reasons.push(...alterCommand(cmd, table, ctx));
  }
  if (objtype === 'OBJECT_INDEX' || objtype === 'OBJECT_SEQUENCE') {
    return { reasons: [expand('alter-object-setting', `changes a setting of ${table}`)], lock, table };
  }
  if (isNew(ctx, table))
    return { reasons: [expand('new-table', `${table} is created by this migration`)], lock, table };
  return { reasons, lock, table };
}

function index(node: Node, ctx: Context): StatementFacts {
  const table = tableName(node.relation) ?? '?';
  const name = typeof node.idxname === 'string' ? node.idxname : '(unnamed)';
  const reasons: Reason[] = [];
  if (isNew(ctx, table)) {
    reasons.push(expand('new-table', `index ${name} on ${table}, which this migration creates`));
  } else if (node.concurrent) {
    reasons.push(expand('index-concurrently', `builds ${name} CONCURRENTLY: reads and writes of ${table} go on`));
    if (node.unique)
      reasons.push(
        contract('constraint-added', `unique index ${name} rejects duplicates the running release may write`),
      );
  } else {
    reasons.push(
      breaking(
        'index-not-concurrent',
        `builds ${name} without CONCURRENTLY: writes to ${table} wait for the whole build (SHARE lock)`,
      ),
    );
    if (node.unique)
      reasons.push(
        contract('constraint-added', `unique index ${name} rejects duplicates the running release may write`),
      );
  }
  return { reasons, lock: node.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'SHARE', table };
}

const DROPPED: Record<string, string> = {
  OBJECT_TABLE: 'table',
  OBJECT_VIEW: 'view',
  OBJECT_MATVIEW: 'materialized view',
  OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'procedure',
  OBJECT_ROUTINE: 'routine',
  OBJECT_TYPE: 'type',
  OBJECT_DOMAIN: 'domain',
  OBJECT_SEQUENCE: 'sequence',
  OBJECT_SCHEMA: 'schema',
  OBJECT_EXTENSION: 'extension',
  OBJECT_TRIGGER: 'trigger',
  OBJECT_FOREIGN_TABLE: 'foreign table',
  OBJECT_AGGREGATE: 'aggregate',
  OBJECT_OPERATOR: 'operator',
};

function objectNames(objects: unknown): string[] {
  if (!Array.isArray(objects)) return [];
  return objects.map((o) => {
    const item = o as Node;
    if (item.List) return strings((item.List as Node).items).join('.');
    if (item.TypeName) return strings((item.TypeName as Node).names).join('.');
    if (item.ObjectWithArgs) return strings((item.ObjectWithArgs as Node).objname).join('.');
    if (item.String) return String((item.String as Node).sval ?? '');
    return '?';
  });
}

function drop(node: Node, ctx: Context): StatementFacts {
  const type = String(node.removeType ?? '');
  const names = objectNames(node.objects);
  const what = names.join(', ');
  if (type === 'OBJECT_INDEX') {
    return {
      reasons: [expand('drop-index', `drops index ${what}${node.concurrent ? ' CONCURRENTLY' : ''}`)],
      lock: node.concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE',
    };
  }
  if (type === 'OBJECT_TABLE' && names.every((n) => ctx.created.has(bare(n) ?? ''))) {
    return { reasons: [expand('new-table', `drops ${what}, created by this migration`)], lock: 'ACCESS EXCLUSIVE' };
  }
  const noun = DROPPED[type];
  const lock: LockMode | undefined = ['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_TRIGGER'].includes(type)
    ? 'ACCESS EXCLUSIVE'
    : undefined;
  if (noun === undefined) {
    return { reasons: [contract('drop-object', `drops ${what}: the running release may use it`)], lock };
  }
  return {
    reasons: [contract(`drop-${noun.replace(/ /g, '-')}`, `drops ${noun} ${what}, which the running release may use`)],
    lock,
    table: type === 'OBJECT_TABLE' ? what : undefined,
  };
}

function rename(node: Node): StatementFacts {
  const type = String(node.renameType ?? '');
  const table = tableName(node.relation);
  const from =
    typeof node.subname === 'string'
      ? node.subname
      : (table ?? objectNames(node.object ? [node.object] : []).join('.'));
  const to = String(node.newname ?? '?');
  if (type === 'OBJECT_INDEX' || type === 'OBJECT_TABCONSTRAINT' || type === 'OBJECT_TRIGGER') {
    return {
      reasons: [expand('rename-internal', `renames ${from} to ${to} (queries do not name it)`)],
      lock: 'SHARE UPDATE EXCLUSIVE',
      table,
    };
  }
  const code = type === 'OBJECT_COLUMN' ? 'rename-column' : type === 'OBJECT_TABLE' ? 'rename-table' : 'rename-object';
  const what =
    type === 'OBJECT_COLUMN' ? `column ${table}.${from}` : `${type.replace(/^OBJECT_/, '').toLowerCase()} ${from}`;
  return {
    reasons: [contract(code, `renames ${what} to ${to}: the running release still uses the old name`)],
    lock: table ? 'ACCESS EXCLUSIVE' : undefined,
    table,
  };
}

/** LOCK TABLE modes as the parser numbers them (lockdefs.h: AccessShareLock = 1 ... AccessExclusiveLock = 8). */
const LOCK_BY_NUMBER: LockMode[] = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
];

function dml(node: Node, _ctx: Context, kind: string): StatementFacts {
  const table = tableName(node.relation);
  const verb = kind.replace(/Stmt$/, '').toUpperCase();
  const where = kind === 'UpdateStmt' || kind === 'DeleteStmt' ? (node.whereClause ? '' : ' every row of') : '';
  return {
    reasons: [data(`dml-${verb.toLowerCase()}`, `${verb}${where} ${table ?? ''}`.trim())],
    lock: 'ROW EXCLUSIVE',
    table,
  };
}

/** Statements that create something new or change nothing the running release uses. */
const CREATES: Record<string, string> = {
  CreateSchemaStmt: 'schema',
  CreateSeqStmt: 'sequence',
  CreateEnumStmt: 'enum type',
  CompositeTypeStmt: 'type',
  CreateDomainStmt: 'domain',
  CreateRangeStmt: 'range type',
  CreateExtensionStmt: 'extension',
  CreateFunctionStmt: 'function',
  ViewStmt: 'view',
  CreatePolicyStmt: 'policy',
  CreateRoleStmt: 'role',
  CommentStmt: 'comment',
  DefineStmt: 'definition',
  CreateCastStmt: 'cast',
  CreateStatsStmt: 'statistics object',
  CreateForeignTableStmt: 'foreign table',
  CreateEventTrigStmt: 'event trigger',
  CreatePublicationStmt: 'publication',
  CreateConversionStmt: 'conversion',
  CreateOpClassStmt: 'operator class',
  CreateFdwStmt: 'foreign data wrapper',
  CreateForeignServerStmt: 'foreign server',
  CreateUserMappingStmt: 'user mapping',
  AlterDefaultPrivilegesStmt: 'default privileges',
  AlterSeqStmt: 'sequence setting',
  AlterOwnerStmt: 'owner',
  AlterRoleStmt: 'role setting',
  AlterFunctionStmt: 'function setting',
  AlterStatsStmt: 'statistics setting',
  AlterExtensionStmt: 'extension update',
  VariableSetStmt: 'session setting',
  SecLabelStmt: 'security label',
  CreateTransformStmt: 'transform',
};

function createTable(node: Node): StatementFacts {
  const table = tableName(node.relation);
  if (node.partbound) {
    return {
      reasons: [expand('create-partition', `creates partition ${table}`)],
      lock: 'SHARE UPDATE EXCLUSIVE',
      creates: bare(table),
    };
  }
  return { reasons: [expand('create-table', `creates table ${table}`)], creates: bare(table), table };
}

function createTableAs(node: Node): StatementFacts {
  const table = tableName((node.into as Node | undefined)?.rel);
  return { reasons: [expand('create-table', `creates ${table} from a query`)], creates: bare(table), table };
}

function setSchema(node: Node): StatementFacts {
  const what = tableName(node.relation) ?? objectNames([node.object]).join('');
  return {
    reasons: [
      contract(
        'set-schema',
        `moves ${what} to schema ${String(node.newschema)}: the running release looks for it in the old one`,
      ),
    ],
    lock: node.relation ? 'ACCESS EXCLUSIVE' : undefined,
    table: tableName(node.relation),
  };
}

function copy(node: Node): StatementFacts {
  return {
    reasons: [data('dml-copy', `COPY ${tableName(node.relation) ?? ''}`.trim())],
    lock: node.is_from ? 'ROW EXCLUSIVE' : 'ACCESS SHARE',
    table: tableName(node.relation),
  };
}

function truncate(node: Node): StatementFacts {
  const tables = (Array.isArray(node.relations) ? node.relations : [])
    .map((r) => tableName((r as Node).RangeVar))
    .join(', ');
  return {
    reasons: [data('truncate', `TRUNCATE ${tables} removes every row`)],
    lock: 'ACCESS EXCLUSIVE',
    table: tables,
  };
}

function select(node: Node): StatementFacts {
  return node.intoClause
    ? { reasons: [expand('create-table', 'creates a table from a query (SELECT INTO)')] }
    : { reasons: [data('select', 'a SELECT; functions it calls may change data')], lock: 'ACCESS SHARE' };
}

/** Whether a list of DefElem options (VACUUM's options, REINDEX's params) holds `name`. */
function hasOption(list: unknown, name: string): boolean {
  return Array.isArray(list) && list.some((o) => ((o as Node).DefElem as Node | undefined)?.defname === name);
}

function vacuum(node: Node): StatementFacts {
  return hasOption(node.options, 'full')
    ? {
        reasons: [breaking('table-rewrite', 'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock')],
        lock: 'ACCESS EXCLUSIVE',
      }
    : { reasons: [expand('maintenance', 'VACUUM/ANALYZE: reads and writes go on')], lock: 'SHARE UPDATE EXCLUSIVE' };
}

function cluster(node: Node): StatementFacts {
  return {
    reasons: [breaking('table-rewrite', 'CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock')],
    lock: 'ACCESS EXCLUSIVE',
    table: tableName(node.relation),
  };
}

function reindex(node: Node): StatementFacts {
  return hasOption(node.params, 'concurrently')
    ? {
        reasons: [expand('reindex-concurrently', 'REINDEX CONCURRENTLY: reads and writes go on')],
        lock: 'SHARE UPDATE EXCLUSIVE',
      }
    : {
        reasons: [
          breaking('reindex', 'REINDEX without CONCURRENTLY blocks writes (and reads through the index) while it runs'),
        ],
        lock: 'SHARE',
      };
}

function refreshMatView(node: Node): StatementFacts {
  return node.concurrent
    ? {
        reasons: [expand('refresh-concurrently', 'REFRESH MATERIALIZED VIEW CONCURRENTLY: reads go on')],
        lock: 'EXCLUSIVE',
      }
    : {
        reasons: [breaking('refresh-matview', 'REFRESH MATERIALIZED VIEW blocks reads of the view while it runs')],
        lock: 'ACCESS EXCLUSIVE',
      };
}

function lockTable(node: Node): StatementFacts {
  const mode = LOCK_BY_NUMBER[Number(node.mode ?? 8) - 1] ?? 'ACCESS EXCLUSIVE';
  const strong = LOCK_BY_NUMBER.indexOf(mode) >= LOCK_BY_NUMBER.indexOf('SHARE');
  return {
    reasons: [
      strong
        ? breaking('explicit-lock', `LOCK TABLE IN ${mode} MODE blocks writes until the migration commits`)
        : expand('explicit-lock', `LOCK TABLE IN ${mode} MODE`),
    ],
    lock: mode,
  };
}

function createTrigger(node: Node): StatementFacts {
  return {
    reasons: [expand('create-trigger', `creates trigger ${String(node.trigname)} on ${tableName(node.relation)}`)],
    lock: 'SHARE ROW EXCLUSIVE',
    table: tableName(node.relation),
  };
}

function alterEnum(node: Node): StatementFacts {
  return node.oldVal
    ? {
        reasons: [
          contract(
            'rename-enum-value',
            `renames enum value ${String(node.oldVal)}: the running release still sends the old one`,
          ),
        ],
      }
    : { reasons: [expand('add-enum-value', `adds enum value ${String(node.newVal)}`)] };
}

/** ALTER DOMAIN subtypes 'N' (SET NOT NULL) and 'C' (ADD CONSTRAINT) narrow what the domain accepts. */
function alterDomain(node: Node): StatementFacts {
  return node.subtype === 'N' || node.subtype === 'C'
    ? { reasons: [contract('constraint-added', 'a domain constraint rejects values the running release may write')] }
    : { reasons: [expand('alter-domain', 'changes a domain without narrowing it')] };
}

function grant(node: Node): StatementFacts {
  return node.is_grant
    ? { reasons: [expand('grant', 'grants privileges')] }
    : { reasons: [contract('revoke', 'revokes privileges the running release may use')] };
}

/** Reads one kind of statement; `kind` is the parse-tree node type (e.g. `UpdateStmt`). */
type StatementReader = (node: Node, ctx: Context, kind: string) => StatementFacts;

/** The reader for each statement kind the classifier knows beyond CREATES. */
const READERS: Record<string, StatementReader> = {
  CreateStmt: createTable,
  CreateTableAsStmt: createTableAs,
  AlterTableStmt: alterTable,
  IndexStmt: index,
  DropStmt: drop,
  RenameStmt: rename,
  AlterObjectSchemaStmt: setSchema,
  InsertStmt: dml,
  UpdateStmt: dml,
  DeleteStmt: dml,
  MergeStmt: dml,
  CopyStmt: copy,
  TruncateStmt: truncate,
  DoStmt: () => ({
    reasons: [data('do-block', 'a DO block runs procedural code: what it changes is not visible to the parser')],
  }),
  SelectStmt: select,
  CallStmt: () => ({
    reasons: [data('call', 'CALL runs a procedure: what it changes is not visible to the parser')],
  }),
  VacuumStmt: vacuum,
  ClusterStmt: cluster,
  ReindexStmt: reindex,
  RefreshMatViewStmt: refreshMatView,
  LockStmt: lockTable,
  CreateTrigStmt: createTrigger,
  RuleStmt: () => ({
    reasons: [contract('create-rule', 'a rule rewrites the queries the running release sends')],
    lock: 'ACCESS EXCLUSIVE',
  }),
  AlterEnumStmt: alterEnum,
  AlterDomainStmt: alterDomain,
  GrantStmt: grant,
  GrantRoleStmt: grant,
  // BEGIN/COMMIT change nothing in the schema (classifyScript leaves them out of its statements).
  TransactionStmt: () => ({ reasons: [] }),
};

/** Classifies one parsed statement. `ctx` carries what earlier statements of the migration created. */
export function statementFacts(kind: string, node: Node, ctx: Context): StatementFacts {
  if (Object.hasOwn(READERS, kind)) return READERS[kind](node, ctx, kind);
  const created = Object.hasOwn(CREATES, kind) ? CREATES[kind] : undefined;
  if (created) return { reasons: [expand('create-or-setting', `${kind.replace(/Stmt$/, '')}: ${created}`)] };
  return {
    reasons: [
      contract(
        'unrecognised',
        `${kind} is not recognised: treated as contract (add an override comment when the running release is unaffected)`,
      ),
    ],
  };
}
