export const id = 635;
export const ids = [635];
export const modules = {

/***/ 635:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  migrate: () => (/* reexport */ migrate)
});

// UNUSED EXPORTS: MigrationError, checksum, compareVersions, failureSummary, normalise, parseScript, readMigrations, resultSummary, runAppMigrator, withFlyPostgresTunnel

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./packages/toolkit/src/index.ts + 12 modules
var src = __webpack_require__(4697);
;// CONCATENATED MODULE: ./packages/migrate/src/files.ts




const NO_TRANSACTION = '-- pg-migrate:no-transaction';
const VERSIONED = /^(\d+)(?:[_-](.*))?$/;
const UP_MARK = /^--\s*migrate:up\b(.*)$/m;
const DOWN_MARK = /^--\s*migrate:down\b(.*)$/m;
/** Removes a UTF-8 BOM and turns CRLF (and lone CR) into LF, so checksums agree across checkouts. */
function normalise(text) {
    const withoutBom = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    return withoutBom.includes('\r') ? withoutBom.replace(/\r\n?/g, '\n') : withoutBom;
}
function checksum(sql) {
    return (0,external_node_crypto_.hash)('sha256', normalise(sql), 'hex');
}
function firstLineIsDirective(sql) {
    // Most files do not mention it at all; only those need their first line looked at.
    if (!/pg-migrate:no-transaction/i.test(sql))
        return false;
    const first = sql
        .replace(/^\s*\n/, '')
        .split('\n', 1)[0]
        .trim()
        .toLowerCase();
    return first === NO_TRANSACTION;
}
function script(path, sql, firstLine = 1, noTransaction = firstLineIsDirective(sql)) {
    return { sql, path, firstLine, noTransaction };
}
/** Splits a `-- migrate:up` / `-- migrate:down` file into its two sections. */
function sections(path, text) {
    const up = UP_MARK.exec(text);
    if (!up)
        throw new src/* UserError */.yo(`${path}: has a \`-- migrate:down\` section but no \`-- migrate:up\` section`);
    const down = DOWN_MARK.exec(text);
    const upStart = up.index + up[0].length + 1;
    const upEnd = down && down.index > up.index ? down.index : text.length;
    const lineOf = (index) => text.slice(0, index).split('\n').length;
    const upNoTx = /transaction:\s*false/.test(up[1]);
    const upSql = text.slice(upStart, upEnd);
    const result = {
        up: script(path, upSql, lineOf(upStart), upNoTx || firstLineIsDirective(upSql)),
    };
    if (down && down.index > up.index) {
        const downStart = down.index + down[0].length + 1;
        const downSql = text.slice(downStart);
        if (downSql.trim() !== '') {
            const downNoTx = /transaction:\s*false/.test(down[1]);
            result.down = script(path, downSql, lineOf(downStart), downNoTx || firstLineIsDirective(downSql));
        }
    }
    return result;
}
function read(path) {
    return normalise((0,external_node_fs_.readFileSync)(path, 'utf8'));
}
/**
 * Reads every migration in `dir`. Three layouts are recognised, per entry:
 * `0001_name.sql` (+ optional `0001_name.down.sql`, also `.up.sql`), one file with
 * `-- migrate:up` / `-- migrate:down` sections, and a folder `0001_name/` holding
 * `up.sql` and `down.sql`. Sorted by the numeric value of the leading digits.
 */
function readMigrations(dir, root = process.cwd()) {
    const reading = scan(dir, root);
    let step = reading.next();
    while (!step.done)
        step = reading.next();
    return step.value;
}
/**
 * `readMigrations`, giving the event loop a turn every few dozen files, so that network work
 * started before it (a connection's handshake, mostly waiting) proceeds while files are read.
 */
async function readMigrationsInSlices(dir, root = process.cwd()) {
    const reading = scan(dir, root);
    let step = reading.next();
    while (!step.done) {
        await new Promise((resolve) => setImmediate(resolve));
        step = reading.next();
    }
    return step.value;
}
const FILES_PER_SLICE = 64;
/** Reads the folder; yields after every FILES_PER_SLICE files read. */
function* scan(folder, root) {
    const dir = (0,external_node_path_.resolve)(folder);
    if (!(0,external_node_fs_.existsSync)(dir) || !(0,external_node_fs_.statSync)(dir).isDirectory()) {
        throw new src/* UserError */.yo(`Migrations folder not found: ${(0,external_node_path_.relative)(root, dir) || dir}`, {
            hint: 'Set the `migrations-dir` input to the folder holding the .sql files (relative to the workspace).',
        });
    }
    const base = (0,external_node_path_.relative)(root, dir);
    const shown = (p) => p.startsWith(`${dir}/`)
        ? base
            ? `${base}/${p.slice(dir.length + 1)}`
            : p.slice(dir.length + 1)
        : (0,external_node_path_.relative)(root, p) || p;
    const entries = new Map();
    const entry = (version, name, layout, source) => {
        const key = BigInt(version).toString();
        const existing = entries.get(key);
        if (existing && existing.name !== name) {
            throw new src/* UserError */.yo(`Two migrations have version ${version}: ${shown(existing.source)} and ${shown(source)}. Versions must be unique.`);
        }
        const created = existing ?? { version, name, layout, source };
        entries.set(key, created);
        return created;
    };
    // Sorted by name so that errors about duplicates are stable; the result is sorted by version.
    const dirents = (0,external_node_fs_.readdirSync)(dir, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    let count = 0;
    for (const dirent of dirents) {
        if (++count % FILES_PER_SLICE === 0)
            yield;
        const full = `${dir}/${dirent.name}`;
        if (dirent.isDirectory()) {
            const upPath = (0,external_node_path_.join)(full, 'up.sql');
            if (!(0,external_node_fs_.existsSync)(upPath))
                continue;
            const match = VERSIONED.exec(dirent.name);
            if (!match)
                throw new src/* UserError */.yo(`${shown(full)}: a migration folder name must start with its version number`);
            const e = entry(match[1], match[2] ?? '', 'folders', full);
            e.up = script(shown(upPath), read(upPath));
            const downPath = (0,external_node_path_.join)(full, 'down.sql');
            if ((0,external_node_fs_.existsSync)(downPath))
                e.down = script(shown(downPath), read(downPath));
            continue;
        }
        if (!dirent.name.endsWith('.sql'))
            continue;
        const base = dirent.name.slice(0, -'.sql'.length);
        const direction = base.endsWith('.down') ? 'down' : 'up';
        const stem = base.replace(/\.(down|up)$/, '');
        const match = VERSIONED.exec(stem);
        if (!match) {
            throw new src/* UserError */.yo(`${shown(full)}: a migration file name must start with its version number (e.g. 0001_name.sql)`);
        }
        const e = entry(match[1], match[2] ?? '', 'files', full);
        const text = read(full);
        if (direction === 'down') {
            e.down = script(shown(full), text);
        }
        else if (text.includes('migrate:') && (UP_MARK.test(text) || DOWN_MARK.test(text))) {
            const parts = sections(shown(full), text);
            e.layout = 'sections';
            e.up = parts.up;
            e.down = parts.down ?? e.down;
        }
        else {
            e.up = script(shown(full), text);
        }
    }
    const files = [];
    for (const e of entries.values()) {
        if (!e.up)
            throw new src/* UserError */.yo(`${shown(e.source)}: a down migration without its up migration (version ${e.version})`);
        files.push({
            version: e.version,
            order: BigInt(e.version),
            name: e.name,
            layout: e.layout,
            up: e.up,
            down: e.down,
            checksum: checksum(e.up.sql),
        });
    }
    return files.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
}
/** Compares two version strings numerically (`0010` > `9`). */
function compareVersions(a, b) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
}

;// CONCATENATED MODULE: ./packages/migrate/src/fly.ts

async function flyClient(access) {
    // Loaded only when a Fly input is used: the SQL path stays light.
    const fly = await Promise.resolve(/* import() */).then(__webpack_require__.bind(__webpack_require__, 3954));
    // A missing token fails before any flyctl download.
    const token = fly.requireToken(access.token);
    const installed = await fly.ensureFlyctl(access.flyctlVersion);
    return { fly, client: new fly.Fly({ token, bin: installed.bin }) };
}
/** The database URL with its host and port replaced by a local tunnel's. */
function throughTunnel(url, host, port) {
    const u = new URL(url);
    u.hostname = host;
    u.port = String(port);
    return u.toString();
}
/**
 * Opens `flyctl proxy 0:5432 -a <app> --watch-stdin` to a Fly Postgres app, runs `work`
 * with the database URL pointed at the tunnel, and closes the tunnel whatever happens.
 */
