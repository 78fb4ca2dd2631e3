import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StepLog } from '@deploy-actions/runner';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { log } from '../src/log';
import { logLines, neutralizeLine } from '../src/log-lines';

/** What `fn` wrote to stdout, read back by the runner harness's job log. */
function jobLogOf(fn: () => void): StepLog {
  let written = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written += String(chunk);
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  const stepLog = new StepLog();
  stepLog.feedText(written);
  return stepLog;
}

afterEach(() => vi.restoreAllMocks());

/** Lines seen in the wild: Docker build output, an app's version field, a deployment payload, an input. */
const ATTACKS = [
  ' ::add-mask::Updating',
  ' ::error title=Build::Re-authenticate at https://evil.example',
  'npm notice ##[warning]legacy form mid-line',
  '\t::stop-commands::X',
  'v2\n::error title=INJ::Deploy blocked\r::warning::cr alone ends a line too\r\n##[set-output name=x]y',
  '\u00a0\u2003::notice::non-breaking and em spaces are white space to .NET',
  '\u200b::error::a zero-width space is ignored by a culture-sensitive StartsWith',
  '\u0001::error::so is a control character',
  '#\u200d#[error]ignorable characters inside the legacy prefix',
  'registry.fly.io/acme:v1\n  ::ERROR::command names ignore case',
];

describe('the log boundary', () => {
  it('turns each known injection into plain log lines (none is a command to the runner)', () => {
    for (const attack of ATTACKS) {
      const stepLog = jobLogOf(() => log.info(`Rolling back to ${attack}`));
      expect(stepLog.commands, attack).toEqual([]);
      expect(stepLog.annotations, attack).toEqual([]);
    }
  });

  it('keeps the text readable: the escape is one visible backslash, as the runner escapes its own markers', () => {
    expect(neutralizeLine('  ::error::x')).toBe('  \\::error::x');
    expect(neutralizeLine('npm notice ##[warning]y')).toBe('npm notice ##[\\warning]y');
    expect(neutralizeLine('Updating [app] ::1 and #[tag]')).toBe('Updating [app] ::1 and #[tag]');
    expect(logLines('one\r\ntwo\rthree\nfour')).toEqual(['one', 'two', 'three', 'four']);
  });

  it('is idempotent: a line passed twice (flyctl output, then log.info) is escaped once', () => {
    for (const attack of ATTACKS) {
      const once = logLines(attack);
      expect(once.map(neutralizeLine)).toEqual(once);
    }
  });

  it('holds for any text mixing command syntax, white space and line ends', () => {
    const piece = fc.constantFrom(
      '::',
      '##[',
      ']',
      ' ',
      '\t',
      '\r',
      '\n',
      '\u00a0',
      '\u200b',
      '\u0085',
      'error',
      'warning',
      'add-mask',
      'stop-commands',
      'set-output name=a',
      'x',
      '%0A',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const stepLog = jobLogOf(() => log.info(pieces.join('')));
        expect(stepLog.commands).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves our own annotations and groups working', () => {
    const stepLog = jobLogOf(() => {
      log.warning('a\n::error::not a second command', { title: 'T: x' });
      log.info('plain');
    });
    expect(stepLog.annotations).toEqual([
      { level: 'warning', message: 'a\n::error::not a second command', title: 'T: x' },
    ]);
    expect(stepLog.lines).toContain('plain');
  });
});

describe('every plain line goes through the boundary', () => {
  it('no action or engine package writes to stdout or stderr except the toolkit’s runner protocol', () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    // Test equipment (runner, rehearsal, testkit, fly-sim) prints for people, not for a job log.
    const equipment = new Set(['runner', 'rehearsal', 'testkit', 'fly-sim']);
    const shipped = [
      ...readdirSync(join(root, 'actions')).map((a) => join(root, 'actions', a, 'src')),
      ...readdirSync(join(root, 'packages'))
        .filter((p) => !equipment.has(p))
        .map((p) => join(root, 'packages', p, 'src')),
    ].filter((dir) => existsSync(dir));
    const offenders: string[] = [];
    const visit = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) visit(path);
        else if (/\.ts$/.test(entry.name) && !path.endsWith(join('toolkit', 'src', 'commands.ts'))) {
          const text = readFileSync(path, 'utf8');
          if (/process\.std(out|err)\.write\(\s*[^'")]|console\.(log|info|warn|error)\(/.test(text))
            offenders.push(path);
        }
      }
    };
    for (const dir of shipped) visit(dir);
    expect(offenders).toEqual([]);
  });
});
