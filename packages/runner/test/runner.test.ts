import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findLeaks, parseCommandLine, parseFileCommands, runBundle, StepLog } from '../src/index';

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

  it('passes the machine’s TMPDIR through, as the runner inherits its own environment', async () => {
    expect(process.env.TMPDIR).toBeTruthy();
    const r = await run({});
    expect(r.stderr).toContain(`tmpdir ${process.env.TMPDIR}\n`);
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

describe('commands as actions/runner parses them', () => {
  it('trims leading white space (.NET TrimStart) before `::`, and ignores case in names', () => {
    expect(parseCommandLine('   \t::error::x')?.command).toBe('error');
    expect(parseCommandLine('\u00a0\u2003::WARNING title=a::x')).toEqual({
      command: 'WARNING',
      properties: { title: 'a' },
      message: 'x',
    });
    expect(parseCommandLine('text ::error::x')).toBeUndefined();
  });

  it('honours the legacy `##[cmd]` form anywhere in a line, with its own escapes', () => {
    expect(parseCommandLine('npm notice ##[warning file=a.ts;line=3]one%0Atwo%5D')).toEqual({
      command: 'warning',
      properties: { file: 'a.ts', line: '3' },
      message: 'one\ntwo]',
    });
    expect(parseCommandLine('##[\\start-action]x')).toBeUndefined();
  });

  it('takes only registered names as commands (anything else is plain output)', () => {
    expect(parseCommandLine('::mycommand::x')).toBeUndefined();
    expect(parseCommandLine('::1::')).toBeUndefined();
    expect(parseCommandLine('##[section]Starting')).toBeUndefined();
  });
});

describe('StepLog, the job log of one step', () => {
  it('masks an add-mask value (and its lines, and its encodings) from that line on, not before', () => {
    const stepLog = new StepLog();
    stepLog.feedText('early s3cr3t-value\n::add-mask::s3cr3t-value\nlate s3cr3t-value\n');
    stepLog.feed(`b64 ${Buffer.from('s3cr3t-value').toString('base64')}`);
    expect(stepLog.lines).toEqual(['early s3cr3t-value', 'late ***', 'b64 ***']);
  });

  it('pauses every command after stop-commands until its token, then resumes', () => {
    const stepLog = new StepLog();
    stepLog.feedText(
      [
        '::stop-commands::pause-token-1',
        '::error::ignored',
        '::add-mask::ignored too',
        '::pause-token-1::',
        '::warning::seen',
      ].join('\n'),
    );
    expect(stepLog.annotations).toEqual([{ level: 'warning', message: 'seen' }]);
    expect(stepLog.masks).toEqual(['pause-token-1']);
    expect(stepLog.lines).toEqual([
      '::stop-commands::***',
      '::error::ignored',
      '::add-mask::ignored too',
      '::***::',
      '##[warning]seen',
    ]);
  });

  it('refuses an empty or known stop token, and the disabled set-env', () => {
    const stepLog = new StepLog();
    stepLog.feedText('::stop-commands::error\n::set-env name=A::1\n::error::still processed\n');
    expect(stepLog.annotations.map((a) => a.message)).toContain('still processed');
    expect(stepLog.annotations.filter((a) => a.level === 'error')).toHaveLength(5);
  });

  it('reads a lone carriage return as a line end, as StreamReader.ReadLine does', () => {
    const stepLog = new StepLog();
    stepLog.feedText('progress 10%\r::error::after a carriage return');
    expect(stepLog.annotations).toEqual([{ level: 'error', message: 'after a carriage return' }]);
  });
});