async function withFlyPostgresTunnel(app, databaseUrl, access, work) {
    const { fly, client } = await flyClient(access);
    const remotePort = Number(new URL(databaseUrl).port || 5432);
    access.logger.info(`Opening a flyctl proxy tunnel to ${app}:${remotePort}...`);
    const proxy = await fly.startProxy(client, { app, remotePort, readyTimeoutMs: 60_000 });
    try {
        access.logger.info(`Tunnel ready on ${proxy.host}:${proxy.port}`);
        return await work(throughTunnel(databaseUrl, proxy.host, proxy.port));
    }
    finally {
        await proxy.stop();
    }
}
/**
 * Runs the app's own migrator on one of its machines: `flyctl ssh console -a <app> -C <command>`,
 * its output streamed to the log. A non-zero exit fails with flyctl's message and the output tail.
 */
async function runAppMigrator(app, command, access) {
    const { fly, client } = await flyClient(access);
    access.logger.info(`Running \`${command}\` on a machine of ${app} (flyctl ssh console)...`);
    const run = await fly.sshConsole(client, app, command, {
        timeoutMs: access.timeoutMs ?? 30 * 60_000,
        allowFailure: true,
        onLine: (line) => access.logger.info(line),
    });
    const tail = `${run.stdout}${run.stderr ? `\n${run.stderr}` : ''}`.trim().split('\n').slice(-30).join('\n');
    if (run.code !== 0) {
        throw new UserError(`The migration command failed on ${app} (${run.timedOut ? 'timed out' : `exit ${run.code}`}): ${run.errorMessage || 'see the output above'}`, { hint: tail ? `Last output:\n${tail}` : undefined });
    }
    access.logger.info(`Migration command finished in ${formatDuration(run.durationMs)}`);
    return { durationMs: run.durationMs, tail };
}

// EXTERNAL MODULE: external "node:url"
var external_node_url_ = __webpack_require__(3136);
;// CONCATENATED MODULE: ./packages/migrate/src/parser.ts


/** A syntax error, with the 0-based byte offset where the parser stopped. */
class SqlSyntaxError extends Error {
    cursorPosition;
    constructor(message, cursorPosition) {
        super(message);
        this.cursorPosition = cursorPosition;
    }
}
/** Node's WebAssembly global (the DOM lib, which would type it, is not loaded). */
const wasmRuntime = globalThis.WebAssembly;
let loading;
function load() {
    loading ??= (async () => {
        const { PARSER_WASM_GZIP_BASE64 } = await __webpack_require__.e(/* import() */ 175).then(__webpack_require__.bind(__webpack_require__, 5175));
        const bytes = process.getBuiltinModule('node:zlib').gunzipSync(Buffer.from(PARSER_WASM_GZIP_BASE64, 'base64'));
        // The Emscripten loader is CommonJS and reads the free variable `__dirname`, which an ESM
        // bundle lacks; `instantiateWasm` hands it the module, so the folder is never used.
        const scope = globalThis;
        scope.__dirname ??= (0,external_node_path_.dirname)((0,external_node_url_.fileURLToPath)(import.meta.url));
        const factory = (await __webpack_require__.e(/* import() */ 995).then(__webpack_require__.t.bind(__webpack_require__, 3995, 23))).default;
        const module = await factory({
            instantiateWasm(imports, receive) {
                wasmRuntime.instantiate(bytes, imports).then((result) => receive(result.instance));
                return {};
            },
        });
        return module;
    })();
    return loading;
}
/** Parses SQL into PostgreSQL's parse tree (JSON form). Throws SqlSyntaxError on a syntax error. */
async function parseSql(sql) {
    const wasm = await load();
    const size = wasm.lengthBytesUTF8(sql) + 1;
    const input = wasm._malloc(size);
    let result = 0;
    try {
        wasm.stringToUTF8(sql, input, size);
        result = wasm._wasm_parse_query_raw(input);
        if (!result)
            throw new Error('PostgreSQL parser: out of memory');
        // PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error; }
        const tree = wasm.getValue(result, 'i32');
        const error = wasm.getValue(result + 8, 'i32');
        if (error) {
            // PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos; }
            const messagePtr = wasm.getValue(error, 'i32');
            const cursor = wasm.getValue(error + 16, 'i32');
            throw new SqlSyntaxError(messagePtr ? wasm.UTF8ToString(messagePtr) : 'syntax error', cursor > 0 ? cursor - 1 : 0);
        }
        return tree ? JSON.parse(wasm.UTF8ToString(tree)) : {};
    }
    finally {
        wasm._free(input);
        if (result)
            wasm._wasm_free_parse_result(result);
    }
}

;// CONCATENATED MODULE: ./packages/migrate/src/sql.ts


const LEADING_TRIVIA = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/;
function hasDefElem(list, name) {
    return (Array.isArray(list) && list.some((item) => item.DefElem?.defname === name));
}
/** Why a parsed statement cannot run inside a transaction block (PostgreSQL's PreventInTransactionBlock callers). */
function nonTransactional(kind, node) {
    switch (kind) {
        case 'IndexStmt':
            return node.concurrent ? 'CREATE INDEX CONCURRENTLY' : undefined;
        case 'DropStmt':
            return node.concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
        case 'ReindexStmt': {
            if (hasDefElem(node.params, 'concurrently'))
                return 'REINDEX CONCURRENTLY';
            const what = String(node.kind ?? '');
            return what === 'REINDEX_OBJECT_SYSTEM' || what === 'REINDEX_OBJECT_DATABASE'
                ? 'REINDEX SYSTEM/DATABASE'
                : undefined;
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
            const cmds = node.cmds ?? [];
            return cmds.some((c) => c.AlterTableCmd?.def?.PartitionCmd?.concurrent)
                ? 'DETACH PARTITION CONCURRENTLY'
                : undefined;
        }
        default:
            return undefined;
    }
}
/** Byte offset (what the parser reports) to string index, for text with multi-byte characters. */
function byteToIndex(text) {
    if (Buffer.byteLength(text) === text.length)
        return (byte) => byte;
    const buffer = Buffer.from(text, 'utf8');
    return (byte) => buffer.subarray(0, byte).toString('utf8').length;
}
function lineAt(text, index) {
    let line = 1;
    for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1))
        line++;
    return line;
}
/**
 * Splits a script into statements with PostgreSQL's own parser, so dollar-quoted bodies,
 * `E''` strings and comments containing `;` are handled exactly as the server does.
 * A syntax error is a UserError naming file and line.
 */
