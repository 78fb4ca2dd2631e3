import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ParseReply, parseInChild } from './parser-process';

/**
 * PostgreSQL's own parser: the WASM build of the `libpg-query` package, loaded on first use
 * (normally in a child process, see parser-process.ts).
 * The binary comes from parser-wasm.ts (embedded, see scripts/embed-parser.ts) because the
 * bundler corrupts a shipped .wasm asset; libpg-query's own entry would also start loading
 * its file from beside the calling script as soon as it is imported.
 */
interface WasmModule {
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, ptr: number, max: number): void;
  UTF8ToString(ptr: number): string;
  getValue(ptr: number, type: 'i32'): number;
  _malloc(size: number): number;
  _free(ptr: number): void;
  _wasm_parse_query_raw(ptr: number): number;
  _wasm_free_parse_result(ptr: number): void;
}

/** A syntax error, with the 0-based byte offset where the parser stopped. */
export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly cursorPosition: number,
  ) {
    super(message);
  }
}

/** Node's WebAssembly global (the DOM lib, which would type it, is not loaded). */
const wasmRuntime = (
  globalThis as unknown as {
    WebAssembly: { instantiate(bytes: Uint8Array, imports: unknown): Promise<{ instance: unknown }> };
  }
).WebAssembly;

let loading: Promise<WasmModule> | undefined;

function load(): Promise<WasmModule> {
  loading ??= (async () => {
    const { PARSER_WASM_GZIP_BASE64 } = await import('./parser-wasm');
    const bytes = process.getBuiltinModule('node:zlib').gunzipSync(Buffer.from(PARSER_WASM_GZIP_BASE64, 'base64'));
    // The Emscripten loader is CommonJS and reads the free variable `__dirname`, which an ESM
    // bundle lacks; `instantiateWasm` hands it the module, so the folder is never used.
    const scope = globalThis as { __dirname?: string };
    scope.__dirname ??= dirname(fileURLToPath(import.meta.url));
    const factory = (await import('libpg-query/wasm/libpg-query.js')).default;
    const module = await factory({
      instantiateWasm(imports, receive) {
        wasmRuntime.instantiate(bytes, imports).then((result) => receive(result.instance));
        return {};
      },
    });
    return module as WasmModule;
  })();
  return loading;
}

/**
 * Parses SQL into PostgreSQL's parse tree (JSON form). Throws SqlSyntaxError on a syntax error.
 * The parse runs in a `--liftoff-only` child process (parser-process.ts explains why: about 2 s
 * and 600 MB saved per run); in this process only when that child cannot start or has died.
 */
export async function parseSql(sql: string): Promise<{ stmts?: unknown[] }> {
  // Splitting a file and classifying it parse the same text one after the other: one request.
  if (last?.sql !== sql) last = { sql, reply: parseOnce(sql) };
  const reply = await last.reply;
  if ('error' in reply) throw new SqlSyntaxError(reply.error.message, reply.error.cursorPosition);
  if ('failure' in reply) throw new Error(reply.failure);
  return JSON.parse(reply.tree);
}

let last: { sql: string; reply: Promise<ParseReply> } | undefined;

async function parseOnce(sql: string): Promise<ParseReply> {
  return (await parseInChild(sql)) ?? (await parseInProcess(sql));
}

/** The parse in this process. Keep it in step with parse() in scripts/parser-child.cjs. */
export async function parseInProcess(sql: string): Promise<ParseReply> {
  const wasm = await load();
  const size = wasm.lengthBytesUTF8(sql) + 1;
  const input = wasm._malloc(size);
  let result = 0;
  try {
    wasm.stringToUTF8(sql, input, size);
    result = wasm._wasm_parse_query_raw(input);
    if (!result) return { failure: 'PostgreSQL parser: out of memory' };
    // PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error; }
    const tree = wasm.getValue(result, 'i32');
    const error = wasm.getValue(result + 8, 'i32');
    if (error) {
      // PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos; }
      const messagePtr = wasm.getValue(error, 'i32');
      const cursor = wasm.getValue(error + 16, 'i32');
      const message = messagePtr ? wasm.UTF8ToString(messagePtr) : 'syntax error';
      return { error: { message, cursorPosition: cursor > 0 ? cursor - 1 : 0 } };
    }
    return { tree: tree ? wasm.UTF8ToString(tree) : '{}' };
  } finally {
    wasm._free(input);
    if (result) wasm._wasm_free_parse_result(result);
  }
}
