import { describe, expect, it } from 'vitest';
import { parseSecretsImport, SecretsImportError, SecretsImportPanic } from '../src/import-parser';

// Expected values follow flyctl's parser.go (v0.4.87) step by step; each case names the step.

describe('parseSecretsImport (flyctl parser.go)', () => {
  it('reads the format flyctl documents: comments, blank lines, CRLF, quotes, """ values', () => {
    const input = [
      '# comment',
      '',
      '   ',
      'PLAIN=abc',
      '  SPACED_KEY  =   left-trimmed value ',
      'DQ="double"',
      "SQ='single'",
      'ONE="""one line"""',
      'MULTI="""first',
      '  second # not a comment',
      'last"""',
      'CRLF=windows\r',
    ].join('\n');
    expect(parseSecretsImport(input)).toEqual({
      PLAIN: 'abc',
      SPACED_KEY: 'left-trimmed value ',
      DQ: 'double',
      SQ: 'single',
      ONE: 'one line',
      MULTI: 'first\n  second # not a comment\nlast',
      CRLF: 'windows',
    });
  });

  it('cuts at the first # only, when an even number of " precede it', () => {
    expect(parseSecretsImport('A=abc # comment\n')).toEqual({ A: 'abc' });
    expect(parseSecretsImport('A="a#b"\n')).toEqual({ A: 'a#b' });
    // The first # has one " before it: no cut at all, even though a later # has two.
    expect(parseSecretsImport('A=x"y#z"w#v\n')).toEqual({ A: 'x"y#z"w#v' });
    // Two " before the first #: cut there, then the surrounding quotes go.
    expect(parseSecretsImport('A="a"#"b"\n')).toEqual({ A: 'a' });
  });

  it('cuts comments before it looks for """', () => {
    // Four " before the #: cut, leaving `"""a"`, which opens a multi-line value that swallows B.
    expect(parseSecretsImport('A="""a"#b"""\nB=lost\nC="""\n')).toEqual({ A: 'a"\nB=lost\nC=' });
    // So `a"b#c` written as `"""a"b#c"""` (four " before the #) opens a value that never ends: every later secret is lost.
    expect(parseSecretsImport('A="""a"b#c"""\nB="kept?"\n')).toEqual({});
    // An even count before the first # of a """ value cuts it to `"""`: multi-line from there.
    expect(parseSecretsImport('A="""x"#\ny"""\n')).toEqual({ A: 'x"\ny' });
    // Unterminated: the value is dropped at the end of input.
    expect(parseSecretsImport('A=1\nB="""open\nC=2\n')).toEqual({ A: '1' });
    // `"""` and `""""` open a value; `""""""` is an empty one-line value.
    expect(parseSecretsImport('A=""""""\n')).toEqual({ A: '' });
    expect(parseSecretsImport('A=""""\nx"""\n')).toEqual({ A: '"\nx' });
  });

  it('keeps a \\r inside a line and drops only one before the newline', () => {
    expect(parseSecretsImport('A="a\rb"\nB=c\r\r\n')).toEqual({ A: 'a\rb', B: 'c\r' });
  });

  it('panics on a lone quote, as Go slicing value[1:0] does', () => {
    expect(() => parseSecretsImport('A="\n')).toThrow(SecretsImportPanic);
    expect(() => parseSecretsImport("A='\n")).toThrow(SecretsImportPanic);
    // Also when the comment cut leaves one.
    expect(() => parseSecretsImport("A='#x\n")).toThrow(/slice bounds out of range \[1:0\]/);
  });

  it('refuses a line without =, like flyctl', () => {
    expect(() => parseSecretsImport('A=1\nnot a pair\n')).toThrow(SecretsImportError);
    expect(() => parseSecretsImport('not a pair\n')).toThrow(
      'Secrets must be provided as NAME=VALUE pairs (not a pair is invalid)',
    );
  });

  it('stops silently at a line of 64 KiB or more, counting UTF-8 bytes', () => {
    const fits = 'x'.repeat(64 * 1024 - 1 - 'B='.length);
    expect(parseSecretsImport(`A=1\nB=${fits}\nC=3\n`)).toEqual({ A: '1', B: fits, C: '3' });
    expect(parseSecretsImport(`A=1\nB=${fits}x\nC=3\n`)).toEqual({ A: '1' });
    // Without a final newline the scanner needs one byte more room: the same limit.
    expect(parseSecretsImport(`A=1\nB=${fits}`)).toEqual({ A: '1', B: fits });
    expect(parseSecretsImport(`A=1\nB=${fits}x`)).toEqual({ A: '1' });
    // 40,000 'é' are 80,000 bytes: too long, although fewer than 65,536 UTF-16 units.
    expect(parseSecretsImport(`A=1\nB=${'é'.repeat(40_000)}\nC=3\n`)).toEqual({ A: '1' });
    // An unfinished """ value is dropped with the rest.
    expect(parseSecretsImport(`A="""x\n${'y'.repeat(70_000)}\nz"""\n`)).toEqual({});
  });

  it('trims keys as Go does, and any key is an ordinary name', () => {
    expect(parseSecretsImport('\u0085K\u00a0=v\n__proto__=p\n')).toEqual({ K: 'v', ['__proto__']: 'p' });
    expect(Object.keys(parseSecretsImport('__proto__=p\n'))).toEqual(['__proto__']);
    // JavaScript's trim() would drop U+FEFF; Go keeps it.
    expect(Object.keys(parseSecretsImport('\ufeffK=v\n'))).toEqual(['\ufeffK']);
  });
});