async function parseScript(script) {
    let result;
    try {
        result = (await parseSql(script.sql));
    }
    catch (error) {
        if (!(error instanceof SqlSyntaxError))
            throw error;
        const line = script.firstLine + lineAt(script.sql, byteToIndex(script.sql)(error.cursorPosition)) - 1;
        throw new src/* UserError */.yo(`${script.path}:${line}: ${error.message}`);
    }
    const toIndex = byteToIndex(script.sql);
    const statements = [];
    for (const raw of result.stmts ?? []) {
        const [kind, node] = Object.entries(raw.stmt)[0] ?? ['Unknown', {}];
        const startByte = raw.stmt_location ?? 0;
        const start = toIndex(startByte);
        const end = raw.stmt_len ? toIndex(startByte + raw.stmt_len) : script.sql.length;
        const slice = script.sql.slice(start, end);
        const trivia = LEADING_TRIVIA.exec(slice)?.[0].length ?? 0;
        const text = slice.slice(trivia).replace(/;\s*$/, '');
        const statement = {
            text,
            line: script.firstLine + lineAt(script.sql, start + trivia) - 1,
            offset: start + trivia,
            kind,
            nonTransactional: nonTransactional(kind, node),
            transactionControl: kind === 'TransactionStmt',
        };
        if (kind === 'IndexStmt' && node.concurrent && typeof node.idxname === 'string') {
            const relation = node.relation;
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
/** The 1-based file line of a 1-based character `position` inside `script.sql` (PostgreSQL error positions). */
function lineOfPosition(script, position) {
    return script.firstLine + lineAt(script.sql, position - 1) - 1;
}

;// CONCATENATED MODULE: ./packages/migrate/src/analyse.ts

/**
 * Words every statement that cannot run in a transaction block (or controls one) contains.
 * A transactional script without any of them needs no parsing before it runs; one with any
 * of them (even in a comment or string) is parsed with PostgreSQL's parser, which decides.
 */
const NEEDS_PARSING = /\b(concurrently|vacuum|reindex|database|tablespace|system|subscription|discard|cluster|begin|commit|rollback|start|end|savepoint|release|prepare|abort)\b/i;
/**
 * Parses the scripts a plan will run (all of them for a dry run, whose plan shows statement
 * counts) and refuses, before anything runs, statements that cannot run inside the transaction
 * pg-migrate opens, and transaction control in such files.
 */
async function analyse(items, problems, all) {
    for (const item of items) {
        if (item.statements)
            continue;
        const script = scriptOf(item);
        if (!all && !script.noTransaction && !NEEDS_PARSING.test(script.sql))
            continue;
        const statements = await parseScript(script).catch((error) => {
            problems.push(error.message);
            return undefined;
        });
        if (!statements)
            continue;
        item.statements = statements;
        if (script.noTransaction)
            continue;
        for (const s of statements) {
            if (s.nonTransactional) {
                problems.push(`${script.path}:${s.line}: ${s.nonTransactional} cannot run inside a transaction. Put \`-- pg-migrate:no-transaction\` on the first line of the file (pg-migrate then runs its statements one by one and resumes after the last finished one).`);
            }
            else if (s.transactionControl) {
                problems.push(`${script.path}:${s.line}: transaction control (${s.text.split(/\s+/)[0].toUpperCase()}) in a migration that pg-migrate already runs in its own transaction. Remove it, or put \`-- pg-migrate:no-transaction\` on the first line.`);
            }
        }
    }
}
function scriptOf(item) {
    return item.action === 'revert' ? item.file.down : item.file.up;
}

;// CONCATENATED MODULE: ./packages/migrate/src/db.ts

function isPgError(error) {
    return error instanceof Error && typeof error.code === 'string' && 'severity' in error;
}
/** SQL string literal; standard_conforming_strings is on in every supported server. */
function literal(value) {
    if (value === null || value === undefined)
        return 'NULL';
    if (typeof value === 'number')
        return String(value);
    if (value.includes('\0'))
        throw new src/* UserError */.yo('A value sent to PostgreSQL contains a NUL character');
    return `'${value.replace(/'/g, "''")}'`;
}
function ident(name) {
    return `"${name.replace(/"/g, '""')}"`;
}
/** A `SET` value for a duration in milliseconds (0 = off). */
function msSetting(ms) {
    return literal(`${Math.max(0, Math.round(ms))}ms`);
}
/** Hosts and ports of connection poolers, where session advisory locks do not hold. */
function poolerReason(url) {
    let parsed;
    try {
        parsed = new URL(url);
    }
    catch {
        return undefined;
    }
    const host = parsed.hostname.toLowerCase();
    if (host.startsWith('pgbouncer.') || host.includes('.pgbouncer.') || host.includes('pooler'))
        return `the host ${host} is a connection pooler`;
    if (host.endsWith('.flympg.net') && !host.startsWith('direct.'))
        return `${host} is Fly Managed Postgres's pooled endpoint (use the direct.<cluster>.flympg.net URL)`;
    if (parsed.port === '6432')
        return 'port 6432 is PgBouncer’s port';
    if (parsed.searchParams.get('pgbouncer') === 'true')
        return 'the URL says pgbouncer=true';
    return undefined;
}
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', '57P03', '53300']);
function describeConnectError(error) {
    const e = error;
    return `${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`;
}
let pgModule;
/**
 * Opens a connection. `pg` is loaded here, on first use, to keep start-up light.
 * Refused or reset connections and "the database system is starting up" are retried.
 */
async function connect(options) {
    pgModule ??= __webpack_require__.e(/* import() */ 849).then(__webpack_require__.bind(__webpack_require__, 3849));
    const pg = (await pgModule).default ?? (await pgModule);
    const { signal } = options;
    return (0,src/* retry */.L5)(async () => {
        const config = {
            connectionString: options.url,
            application_name: options.applicationName.slice(0, 63),
            keepAlive: true,
            pipeline: options.pipeline ?? false,
            connectionTimeoutMillis: Math.max(1_000, Math.min(30_000, options.deadline - Date.now())),
        };
        const client = new pg.Client(config);
        // An idle client that loses its server emits 'error'; the next query reports it.
        client.on('error', () => undefined);
        // Abandoning closes the socket: pg's end() during a connect leaves connect() pending forever.
        const abort = () => client.connection.stream.destroy();
        signal?.addEventListener('abort', abort, { once: true });
        try {
            await client.connect();
        }
        catch (error) {
            await client.end().catch(() => undefined);
            throw error;
        }
        finally {
            signal?.removeEventListener('abort', abort);
        }
        return client;
    }, {
        attempts: 5,
        baseDelayMs: 250,
        maxDelayMs: 4_000,
        deadline: options.deadline,
        retryable: (error) => TRANSIENT_CODES.has(error.code ?? ''),
        signal,
    }).catch((error) => {
        if (isPgError(error) && error.code === '28P01') {
            throw new src/* UserError */.yo('PostgreSQL refused the password in `database-url` (28P01 invalid_password)');
        }
        throw new src/* UserError */.yo(`Could not connect to PostgreSQL: ${describeConnectError(error)}`, { cause: error });
    });
}
/** Ends a client without waiting forever on a connection that is already broken. */
async function db_close(client) {
    if (!client)
        return;
    await Promise.race([client.end().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000).unref())]);
}

;// CONCATENATED MODULE: ./packages/migrate/src/tracking.ts


function tracking(schema, table) {
    return { schema, table, qualified: `${ident(schema)}.${ident(table)}` };
}
/**
 * Every row as one text value: `version checksum finished done total name` per row, rows
 * joined by `/`, which no name holds (names come from file and folder names). A thousand
 * rows cost the server about 2 ms this way and the client one split, against 4 to 10 ms
 * as result rows of separate fields or as JSON.
 */
const ROWS = `string_agg(concat_ws(' ', version, checksum, finished, coalesce(statements_done, -1), coalesce(statements_total, -1), name), '/')`;
function parseRows(text) {
    if (!text)
        return [];
    return text.split('/').map((line) => {
        const [version, checksum, finished, done, total] = line.split(' ', 5);
        let nameStart = 0;
        for (let spaces = 0; spaces < 5; spaces++)
            nameStart = line.indexOf(' ', nameStart) + 1;
        return {
            version,
            checksum,
            name: line.slice(nameStart),
            finished: finished === 't',
            statementsDone: done === '-1' ? null : Number(done),
            statementsTotal: total === '-1' ? null : Number(total),
        };
    });
}
/**
 * Reads the server version and every tracking row in one round trip. A missing table
 * (first run) costs a second, cheap query; a table of another tool is refused.
 */
async function readState(client, t) {
    // Also: notice a vanished client during long statements (PostgreSQL 14+), so a killed
    // runner's work ends with it instead of running on.
    const head = `SELECT current_setting('server_version_num') AS v, current_database() AS db,
    CASE WHEN current_setting('server_version_num')::int >= 140000
      THEN set_config('client_connection_check_interval', '1000', false) END AS check_interval`;
    try {
        const results = (await client.query(`${head}; SELECT ${ROWS} AS rows FROM ${t.qualified}`));
        return {
            versionNum: Number(results[0].rows[0].v),
            database: String(results[0].rows[0].db),
            rows: parseRows(results[1].rows[0].rows),
        };
    }
    catch (error) {
        if (isPgError(error) && error.code === '42P01') {
            const { rows } = await client.query(head);
            return { versionNum: Number(rows[0].v), database: String(rows[0].db) };
        }
        if (isPgError(error) && error.code === '42703') {
            throw new src/* UserError */.yo(`The table ${t.schema}.${t.table} exists but is not a pg-migrate tracking table (${error.message}).`, { hint: 'Choose another name with the `table` input, or migrate that table to pg-migrate’s columns first.' });
        }
        throw error;
    }
}
/** Creates the schema (when missing) and the tracking table. Runs under the migration lock. */
async function ensureTable(client, t) {
    // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists.
    const createSchema = `CREATE SCHEMA IF NOT EXISTS ${ident(t.schema)}`;
    await client.query(`DO $pgm$ BEGIN
  IF to_regnamespace(${literal(ident(t.schema))}) IS NULL THEN EXECUTE ${literal(createSchema)}; END IF;
END $pgm$;
CREATE TABLE IF NOT EXISTS ${t.qualified} (
  version text PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  execution_ms integer NOT NULL DEFAULT 0,
  applied_by text,
  app_version text,
  no_transaction boolean NOT NULL DEFAULT false,
  finished boolean NOT NULL DEFAULT true,
  statements_done integer,
  statements_total integer
)`);
}
/** INSERT for a finished transactional migration; execution time measured by the server within the transaction. */
function insertFinished(t, v) {
    return `INSERT INTO ${t.qualified} (version, name, checksum, execution_ms, applied_by, app_version) VALUES (${literal(v.version)}, ${literal(v.name)}, ${literal(v.checksum)}, (extract(epoch FROM clock_timestamp() - now()) * 1000)::integer, ${literal(v.appliedBy)}, ${literal(v.appVersion ?? null)})`;
}
/** Starts (or restarts) the progress row of a non-transactional migration. */
function upsertStarted(t, v, total) {
    return `INSERT INTO ${t.qualified} (version, name, checksum, applied_by, app_version, no_transaction, finished, statements_done, statements_total) VALUES (${literal(v.version)}, ${literal(v.name)}, ${literal(v.checksum)}, ${literal(v.appliedBy)}, ${literal(v.appVersion ?? null)}, true, false, 0, ${total}) ON CONFLICT (version) DO NOTHING`;
}
function updateProgress(t, version, done, finished, ms) {
    return `UPDATE ${t.qualified} SET statements_done = ${done}, finished = ${finished}, execution_ms = execution_ms + ${Math.round(ms)}${finished ? ', applied_at = now()' : ''} WHERE version = ${literal(version)}`;
}
/**
 * A statement that raises unless `version` was applied (`present`) or reverted (`absent`):
 * the guard of the migration sent after it in a pipeline.
 */
function guardAfter(t, version, expect) {
    const check = `${expect === 'present' ? 'NOT ' : ''}EXISTS (SELECT FROM ${t.qualified} WHERE version = ${literal(version)} AND finished)`;
    const message = `pg-migrate: skipped because migration ${version} before it did not take effect`;
    return `DO $pgm$ BEGIN IF ${check} THEN RAISE EXCEPTION ${literal(message)}; END IF; END $pgm$`;
}
function deleteRow(t, version) {
    return `DELETE FROM ${t.qualified} WHERE version = ${literal(version)}`;
}

;// CONCATENATED MODULE: ./packages/migrate/src/types.ts

/** A migration failed: the file and line, SQLSTATE and PostgreSQL's message. */
class MigrationError extends src/* UserError */.yo {
    location;
    sqlstate;
    done;
    name = 'MigrationError';
    constructor(message, location, sqlstate, 
    /** Migrations done before the failure (they stay applied). */
    done, options) {
        super(message, options);
        this.location = location;
        this.sqlstate = sqlstate;
        this.done = done;
    }
}

;// CONCATENATED MODULE: ./packages/migrate/src/apply.ts






const label = (f) => (f.name ? `${f.version}_${f.name}` : f.version);
/** SET statements for the timeouts; a 0 statement timeout leaves the server's own setting. */
function settingStatements(s, local) {
    const set = local ? 'SET LOCAL' : 'SET';
    const statements = [`${set} lock_timeout = ${msSetting(s.lockTimeoutMs)}`];
    if (s.statementTimeoutMs > 0)
        statements.push(`${set} statement_timeout = ${msSetting(s.statementTimeoutMs)}`);
    return statements;
}
function failure(error, script, statement, position, done, what) {
    const pg = isPgError(error) ? error : undefined;
    const line = position !== undefined ? lineOfPosition(script, position) : statement?.line;
    const where = line === undefined ? script.path : `${script.path}:${line}`;
    const state = pg?.code ? ` (SQLSTATE ${pg.code})` : '';
    const detail = [
        pg?.detail && `Detail: ${pg.detail}`,
        pg?.hint && `Hint: ${pg.hint}`,
        pg?.where && `Context: ${pg.where}`,
    ]
        .filter(Boolean)
        .join('\n');
    const message = `${what} failed at ${where}: ${error.message}${state}${detail ? `\n${detail}` : ''}`;
    return new MigrationError(message, { file: script.path, line }, pg?.code, done, { cause: error });
}
/**
 * Makes every commit so far durable: a transaction with an id commits synchronously (the session's
 * synchronous_commit), flushing the WAL up to it, which holds all earlier commits.
 */
async function flushCommits(client) {
    await client.query('SELECT txid_current()');
}
/** Transactional migrations sent ahead of their results on the work connection. */
const PIPELINE_DEPTH = 32;
function transactionText(job, s) {
    const script = scriptOf(job.item);
    const leading = [...(job.guard ? [job.guard] : []), ...settingStatements(s, true)];
    if (!job.durable)
        leading.push('SET LOCAL synchronous_commit = off');
    const prefix = `BEGIN;\n${leading.map((q) => `${q};\n`).join('')}`;
    // Statements before the script's own: BEGIN and the leading ones (for locating a failure).
    return { script, prefix, before: 1 + leading.length, sql: `${prefix}${script.sql}\n;\n${job.bookkeeping};\nCOMMIT;` };
}
/**
 * Counts, per query in flight, the statements the server completed: queries are answered in
 * order, each ending with ReadyForQuery, so the oldest open count is the current query's.
 */
function statementCounts(client) {
    const connection = client.connection;
    const open = [];
    const onComplete = () => {
        if (open[0])
            open[0].completed++;
    };
    const onReady = () => void open.shift();
    connection.on('commandComplete', onComplete);
    connection.on('readyForQuery', onReady);
    return {
        /** The count of a query about to be sent. */
        add() {
            const count = { completed: 0 };
            open.push(count);
            return count;
        },
        stop() {
            connection.off('commandComplete', onComplete);
            connection.off('readyForQuery', onReady);
        },
    };
}
/**
 * Runs transactional migrations in order, each as ONE simple query: BEGIN; <guard>; SET LOCAL ...;
 * <file>; <bookkeeping>; COMMIT. Up to PIPELINE_DEPTH queries are sent before the first answer
 * arrives (the connection is in pipeline mode), so a run costs about one round trip, not one per
 * migration. Each job's guard fails when the job before it did not take effect, so when one
 * fails, the ones sent behind it change nothing: their answers are awaited, the failed
 * transaction is rolled back, and the failure is located in its file. A lock timeout (55P03) is
 * retried with jittered backoff, the pipeline resuming at that migration.
 */
async function runTransactions(client, jobs, s, done, logger, onApplied) {
    const counts = statementCounts(client);
    const lockFailures = new Map();
    const inFlight = [];
    let next = 0;
    let lastAnswerAt = Date.now();
    try {
        while (next < jobs.length || inFlight.length > 0) {
            while (next < jobs.length && inFlight.length < PIPELINE_DEPTH) {
                const count = counts.add();
                const answer = client.query(transactionText(jobs[next], s).sql);
                answer.catch(() => undefined); // awaited in turn below
                inFlight.push({ index: next, sentAt: Date.now(), count, answer });
                next++;
            }
            const head = inFlight.shift();
            try {
                await head.answer;
                const now = Date.now();
                onApplied(jobs[head.index], now - Math.max(lastAnswerAt, head.sentAt));
                lastAnswerAt = now;
            }
            catch (error) {
                const behind = await Promise.allSettled(inFlight.map((f) => f.answer));
                inFlight.length = 0;
                await client.query('ROLLBACK').catch(() => undefined);
                if (behind.some((b) => b.status === 'fulfilled')) {
                    throw new Error(`a migration sent after a failed one committed (its guard did not stop it)`, {
                        cause: error,
                    });
                }
                const job = jobs[head.index];
                const failures = (lockFailures.get(head.index) ?? 0) + 1;
                if (isPgError(error) && error.code === '55P03' && failures <= s.lockRetries) {
                    lockFailures.set(head.index, failures);
                    const delay = (0,src/* backoffDelay */.EY)(failures, 500, 8_000);
                    logger.warning(`${scriptOf(job.item).path}: lock not available (55P03), retry ${failures} of ${s.lockRetries} in ${(0,src/* formatDuration */.a3)(delay)}`);
                    await (0,src/* sleep */.yy)(delay);
                    next = head.index;
                    lastAnswerAt = Date.now();
                    continue;
                }
                throw await locate(error, job, s, head.count.completed, done);
            }
        }
    }
    finally {
        counts.stop();
    }
}
/** The failure of a transactional migration, pinned to its file, line and statement. */
async function locate(error, job, s, completed, done) {
    const { item } = job;
    const { script, prefix, before } = transactionText(job, s);
    const index = completed - before;
    // Scripts are parsed lazily: locate the failed statement now.
    item.statements ??= await parseScript(script).catch(() => undefined);
    const statements = item.statements ?? [];
    const statement = index >= 0 && index < statements.length ? statements[index] : undefined;
    const raw = isPgError(error) && error.position ? Number(error.position) - prefix.length : undefined;
    const position = raw !== undefined && raw > 0 && raw <= script.sql.length ? raw : undefined;
    return failure(error, script, statement, position, done, `${item.action === 'revert' ? 'Reverting' : 'Migration'} ${label(item.file)}`);
}
/** Drops the INVALID index a failed CREATE INDEX CONCURRENTLY left, so the statement can build it again. */
async function dropInvalidIndex(client, statement, logger, path) {
    const index = statement.concurrentIndex;
    if (!index)
        return;
    const name = index.schema ? `${ident(index.schema)}.${ident(index.name)}` : ident(index.name);
    const { rows } = await client.query(`SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = to_regclass(${literal(name)})`);
    if (rows.length > 0 && rows[0].indisvalid === false) {
        logger.warning(`${path}:${statement.line}: index ${index.name} is INVALID (left by a failed build); dropping and rebuilding it`, {
            file: path,
            line: statement.line,
        });
        await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    }
}
/**
 * Runs a non-transactional script one statement per query (a multi-statement query is an
 * implicit transaction), recording progress after each so a re-run resumes after the last
 * finished statement.
 */
async function runStatements(client, t, item, s, done, logger, progress) {
    const script = scriptOf(item);
    const statements = item.statements ?? [];
    await client.query(settingStatements(s, false).join(';\n'));
    try {
        for (let i = item.resumeFrom; i < statements.length; i++) {
            const statement = statements[i];
            const concurrent = statement.nonTransactional?.includes('CONCURRENTLY') ?? false;
            // Concurrent builds wait for every older transaction: lock_timeout would cancel them.
            if (concurrent)
                await client.query(`SET lock_timeout = 0`);
            await dropInvalidIndex(client, statement, logger, script.path);
            const started = Date.now();
            for (let attempt = 1;; attempt++) {
                try {
                    await client.query(statement.text);
                    break;
                }
                catch (error) {
                    if (isPgError(error) && error.code === '55P03' && attempt <= s.lockRetries) {
                        const delay = (0,src/* backoffDelay */.EY)(attempt, 500, 8_000);
                        logger.warning(`${script.path}:${statement.line}: lock not available, retry ${attempt} of ${s.lockRetries}`);
                        await (0,src/* sleep */.yy)(delay);
                        continue;
                    }
                    const raw = isPgError(error) && error.position ? Number(error.position) : undefined;
                    const absolute = raw === undefined ? undefined : statement.offset + raw;
                    throw failure(error, script, statement, absolute, done, `${item.action === 'revert' ? 'Reverting' : 'Migration'} ${label(item.file)} (statement ${i + 1} of ${statements.length}, not in a transaction)`);
                }
            }
            if (concurrent)
                await client.query(`SET lock_timeout = ${msSetting(s.lockTimeoutMs)}`);
            if (progress)
                await client.query(updateProgress(t, item.file.version, i + 1, i + 1 === statements.length, Date.now() - started));
        }
    }
    finally {
        await client.query('RESET lock_timeout; RESET statement_timeout').catch(() => undefined);
    }
}

;// CONCATENATED MODULE: ./packages/migrate/src/backup.ts



/**
 * libpq environment for a URL: the password travels in PGPASSWORD, never in argv.
 * Query parameters such as sslmode map to their PG* variables.
 */
function libpqEnv(url) {
    const u = new URL(url);
    const env = {};
    if (u.hostname)
        env.PGHOST = u.hostname.replace(/^\[|\]$/g, '');
    if (u.port)
        env.PGPORT = u.port;
    if (u.username)
        env.PGUSER = decodeURIComponent(u.username);
    if (u.password)
        env.PGPASSWORD = decodeURIComponent(u.password);
    const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
    if (database)
        env.PGDATABASE = database;
    const params = {
        sslmode: 'PGSSLMODE',
        sslrootcert: 'PGSSLROOTCERT',
        sslcert: 'PGSSLCERT',
        sslkey: 'PGSSLKEY',
        connect_timeout: 'PGCONNECT_TIMEOUT',
    };
    for (const [param, variable] of Object.entries(params)) {
        const value = u.searchParams.get(param);
        if (value)
            env[variable] = value;
    }
    return env;
}
/** `pg_dump --format=custom` of the database to `path`, before anything changes. */
async function runBackup(url, path, serverVersionNum, logger) {
    (0,external_node_fs_.mkdirSync)((0,external_node_path_.dirname)(path), { recursive: true });
    const env = { ...process.env, ...libpqEnv(url) };
    delete env.PGSERVICE;
    const result = await (0,src/* runProcess */.R3)('pg_dump', ['--format=custom', '--no-password', `--file=${path}`], {
        env,
        timeoutMs: 30 * 60_000,
    });
    if (result.code !== 0) {
        const server = Math.floor(serverVersionNum / 10_000);
        const mismatch = /server version mismatch/i.test(result.stderr)
            ? `\nThe server runs PostgreSQL ${server}: install pg_dump ${server} or newer (e.g. the postgresql-client-${server} package).`
            : '';
        throw new src/* UserError */.yo(`Backup with pg_dump failed (exit ${result.code}); nothing was migrated: ${result.stderr.trim().slice(0, 500)}${mismatch}`);
    }
    logger.info(`Backup written to ${path} (${(0,src/* formatDuration */.a3)(result.durationMs)})`);
}

// EXTERNAL MODULE: external "node:module"
var external_node_module_ = __webpack_require__(8995);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
;// CONCATENATED MODULE: ./packages/migrate/src/lint.ts





/** The squawk release whose binary is downloaded when none is installed. */
const SQUAWK_VERSION = '2.66.0';
/** Where release binaries live; `SQUAWK_DOWNLOAD_BASE_URL` overrides it (tests serve a local copy). */
const SQUAWK_DOWNLOAD_BASE_URL = 'https://github.com/sbdchd/squawk/releases/download';
function onPath(name) {
    for (const dir of (process.env.PATH ?? '').split(external_node_path_.delimiter)) {
        const candidate = (0,external_node_path_.join)(dir, name);
        if (dir && (0,external_node_fs_.existsSync)(candidate))
            return candidate;
    }
    return undefined;
}
/** squawk from SQUAWK_PATH, PATH, the squawk-cli npm package, or a downloaded release (cached by the runner). */
async function findSquawk() {
    const explicit = process.env.SQUAWK_PATH;
    if (explicit && (0,external_node_fs_.existsSync)(explicit))
        return explicit;
    const found = onPath('squawk');
    if (found)
        return found;
    try {
        const require = (0,external_node_module_.createRequire)(import.meta.url);
        return require.resolve(`@squawk-cli/${process.platform}-${process.arch}/bin/squawk`);
    }
    catch {
        // Not installed next to us (the bundled action): fetch the release binary.
    }
    const tc = await Promise.all(/* import() */[__webpack_require__.e(58), __webpack_require__.e(805)]).then(__webpack_require__.bind(__webpack_require__, 9805));
    const cached = tc.find('squawk', SQUAWK_VERSION);
    if (cached)
        return (0,external_node_path_.join)(cached, 'squawk');
    const asset = `squawk-${process.platform}-${process.arch}`;
    const base = process.env.SQUAWK_DOWNLOAD_BASE_URL || SQUAWK_DOWNLOAD_BASE_URL;
    const downloaded = await tc.downloadTool(`${base}/v${SQUAWK_VERSION}/${asset}`);
    const dir = await tc.cacheFile(downloaded, 'squawk', 'squawk', SQUAWK_VERSION);
    const path = (0,external_node_path_.join)(dir, 'squawk');
    const { chmodSync } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 3024, 23));
    chmodSync(path, 0o755);
    return path;
}
/**
 * Lints the scripts a run will execute with squawk (`--pg-version` from the server). Each
 * script is written to a scratch file padded with blank lines, so squawk's line numbers are
 * the migration file's even for a `-- migrate:up` section. Timeout rules are dropped when
 * pg-migrate sets that timeout itself.
 */
