/**
 * Keeps `npm test` to results and real failures. Code under test speaks to the runner as an action
 * does: workflow commands (`::add-mask::`, `::debug::`, `::warning::`) on stdout, progress lines on
 * stdout and stderr. In a test process nothing reads that protocol, so each test's writes are held
 * and shown only when the test fails, as a job log would show them: every `::add-mask::` value
 * replaced by `***`, annotations as plain lines, the other commands left out. Fixture secrets are
 * never printed.
 * Tests that assert on stdout spy on `process.stdout.write` as before; their spies sit above this.
 */
import { afterEach, beforeEach } from 'vitest';

type Write = typeof process.stdout.write;

const held: string[] = [];
const realStderrWrite = process.stderr.write.bind(process.stderr) as Write;

function hold(stream: NodeJS.WriteStream): void {
  stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    held.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as Write;
}

/** Workflow commands in either syntax, after any leading whitespace, as the runner finds them. */
const COMMAND = /^\s*(?:::([a-z-]+)(?:\s[^:]*)?::(.*)|##\[([a-z-]+)(?:\s[^\]]*)?\](.*))$/i;

/** The held text as a job log shows it: masks applied, annotations as lines, other commands left out. */
export function asLog(text: string): string {
  const masks: string[] = [];
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const command = COMMAND.exec(line);
    if (command) {
      const name = (command[1] ?? command[3]).toLowerCase();
      const value = (command[2] ?? command[4]).replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%25/g, '%');
      if (name === 'add-mask' && value.trim() !== '') masks.push(value.trim());
      // Annotations and group titles show in a job log; masks, debug and the rest do not.
      if (['error', 'warning', 'notice'].includes(name))
        lines.push(`${name[0].toUpperCase()}${name.slice(1)}: ${value}`);
      if (name === 'group') lines.push(`> ${value}`);
      continue;
    }
    lines.push(line);
  }
  masks.sort((a, b) => b.length - a.length);
  return lines
    .map((line) => masks.reduce((out, mask) => out.split(mask).join('***'), line))
    .join('\n')
    .trim();
}

hold(process.stdout);
hold(process.stderr);

beforeEach(() => {
  held.length = 0;
});

afterEach((context) => {
  const output = held.join('');
  held.length = 0;
  if (context.task.result?.state !== 'fail') return;
  const log = asLog(output);
  if (log !== '')
    realStderrWrite(`\n--- what "${context.task.name}" printed (masked as in a job log) ---\n${log}\n---\n`);
});
