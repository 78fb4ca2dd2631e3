import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine, parseFileCommands } from '@deploy-actions/runner';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { addMasks, annotate, exportVariable, issueCommand, setOutputs } from '../src/commands';

/** What the commands wrote to stdout during `fn`, one entry per write. */
function writesOf(fn: () => void): string[] {
  const writes: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    writes.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return writes;
}

const stdoutOf = (fn: () => void) => writesOf(fn).join('');

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the runner protocol, read back by the runner’s own parser', () => {
  it('escapes messages and properties so that nothing can end or forge a command', () => {
    const line = stdoutOf(() =>
      annotate('error', 'line 1\nline 2 100%\r::warning::forged', { file: 'a,b:c.sql', startLine: 3, title: 'T: x' }),
    ).trimEnd();
    expect(line.split('\n')).toHaveLength(1);
    expect(parseCommandLine(line)).toEqual({
      command: 'error',
      properties: { file: 'a,b:c.sql', line: '3', title: 'T: x' },
      message: 'line 1\nline 2 100%\r::warning::forged',
    });
    expect(stdoutOf(() => issueCommand('add-mask', {}, 's3cret'))).toBe('::add-mask::s3cret\n');
  });

  it('writes outputs and variables as heredocs that keep every line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'commands-'));
    vi.stubEnv('GITHUB_OUTPUT', join(dir, 'output'));
    vi.stubEnv('GITHUB_ENV', join(dir, 'env'));
    writeFileSync(join(dir, 'output'), '');
    writeFileSync(join(dir, 'env'), '');
    setOutputs([
      ['plan', 'line 1\nEOF\nline 3'],
      ['empty', ''],
    ]);
    exportVariable('DEPLOY_MARK', 'a=b');
    expect(parseFileCommands(readFileSync(join(dir, 'output'), 'utf8'))).toEqual({
      plan: 'line 1\nEOF\nline 3',
      empty: '',
    });
    expect(parseFileCommands(readFileSync(join(dir, 'env'), 'utf8'))).toEqual({ DEPLOY_MARK: 'a=b' });
    expect(process.env.DEPLOY_MARK).toBe('a=b');
    delete process.env.DEPLOY_MARK;
  });

  it('writes several outputs or masks with one write each, every command on its own line', () => {
    vi.stubEnv('GITHUB_OUTPUT', '');
    const outputs = writesOf(() =>
      setOutputs([
        ['applied', '0001,0002'],
        ['plan', 'line 1\nline 2'],
      ]),
    );
    expect(outputs).toHaveLength(1);
    expect(
      outputs[0]
        .trimEnd()
        .split('\n')
        .map((line) => parseCommandLine(line)),
    ).toEqual([
      { command: 'set-output', properties: { name: 'applied' }, message: '0001,0002' },
      { command: 'set-output', properties: { name: 'plan' }, message: 'line 1\nline 2' },
    ]);
    const masks = writesOf(() => addMasks(['s3cret', 'two\nlines']));
    expect(masks).toHaveLength(1);
    expect(
      masks[0]
        .trimEnd()
        .split('\n')
        .map((line) => parseCommandLine(line)?.message),
    ).toEqual(['s3cret', 'two\nlines']);
    expect(writesOf(() => addMasks([]))).toEqual([]);
  });
});