async function lint(scripts, options) {
    if (scripts.length === 0)
        return [];
    let squawk;
    try {
        squawk = await findSquawk();
    }
    catch (error) {
        options.logger.warning(`Lint skipped: squawk is not available (${(0,src/* errorMessage */.gJ)(error)})`);
        return [];
    }
    const scratch = (0,external_node_fs_.mkdtempSync)((0,external_node_path_.join)((0,external_node_os_.tmpdir)(), 'pg-migrate-lint-'));
    try {
        const exclude = [];
        if (options.lockTimeoutMs > 0)
            exclude.push('require-lock-timeout');
        if (options.statementTimeoutMs > 0)
            exclude.push('require-statement-timeout');
        const major = Math.floor(options.serverVersionNum / 10_000);
        const minor = options.serverVersionNum % 100;
        const findings = [];
        for (const inTransaction of [true, false]) {
            const group = scripts.filter((s) => s.noTransaction !== inTransaction);
            if (group.length === 0)
                continue;
            const byScratch = new Map();
            group.forEach((s, i) => {
                const file = (0,external_node_path_.join)(scratch, `${inTransaction ? 't' : 'n'}${i}.sql`);
                (0,external_node_fs_.writeFileSync)(file, `${'\n'.repeat(s.firstLine - 1)}${s.sql}`);
                byScratch.set(file, s);
            });
            const args = ['--reporter', 'json', `--pg-version=${major}.${minor}`, ...byScratch.keys()];
            if (inTransaction)
                args.unshift('--assume-in-transaction');
            if (exclude.length > 0)
                args.unshift(`--exclude=${exclude.join(',')}`);
            const result = await (0,src/* runProcess */.R3)(squawk, args, { timeoutMs: 120_000 });
            let parsed;
            try {
                parsed = JSON.parse(result.stdout.trim() || '[]');
            }
            catch {
                options.logger.warning(`Lint skipped: squawk exited ${result.code} without a report: ${result.stderr.slice(0, 300)}`);
                return findings;
            }
            for (const f of parsed) {
                const script = byScratch.get(f.file) ?? [...byScratch.entries()].find(([k]) => k.endsWith(f.file))?.[1];
                if (!script)
                    continue;
                findings.push({
                    file: script.path,
                    line: f.line + 1,
                    rule: f.rule_name,
                    level: f.level.toLowerCase() === 'error' ? 'error' : 'warning',
                    message: f.help ? `${f.message} ${f.help}` : f.message,
                });
            }
        }
        return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    }
    finally {
        (0,external_node_fs_.rmSync)(scratch, { recursive: true, force: true });
    }
}

