import { type ChildProcess, spawn } from 'node:child_process';
import { log } from '@deploy-actions/toolkit';

/**
 * The parser in a Node process of its own, started with `--liftoff-only`.
 *
 * Why: under Node 24's default flags V8 tiers the parser's huge WebAssembly function up with
 * TurboFan after the first parse. One parse then costs about 2.0 s wall, 2.4 s CPU and 600 MB
 * RSS, nearly all after the parse is done, and the process cannot exit until that compile ends
 * (`process.exit` waits for it too). With `--liftoff-only` the same run takes 0.23 s and 74 MB,
 * but an action cannot choose the flags of the Node the runner starts, and setting the flag at
 * run time has no effect. So the parser runs in a child of the same Node (process.execPath).
 *
 * The child's program is text carried by the bundle (parser-child-source.ts plus the embedded
 * .wasm), sent on stdin: a file of the bundle is not standalone, and the program is far beyond
 * the 128 KiB a single argument may hold. Requests go over the IPC channel, those made in one
 * turn of the event loop as one message (a plan's files are classified all at once: one write
 * instead of a thousand); each is answered on its own, so the answers are handled between the
 * run's other work rather than in one long stretch. The child and the
 * channel hold the parent open only while a request is outstanding; the child ends on
 * 'disconnect', which it gets when the parent exits.
 */

/** The child's answer: the parse tree as JSON text, a syntax error, or a failure of the parser. */
export type ParseReply =
  | { tree: string }
  | { error: { message: string; cursorPosition: number } }
  | { failure: string };

type Waiter = (reply: ParseReply | undefined) => void;

let child: ChildProcess | undefined;
let starting: Promise<ChildProcess | undefined> | undefined;
/** Set once the child could not start or died: every later parse runs in this process. */
let unusable = false;
let nextId = 0;
const waiting = new Map<number, Waiter>();

/** Requests made in this turn of the event loop, sent together when it ends. */
let queued: { id: number; sql: string }[] = [];

/** Parses in the child; undefined when the child is unusable (the caller parses in process). */
export async function parseInChild(sql: string): Promise<ParseReply | undefined> {
  starting ??= start();
  const proc = await starting;
  if (unusable || !proc) return undefined;
  const id = nextId++;
  return new Promise<ParseReply | undefined>((resolve) => {
    waiting.set(id, resolve);
    if (waiting.size === 1) proc.channel?.ref();
    queued.push({ id, sql });
    if (queued.length === 1) setImmediate(() => sendQueued(proc));
  });
}

function sendQueued(proc: ChildProcess): void {
  const batch = queued;
  queued = [];
  if (unusable) return; // giveUp has answered them
  proc.send({ batch }, (error) => {
    if (error) giveUp(`could not take a request (${error.message})`);
  });
}

/** The child's process id, for tests; undefined before the first parse or after a failure. */
export function parserProcessId(): number | undefined {
  return child?.pid;
}

async function start(): Promise<ChildProcess | undefined> {
  try {
    const program = await childProgram();
    // No environment: the parser needs none, and the parent's may hold secrets.
    const proc = spawn(process.execPath, ['--liftoff-only', '--input-type=commonjs', '-'], {
      stdio: ['pipe', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
      env: {},
    });
    child = proc;
    proc.on('message', (message: { id: number } & ParseReply) => answer(message));
    proc.on('error', (error) => giveUp(`failed (${error.message})`));
    proc.on('exit', (code, signal) => giveUp(`ended (${signal ?? `exit code ${code}`})`));
    proc.on('disconnect', () => giveUp('closed its channel'));
    proc.stdin?.on('error', () => {}); // a child that dies early shows up as 'exit'
    proc.stdin?.end(program);
    proc.unref();
    proc.channel?.unref();
    return proc;
  } catch (error) {
    giveUp(`could not start (${(error as Error).message})`);
    return undefined;
  }
}

/** The Emscripten loader and request loop, after the .wasm they load (both embedded, loaded on first use). */
async function childProgram(): Promise<string> {
  const [{ PARSER_WASM_GZIP_BASE64 }, { PARSER_CHILD_SOURCE }] = await Promise.all([
    import('./parser-wasm'),
    import('./parser-child-source'),
  ]);
  return `const PARSER_WASM_GZIP_BASE64 = '${PARSER_WASM_GZIP_BASE64}';\n${PARSER_CHILD_SOURCE}`;
}

function answer({ id, ...reply }: { id: number } & ParseReply): void {
  const waiter = waiting.get(id);
  if (!waiter) return;
  waiting.delete(id);
  if (waiting.size === 0) child?.channel?.unref();
  waiter(reply);
}

/** Once: the parent parses in process from now on; requests in flight are parsed there too. */
function giveUp(reason: string): void {
  if (unusable) return;
  unusable = true;
  log.debug(`PostgreSQL parser process ${reason}; parsing in this process instead`);
  const proc = child;
  child = undefined;
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill();
  const waiters = [...waiting.values()];
  waiting.clear();
  for (const waiter of waiters) waiter(undefined);
}
