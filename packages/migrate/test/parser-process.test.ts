import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { parseInProcess, parseSql, SqlSyntaxError } from '../src/parser';
import { PARSER_CHILD_SOURCE } from '../src/parser-child-source';
import { parserProcessId } from '../src/parser-process';
import { CORPUS } from './classify/corpus';

const SYNTAX_ERRORS = ['SELECT frm WHERE', "SELECT 'é' FROM t WHERE ,", 'CREATE TABLE (id int)', 'ALTER TABLE t ADD'];

/** What parseSql gives for one input: the tree, or the syntax error's text and cursor. */
async function outcome(sql: string): Promise<unknown> {
  try {
    return { tree: await parseSql(sql) };
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    return { error: { message: error.message, cursorPosition: error.cursorPosition } };
  }
}

/** The same through the in-process parser. */
async function inProcess(sql: string): Promise<unknown> {
  const reply = await parseInProcess(sql);
  return 'tree' in reply ? { tree: JSON.parse(reply.tree) } : reply;
}

describe('the parser process', () => {
  afterEach(() => vi.restoreAllMocks());

  it('carries the installed libpg-query loader and the request loop (run scripts/embed-parser.ts after changing either)', () => {
    const require = createRequire(import.meta.url);
    expect(PARSER_CHILD_SOURCE).toContain(readFileSync(require.resolve('libpg-query/wasm/libpg-query.js'), 'utf8'));
    expect(PARSER_CHILD_SOURCE).toContain(
      readFileSync(new URL('../scripts/parser-child.cjs', import.meta.url), 'utf8'),
    );
  });

  it('parses in a child process, with the same trees and syntax errors as in process', async () => {
    const inputs = [...CORPUS.map((c) => c.sql), 'SELECT $$ é; $$; SELECT 2', '', ...SYNTAX_ERRORS];
    const viaChild = await Promise.all(inputs.map(outcome));
    const child = parserProcessId();
    expect(child).toBeGreaterThan(0);
    expect(child).not.toBe(process.pid);
    for (const [index, sql] of inputs.entries()) expect(viaChild[index], sql).toEqual(await inProcess(sql));
    expect(viaChild.filter((o) => 'error' in (o as object))).toHaveLength(SYNTAX_ERRORS.length);
  });

  it('never holds the parent open: a script that parses once ends, and its parser process after it', async () => {
    const script = new URL('./fixtures/parse-once.ts', import.meta.url).pathname;
    const proc = spawn(process.execPath, ['--import', 'tsx', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { PATH: process.env.PATH },
    });
    onTestFinished(() => {
      if (proc.exitCode === null) proc.kill();
    });
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const code = await new Promise((resolve) => proc.on('close', resolve));
    expect(code).toBe(0);
    const { child, handles } = JSON.parse(out) as { child: number; handles: string[] };
    expect(child).toBeGreaterThan(0);
    // Nothing of the parser process is left keeping the event loop alive once the parse is answered.
    expect(handles).not.toContain('Pipe');
    expect(handles).not.toContain('ChildProcess');
    // The child ends on 'disconnect' when its parent has gone.
    await vi.waitFor(() => expect(alive(child)).toBe(false), { timeout: 20_000, interval: 50 });
  });

  // Last: once the child is gone, this module parses in process for good.
  it('parses in process once the child has died, saying so only in a debug line', async () => {
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      writes.push(String(chunk));
      return true;
    });
    const child = parserProcessId();
    expect(child).toBeGreaterThan(0);
    process.kill(child as number, 'SIGKILL');
    await vi.waitFor(() => expect(writes.join('')).toContain('::debug::PostgreSQL parser process'));
    expect(parserProcessId()).toBeUndefined();
    expect(await outcome('SELECT frm WHERE')).toEqual(await inProcess('SELECT frm WHERE'));
    expect(await parseSql('SELECT 1')).toHaveProperty('stmts');
    expect(writes.filter((line) => line.startsWith('::debug::'))).toHaveLength(1);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
