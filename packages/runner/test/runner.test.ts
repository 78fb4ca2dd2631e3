import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLeaks, parseCommandLine, parseFileCommands, runBundle } from '../src/index';

const fixture = (file: string) => join(import.meta.dirname, 'fixtures', file);
const run = (options: Parameters<typeof runBundle>[1]) =>
  runBundle('fixture', { bundlePath: fixture('index.mjs'), actionYmlPath: fixture('action.yml'), ...options });

describe('workflow commands', () => {
  it('parses properties and unescapes data', () => {
    expect(parseCommandLine('::error file=src/a.ts,line=12,title=Bad%2C really::one%0Atwo %25')).toEqual({
      command: 'error',
      properties: { file: 'src/a.ts', line: '12', title: 'Bad, really' },
      message: 'one\ntwo %',
    });
    expect(parseCommandLine('plain text')).toBeUndefined();
  });

  it('parses heredoc and plain file commands, and rejects an unterminated heredoc', () => {
    expect(parseFileCommands('a=1\nb<<X\nline 1\nline 2\nX\nc=x=y\n')).toEqual({
      a: '1',
      b: 'line 1\nline 2',
      c: 'x=y',
    });
    expect(() => parseFileCommands('b<<X\nnever closed\n')).toThrow(/Matching delimiter not found/);
  });
});

describe('runBundle', () => {
  it('runs under Node 24 with defaults, files, context and masking', async () => {
    const r = await run({ inputs: { secret: 's3cr3t-value' }, eventName: 'pull_request', event: { number: 7 } });
    expect(r.exitCode).toBe(0);
    expect(r.log).toContain('hello from v24.');
    expect(r.log).toContain('(***)');
    expect(r.log).not.toContain('s3cr3t-value');
    expect(r.masks).toEqual(['s3cr3t-value']);
    expect(r.outputs).toEqual({ said: 'hello\nworld' });
    expect(r.env).toEqual({ DEPLOYED: 'yes' });
    expect(r.path).toEqual(['/opt/tool/bin']);
    expect(r.state).toEqual({ started: '1' });
    expect(r.summary).toBe('# Done\n');
    expect(r.annotations).toEqual([
      { level: 'warning', message: 'two\nlines', file: 'a.ts', line: 3, title: 'Careful: here' },
    ]);
    expect(r.stderr).toContain('event pull_request {"number":7}');
  });

  it('finds a secret printed in the clear, and nothing in a masked-only run', async () => {
    const r = await run({ inputs: { secret: 's3cr3t-value' } });
    expect(findLeaks(r, ['s3cr3t-value'])).toEqual(['secret #0 appears in stdout']);
    expect(findLeaks(r, ['another-secret'])).toEqual([]);
  });

  it('reports the exit code, and kills a bundle that outlives its timeout', async () => {
    expect((await run({ inputs: { greeting: 'fail' }, node: 'current' })).exitCode).toBe(3);
    const hung = await run({ inputs: { greeting: 'hang' }, timeoutMs: 500 });
    expect(hung.timedOut).toBe(true);
    expect(hung.signal).toBe('SIGKILL');
  });
});