;// CONCATENATED MODULE: ./packages/migrate/src/lock.ts


/**
 * The advisory-lock key, computed by the server from (database, schema, table), so every
 * runner migrating the same tracking table agrees on it whatever URL spelling it used.
 * `part` separates the run lock from the work-connection lock.
 */
function lockKey(t, part) {
    const name = literal(`/${t.schema}/${t.table}/${part}`);
    return `('x' || left(md5(current_database() || ${name}), 16))::bit(64)::bigint`;
}
/** Who holds the advisory lock `key`, from pg_locks and pg_stat_activity. */
async function lockHolders(client, key) {
    const { rows } = await client.query(`SELECT a.pid, a.application_name, a.usename, host(a.client_addr) AS client,
    a.backend_start, a.state, left(coalesce(a.query, ''), 200) AS query
  FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
  WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND ((l.classid::bigint << 32) | l.objid::bigint) = ${key}`);
    return rows.map((r) => ({
        pid: Number(r.pid),
        applicationName: String(r.application_name ?? ''),
        user: String(r.usename ?? ''),
        client: r.client ?? null,
        backendStart: r.backend_start ?? null,
        state: r.state ?? null,
        query: String(r.query ?? ''),
    }));
}
function describeHolder(h) {
    const parts = [`pid ${h.pid}`];
    if (h.applicationName)
        parts.push(`application "${h.applicationName}"`);
    if (h.user)
        parts.push(`user ${h.user}`);
    if (h.client)
        parts.push(`from ${h.client}`);
    if (h.backendStart)
        parts.push(`connected since ${h.backendStart.toISOString()}`);
    if (h.state)
        parts.push(`state ${h.state}`);
    if (h.query)
        parts.push(`last query: ${h.query.replace(/\s+/g, ' ').slice(0, 120)}`);
    return parts.join(', ');
}
/**
 * Takes session advisory lock `key` on `client` by polling `pg_try_advisory_lock` with
 * backoff until the deadline. A blocking `pg_advisory_lock` behind a client timer would
 * keep waiting on the server after the client gave up.
 */
async function acquire(client, key, options) {
    for (let attempt = 1;; attempt++) {
        const { rows } = await client.query(`SELECT pg_try_advisory_lock(${key}) AS ok`);
        if (rows[0].ok)
            return;
        if (attempt === 1 && options.onWait)
            options.onWait(await lockHolders(client, key));
        const delay = (0,src/* backoffDelay */.EY)(attempt, 50, 1_000);
        if (Date.now() + delay >= options.deadline) {
            const holders = await lockHolders(client, key);
            const who = holders.length > 0 ? holders.map(describeHolder).join('; ') : 'a session that has just ended';
            throw new src/* UserError */.yo(`Timed out after ${(0,src/* formatDuration */.a3)(options.waitMs)} waiting for ${options.what}: held by ${who}`, {
                hint: 'Another migration is running. Wait for it, raise `lock-wait`, or end the stuck session with pg_terminate_backend(<pid>).',
            });
        }
        await (0,src/* sleep */.yy)(delay);
    }
}
async function release(client, key) {
    await client.query(`SELECT pg_advisory_unlock(${key})`);
}

;// CONCATENATED MODULE: ./packages/migrate/src/plan.ts

const key = (version) => BigInt(version).toString();
const plan_label = (f) => (f.name ? `${f.version}_${f.name}` : f.version);
function highest(rows) {
    let best;
    let bestOrder = 0n;
    for (const row of rows) {
        if (!row.finished)
            continue;
        const order = BigInt(row.version);
        if (!best || order > bestOrder) {
            best = row;
            bestOrder = order;
        }
    }
    return best?.version;
}
/**
 * Decides what a run does and runs every check that does not need the SQL parsed:
 * drift of applied files, out-of-order pending files, missing files, down files.
 * All problems are reported together, before anything is applied.
 */
function buildPlan(files, rows, options) {
    const problems = [];
    const warnings = [];
    const byVersion = new Map(rows.map((r) => [key(r.version), r]));
    const fileKeys = files.map((f) => f.order.toString());
    const onDisk = new Set(fileKeys);
    // The tracking row of each file (by position), looked up once.
    const rowOf = fileKeys.map((k) => byVersion.get(k));
    const currentVersion = highest(rows);
    const drifted = files.filter((f, i) => {
        const row = rowOf[i];
        return row?.finished && row.checksum !== f.checksum;
    });
    if (drifted.length > 0) {
        const list = drifted.map((f) => f.up.path).join(', ');
        const message = `Applied migration${drifted.length > 1 ? 's were' : ' was'} edited since ${drifted.length > 1 ? 'they were' : 'it was'} applied (checksum differs): ${list}`;
        if (options.allowDrift)
            warnings.push(message);
        else
            problems.push(`${message}. Restore the applied SQL and put the change in a new migration, or set \`allow-drift: true\`.`);
    }
    for (const [i, f] of files.entries()) {
        const row = rowOf[i];
        if (row && !row.finished && row.checksum !== f.checksum) {
            problems.push(`${f.up.path} was edited while part-way applied (${row.statementsDone} of ${row.statementsTotal} statements done); restore it so the run can resume, then change things in a new migration.`);
        }
    }
    const missing = rows.filter((r) => !onDisk.has(key(r.version)));
    if (missing.length > 0) {
        warnings.push(`Applied migration${missing.length > 1 ? 's' : ''} not found on disk: ${missing.map(plan_label).join(', ')} (recorded in the tracking table, no file in the migrations folder).`);
    }
    if (options.target !== undefined && !/^\d+$/.test(options.target)) {
        problems.push(`target must be a version number (the leading digits of a migration), got "${options.target}"`);
    }
    const target = options.target !== undefined && /^\d+$/.test(options.target) ? BigInt(options.target) : undefined;
    let items = [];
    let notInRun = 0;
    if (options.direction === 'up') {
        const pending = [];
        for (const [i, f] of files.entries()) {
            const row = rowOf[i];
            if (!row)
                pending.push({ file: f, action: 'apply', resumeFrom: 0 });
            else if (!row.finished)
                pending.push({ file: f, action: 'resume', resumeFrom: row.statementsDone ?? 0 });
        }
        if (target !== undefined && !onDisk.has(target.toString()) && !byVersion.has(target.toString())) {
            problems.push(`target ${options.target} is not a migration in the folder`);
        }
        items = target === undefined ? pending : pending.filter((p) => p.file.order <= target);
        notInRun = pending.length - items.length;
        const newest = currentVersion === undefined ? undefined : BigInt(currentVersion);
        const late = newest === undefined ? [] : items.filter((p) => p.action === 'apply' && p.file.order < newest);
        if (late.length > 0) {
            const message = `Pending migration${late.length > 1 ? 's are' : ' is'} older than the newest applied one (${currentVersion}): ${late.map((p) => p.file.up.path).join(', ')}`;
            if (options.allowOutOfOrder)
                warnings.push(`${message}; applying out of order as allowed.`);
            else
                problems.push(`${message}. This usually comes from merging parallel branches: renumber the file after ${currentVersion}, or set \`allow-out-of-order: true\`.`);
        }
    }
    else {
        if (options.target !== undefined && options.steps !== undefined) {
            problems.push('Give either `target` or `steps` for a down migration, not both');
        }
        const applied = rows.filter((r) => r.finished).sort((a, b) => (BigInt(b.version) > BigInt(a.version) ? 1 : -1));
        const chosen = target !== undefined ? applied.filter((r) => BigInt(r.version) > target) : applied.slice(0, options.steps ?? 1);
        const unfinished = rows.filter((r) => !r.finished && (target === undefined || BigInt(r.version) > target));
        if (unfinished.length > 0) {
            problems.push(`Cannot revert while ${unfinished.map(plan_label).join(', ')} ${unfinished.length > 1 ? 'are' : 'is'} part-way applied; run up first to finish ${unfinished.length > 1 ? 'them' : 'it'}.`);
        }
        const filesByVersion = new Map(files.map((f) => [key(f.version), f]));
        const noFile = chosen.filter((r) => !filesByVersion.has(key(r.version)));
        const noDown = chosen.filter((r) => filesByVersion.get(key(r.version)) && !filesByVersion.get(key(r.version))?.down);
        if (noFile.length > 0)
            problems.push(`Cannot revert ${noFile.map(plan_label).join(', ')}: no migration file on disk`);
        if (noDown.length > 0) {
            problems.push(`Cannot revert ${noDown.map((r) => filesByVersion.get(key(r.version))?.up.path).join(', ')}: no down migration (add a .down.sql file, a \`-- migrate:down\` section or down.sql)`);
        }
        items = chosen
            .map((r) => filesByVersion.get(key(r.version)))
            .filter((f) => f !== undefined)
            .map((file) => ({ file, action: 'revert', resumeFrom: 0 }));
    }
    if (problems.length > 0) {
        throw new src/* UserError */.yo(problems.length === 1
            ? problems[0]
            : `${problems.length} problems, nothing was changed:\n- ${problems.join('\n- ')}`);
    }
    return { items, warnings, currentVersion, notInRun };
}

;// CONCATENATED MODULE: ./packages/migrate/src/render.ts

const PLAN_MARKER = '<!-- pg-migrate-plan -->';
/**
 * The plan as Markdown: pending (or to-revert) migrations with transaction mode and
 * statement counts, then lint findings. Starts with a hidden marker so a PR comment
 * can be found and updated instead of posted again.
 */
function renderPlan(args) {
    const { plan, findings } = args;
    const verb = args.direction === 'up' ? 'apply' : 'revert';
    const lines = [PLAN_MARKER, `### pg-migrate plan for ${(0,src/* escapeMarkdown */.FV)(args.database)}`, ''];
    if (plan.items.length === 0) {
        lines.push(args.direction === 'up' ? 'Nothing to apply: the database is up to date.' : 'Nothing to revert.');
    }
    else {
        lines.push(`${plan.items.length} migration${plan.items.length > 1 ? 's' : ''} to ${verb}${args.dryRun ? ' (dry run: nothing was changed)' : ''}, current version ${plan.currentVersion ?? 'none'}.`, '', '| Version | Name | Transaction | Statements | File |', '| --- | --- | --- | --- | --- |');
        for (const item of plan.items) {
            const script = item.action === 'revert' ? item.file.down : item.file.up;
            const count = item.statements?.length;
            const statements = count === undefined
                ? ''
                : item.action === 'resume'
                    ? `${count} (resume after ${item.resumeFrom})`
                    : String(count);
            lines.push(`| ${(0,src/* escapeCell */.kq)(item.file.version)} | ${(0,src/* escapeCell */.kq)(item.file.name)} | ${script.noTransaction ? 'none (statement by statement)' : 'one per migration'} | ${statements} | \`${(0,src/* escapeCell */.kq)(script.path)}\` |`);
        }
    }
    if (plan.notInRun > 0)
        lines.push('', `${plan.notInRun} more pending after the target (not in this run).`);
    if (plan.warnings.length > 0)
        lines.push('', '**Warnings**', '', ...plan.warnings.map((w) => `- ${(0,src/* escapeMarkdown */.FV)(w)}`));
    if (findings.length > 0) {
        lines.push('', `**Lint (squawk): ${findings.length} finding${findings.length > 1 ? 's' : ''}**`, '');
        lines.push('| File | Line | Rule | Message |', '| --- | --- | --- | --- |');
        for (const f of findings) {
            lines.push(`| \`${(0,src/* escapeCell */.kq)(f.file)}\` | ${f.line} | ${(0,src/* escapeCell */.kq)(f.rule)} | ${(0,src/* escapeCell */.kq)(f.message)} |`);
        }
    }
    return `${lines.join('\n')}\n`;
}

;// CONCATENATED MODULE: ./packages/migrate/src/migrate.ts













/** The password inside a URL is a secret on its own too (URLs get rewritten, e.g. for a tunnel). */
function registerUrlPassword(url) {
    try {
        const password = new URL(url).password;
        if (password)
            (0,src/* registerSecret */.cl)(decodeURIComponent(password));
    }
    catch {
        // Not a URL: the connection attempt reports it.
    }
}
const silent = { info: () => undefined, warning: () => undefined };
const migrate_label = (f) => (f.name ? `${f.version}_${f.name}` : f.version);
function highestVersion(rows, fallback) {
    let best;
    let text = fallback;
    for (const [version, row] of rows) {
        if (row !== true && !row.finished)
            continue;
        const n = BigInt(version);
        if (best === undefined || n > best) {
            best = n;
            text = row === true ? version : row.version;
        }
    }
    return best === undefined ? undefined : text;
}
/**
 * Applies (up) or reverts (down) migrations. Checks everything before changing anything;
 * takes a session advisory lock on its own connection while it changes the database.
 * A run with nothing to do opens one connection and sends one query.
 */
async function migrate(options) {
    const logger = options.logger ?? silent;
    const direction = options.direction ?? 'up';
    const root = options.root ?? process.cwd();
    const t = tracking(options.schema ?? 'public', options.table ?? 'schema_migrations');
    const settings = {
        lockTimeoutMs: options.lockTimeoutMs ?? 5_000,
        statementTimeoutMs: options.statementTimeoutMs ?? 0,
        lockRetries: options.lockRetries ?? 3,
    };
    const lockWaitMs = options.lockWaitMs ?? 120_000;
    const appliedBy = options.appliedBy ?? 'pg-migrate';
    const planOptions = {
        direction,
        target: options.target,
        steps: options.steps,
        allowDrift: options.allowDrift ?? false,
        allowOutOfOrder: options.allowOutOfOrder ?? false,
    };
    registerUrlPassword(options.databaseUrl);
    const pooler = poolerReason(options.databaseUrl);
    if (pooler && !options.allowPooler) {
        throw new src/* UserError */.yo(`database-url points at a connection pooler: ${pooler}. Session advisory locks do not hold behind a pooler.`, {
            hint: 'Use the direct (unpooled) database URL for migrations, or set `allow-pooler: true` if the pooler runs in session mode.',
        });
    }
    // The connection opens while the files are read: its handshake is mostly waiting for the
    // server. A problem in the files abandons it.
    const applicationName = `pg-migrate ${appliedBy}`;
    const abandon = new AbortController();
    const connecting = connect({
        url: options.databaseUrl,
        applicationName,
        deadline: Date.now() + 60_000,
        signal: abandon.signal,
        pipeline: true,
    });
    // The state is read as soon as the connection is up, while the last files may still be read.
    const readingState = connecting.then((client) => readState(client, t));
    // Both are awaited below; until then a rejection is not an unhandled one.
    connecting.catch(() => undefined);
    readingState.catch(() => undefined);
    let files;
    try {
        files = await readMigrationsInSlices((0,external_node_path_.resolve)(root, options.dir), root);
    }
    catch (error) {
        abandon.abort();
        await db_close(await connecting.catch(() => undefined));
        throw error;
    }
    const work = await connecting;
    let lockClient;
    let lockConnecting;
    const runKey = lockKey(t, 'run');
    const workKey = lockKey(t, 'work');
    const done = [];
    try {
        let state = await readingState;
        let plan = buildPlan(files, state.rows ?? [], planOptions);
        const previousVersion = plan.currentVersion;
        const finished = new Set((state.rows ?? []).filter((r) => r.finished).map((r) => BigInt(r.version).toString()));
        const result = (p, findings, extra) => ({
            direction,
            dryRun: options.dryRun ?? false,
            done,
            plan: p.items,
            pendingCount: files.filter((f) => !finished.has(BigInt(f.version).toString())).length,
            previousVersion,
            currentVersion: p.currentVersion,
            planMarkdown: renderPlan({
                direction,
                database: state.database,
                plan: p,
                findings,
                dryRun: options.dryRun ?? false,
            }),
            lintFindings: findings,
            warnings: p.warnings,
            serverVersionNum: state.versionNum,
            database: state.database,
            ...extra,
        });
        for (const w of plan.warnings)
            logger.warning(w);
        if (plan.items.length === 0) {
            logger.info(direction === 'up' ? 'Nothing to migrate: the database is up to date.' : 'Nothing to revert.');
            return result(plan, [], {});
        }
        // The lock connection opens while the scripts are analysed and linted.
        if (!options.dryRun) {
            lockConnecting = connect({
                url: options.databaseUrl,
                applicationName: `${applicationName} (lock)`,
                deadline: Date.now() + 60_000,
            });
            lockConnecting.catch(() => undefined);
        }
        const problems = [];
        await analyse(plan.items, problems, options.dryRun ?? false);
        const findings = (options.lint ?? 'warn') === 'off'
            ? []
            : await lint(plan.items.map(scriptOf), {
                serverVersionNum: state.versionNum,
                lockTimeoutMs: settings.lockTimeoutMs,
                statementTimeoutMs: settings.statementTimeoutMs,
                root,
                logger,
            });
        for (const f of findings)
            logger.warning(`${f.rule}: ${f.message}`, { file: f.file, line: f.line });
        if (options.lint === 'error' && findings.length > 0) {
            problems.push(`squawk found ${findings.length} problem${findings.length > 1 ? 's' : ''} in pending migrations (lint: error); see the annotations`);
        }
        if (problems.length > 0) {
            throw new src/* UserError */.yo(problems.length === 1
                ? problems[0]
                : `${problems.length} problems, nothing was changed:\n- ${problems.join('\n- ')}`);
        }
        if (options.dryRun) {
            logger.info(`Dry run: ${plan.items.length} migration${plan.items.length > 1 ? 's' : ''} would ${direction === 'up' ? 'be applied' : 'be reverted'}.`);
            return result(plan, findings, {});
        }
        // Lock: the run lock on its own connection, then the work lock on the work connection, so
        // a killed runner's statement still executing on the server blocks the next run until it ends.
        const deadline = Date.now() + lockWaitMs;
        lockClient = await lockConnecting;
        const what = `the migration lock on ${t.schema}.${t.table}`;
        await acquire(lockClient, runKey, {
            deadline,
            waitMs: lockWaitMs,
            what,
            onWait: () => logger.info(`Waiting up to ${(0,src/* formatDuration */.a3)(lockWaitMs)} for another runner's migration lock...`),
        });
        await acquire(work, workKey, {
            deadline,
            waitMs: lockWaitMs,
            what: `the work lock of a previous run on ${t.schema}.${t.table}`,
        });
        // Another runner may have finished while we waited: decide again under the lock.
        state = await readState(work, t);
        const before = plan;
        plan = buildPlan(files, state.rows ?? [], planOptions);
        for (const item of plan.items)
            item.statements = before.items.find((b) => b.file === item.file && b.action === item.action)?.statements;
        await analyse(plan.items, problems, false);
        if (problems.length > 0)
            throw new src/* UserError */.yo(problems.join('\n'));
        if (plan.items.length === 0) {
            logger.info('Nothing to migrate: another runner applied everything while this one waited.');
            return result(plan, findings, {});
        }
        let backupPath;
        if (options.backupPath) {
            backupPath = (0,external_node_path_.resolve)(root, options.backupPath);
            await runBackup(options.databaseUrl, backupPath, state.versionNum, logger);
        }
        if (!state.rows)
            await ensureTable(work, t);
        const rowValues = (f) => ({
            version: f.version,
            name: f.name,
            checksum: f.checksum,
            appliedBy,
            appVersion: options.appVersion,
        });
        const versions = new Map();
        for (const row of state.rows ?? [])
            versions.set(BigInt(row.version).toString(), row);
        // Transactions commit without waiting for the WAL flush, except the last of the run, which
        // makes all of them durable (and a failure flushes before it is reported): one fsync wait per
        // run instead of one per migration. A crash in between loses whole migrations with their
        // tracking rows, which the next run applies again.
        let unflushed = false;
        const finish = (item, durationMs) => {
            const f = item.file;
            const script = scriptOf(item);
            if (item.action === 'revert')
                versions.delete(BigInt(f.version).toString());
            else
                versions.set(BigInt(f.version).toString(), true);
            done.push({
                version: f.version,
                name: f.name,
                path: script.path,
                noTransaction: script.noTransaction,
                durationMs,
            });
            logger.info(`${item.action === 'revert' ? 'Reverted' : 'Applied'} ${migrate_label(f)} (${(0,src/* formatDuration */.a3)(durationMs)})`);
        };
        const last = plan.items.length - 1;
        try {
            for (let index = 0; index <= last;) {
                const item = plan.items[index];
                const f = item.file;
                if (!scriptOf(item).noTransaction) {
                    // Consecutive transactional migrations go through one pipeline.
                    const jobs = [];
                    for (; index <= last && !scriptOf(plan.items[index]).noTransaction; index++) {
                        const it = plan.items[index];
                        const previous = jobs.at(-1)?.item;
                        jobs.push({
                            item: it,
                            bookkeeping: it.action === 'revert' ? deleteRow(t, it.file.version) : insertFinished(t, rowValues(it.file)),
                            durable: index === last,
                            guard: previous && guardAfter(t, previous.file.version, previous.action === 'revert' ? 'absent' : 'present'),
                        });
                    }
                    await runTransactions(work, jobs, settings, done, logger, (job, ms) => {
                        unflushed = !job.durable;
                        finish(job.item, ms);
                    });
                    continue;
                }
                const started = Date.now();
                if (item.action === 'revert') {
                    await runStatements(work, t, item, settings, done, logger, false);
                    await work.query(deleteRow(t, f.version));
                }
                else {
                    if (item.action === 'apply')
                        await work.query(upsertStarted(t, rowValues(f), item.statements?.length ?? 0));
                    else
                        logger.info(`Resuming ${migrate_label(f)} after statement ${item.resumeFrom} of ${item.statements?.length}`);
                    await runStatements(work, t, item, settings, done, logger, true);
                    // A script with no statements still has to be marked finished.
                    if ((item.statements?.length ?? 0) === 0)
                        await work.query(updateProgress(t, f.version, 0, true, 0));
                }
                unflushed = false; // autocommit statements and progress rows commit synchronously
                finish(item, Date.now() - started);
                index++;
            }
        }
        catch (error) {
            if (unflushed)
                await flushCommits(work).catch(() => undefined);
            throw error;
        }
        const currentVersion = highestVersion(versions);
        const fileVersion = files.find((f) => currentVersion !== undefined && BigInt(f.version) === BigInt(currentVersion));
        return result(plan, findings, {
            currentVersion: fileVersion?.version ?? currentVersion,
            pendingCount: files.filter((f) => {
                const row = versions.get(BigInt(f.version).toString());
                return row === undefined || (row !== true && !row.finished);
            }).length,
            backupPath,
        });
    }
    finally {
        if (lockClient)
            await release(lockClient, runKey).catch(() => undefined);
        await db_close(lockClient ?? (await lockConnecting?.catch(() => undefined)));
        await db_close(work);
    }
}

;// CONCATENATED MODULE: ./packages/migrate/src/report.ts

const report_label = (d) => (d.name ? `${d.version}_${d.name}` : d.version);
function doneTable(summary, done, verb) {
    summary.table([verb, 'Transaction', 'Time', 'File'], done.map((d) => [report_label(d), d.noTransaction ? 'none' : 'yes', formatDuration(d.durationMs), d.path]));
}
/** The job summary of a finished run: what changed, timings, the plan, the new current version. */
function resultSummary(result) {
    const summary = new Summary();
    const down = result.direction === 'down';
    const count = result.done.length;
    const title = result.dryRun
        ? `pg-migrate: dry run, ${result.plan.length} to ${down ? 'revert' : 'apply'}`
        : count === 0
            ? 'pg-migrate: nothing to do'
            : `pg-migrate: ${count} migration${count > 1 ? 's' : ''} ${down ? 'reverted' : 'applied'}`;
    summary.heading(title);
    summary.facts([
        ['Database', result.database],
        ['Version before', result.previousVersion ?? 'none'],
        ['Version now', result.currentVersion ?? 'none'],
        ['Pending', result.pendingCount],
        ['Total time', count > 0 ? formatDuration(result.done.reduce((n, d) => n + d.durationMs, 0)) : ''],
        ['Backup', result.backupPath],
    ]);
    doneTable(summary, result.done, down ? 'Reverted' : 'Applied');
    if (result.dryRun || result.lintFindings.length > 0 || result.warnings.length > 0)
        summary.text(result.planMarkdown);
    else if (result.plan.length > 0)
        summary.details('Plan', result.planMarkdown);
    return summary;
}
/** The job summary of a failed run: what stayed applied and what failed where. */
function failureSummary(error) {
    const summary = new Summary().heading('pg-migrate: a migration failed');
    summary.facts([
        ['Failed at', error.location.line ? `${error.location.file}:${error.location.line}` : error.location.file],
        ['SQLSTATE', error.sqlstate],
    ]);
    summary.code(error.message);
    if (error.done.length > 0) {
        summary.text('These migrations were applied before the failure and stay applied:');
        doneTable(summary, error.done, 'Applied');
    }
    else {
        summary.text('Nothing was applied by this run.');
    }
    return summary;
}

;// CONCATENATED MODULE: ./packages/migrate/src/index.ts







/***/ })

};
