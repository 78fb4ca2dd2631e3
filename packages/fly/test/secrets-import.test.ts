import { parseSecretsImport } from '@deploy-actions/fly-sim';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeImport, encodeImportEntry } from '../src/secrets-import';

// The oracle is fly-sim's parseSecretsImport: a line-for-line port of flyctl's parser.go.

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';

/** Values that break naive quoting: comments, quotes of both kinds, spaces, unicode, newlines. */
const AWKWARD_VALUES: Record<string, string> = {
  PLAIN: 'abc123',
  EMPTY: '',
  HASH: 'abc#def',
  HASH_SPACE: 'abc #def',
  QUOTED_HASH: '"a#b"',
  ODD_QUOTE_HASH: 'a"b#c',
  SINGLE_QUOTED: "'literal'",
  DOUBLE_QUOTED: '"wrapped"',
  TRIPLE_START: '"""x',
  TRIPLE_BOTH: '"""x"""',
  TWO_QUOTES_HASH: '""#x',
  SPACES: '  padded value  ',
  EQUALS: 'a=b==c',
  JSON: '{"type":"service_account","private_key":"-----BEGIN KEY-----\\nabc\\n-----END KEY-----\\n","n":1}',
  UNICODE: 'pässwörd-密码-🔑',
  PEM,
  PEM_NO_TRAILING_NEWLINE: PEM.trimEnd(),
  MULTI_HASH: 'first # line\nsecond "line" # too\n# third',
  LEADING_NEWLINE: '\nafter',
  TRAILING_CR_LAST_LINE: 'one\ntwo\r',
  BACKSLASHES: 'C:\\path\\to\\file \\n not a newline',
  LONE_QUOTE: '"',
  LONE_APOSTROPHE: "'",
  CR_INSIDE: 'a\rb',
  CR_END: 'ab\r',
  PROTO_LIKE: '__proto__',
};

describe('encodeImport', () => {
  it('round-trips awkward values through flyctl’s parser byte-exact, all in one stdin', () => {
    const text = encodeImport(Object.entries(AWKWARD_VALUES));
    expect(parseSecretsImport(text)).toEqual(AWKWARD_VALUES);
  });

  it.each([
    ['a"b#c', `A='a"b#c'`],
    ['"', `A="""""""`],
    ["'", `A="'"`],
    ['a\rb', 'A="a\rb"'],
  ])('writes %j so flyctl reads it back (a case the old encoder lost)', (value, line) => {
    expect(encodeImportEntry('A', value)).toBe(line);
    // Followed by another secret: nothing after it may be swallowed.
    expect(
      parseSecretsImport(
        encodeImport([
          ['A', value],
          ['B', 'after'],
        ]),
      ),
    ).toEqual({ A: value, B: 'after' });
  });

  it('round-trips any value it accepts, alone or among others (3,000 runs)', () => {
    const chars = fc.constantFrom('a', ' ', '#', '"', "'", '\n', '\r', '=', '\\', 'é', '🔑', '\t');
    const value = fc.array(chars, { minLength: 1, maxLength: 24 }).map((c) => c.join(''));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 5 }), (vals) => {
        const entries = vals.map((v, i) => [`S${i}`, v] as const);
        let text: string;
        try {
          text = encodeImport(entries);
        } catch (error) {
          // Refusing is allowed only for multi-line values, and must say why without the value.
          expect(vals.some((v) => v.includes('\n'))).toBe(true);
          expect((error as Error).message).toMatch(/^Secret S\d cannot be passed to flyctl secrets import: /);
          return;
        }
        expect(parseSecretsImport(text)).toEqual(Object.fromEntries(entries));
      }),
      { numRuns: 3000 },
    );
  });

  it('round-trips any single-line string of any code points', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\n')),
        (value) => {
          expect(parseSecretsImport(encodeImport([['X', value]]))).toEqual({ X: value });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['a line ending in a carriage return', 'one\r\ntwo', /a line ending in a carriage return/],
    ['an inner line ending in """', 'one"""\ntwo', /a line other than the last ends in `"""`/],
    ['a first line ending in """', 'x"""\ny', /a line other than the last ends in `"""`/],
    ['an odd number of quotes before # on the first line', 'x"#\ny', /odd number of `"` before a `#`/],
    ['an unpaired surrogate', 'abc\ud800', /unpaired surrogate/],
  ])('refuses a value with %s, naming the secret only', (_, value, why) => {
    expect(() => encodeImportEntry('KEY', value)).toThrow(why);
    expect(() => encodeImportEntry('KEY', value)).toThrow(/^Secret KEY cannot be passed/);
  });

  it('refuses a line flyctl’s scanner cannot read (64 KiB, counted in UTF-8 bytes)', () => {
    const longest = 'x'.repeat(64 * 1024 - 1 - 'BIG=""'.length);
    expect(parseSecretsImport(encodeImport([['BIG', longest]]))).toEqual({ BIG: longest });
    expect(() => encodeImportEntry('BIG', `${longest}x`)).toThrow(/Secret BIG has a line longer than/);
    // 33,000 × 'é': under 64 Ki UTF-16 units, but 66,000 bytes.
    const wide = 'é'.repeat(33_000);
    expect(() => encodeImportEntry('WIDE', wide)).toThrow(/Secret WIDE has a line longer than/);
    expect(() => encodeImportEntry('PEMISH', `short\n${'y'.repeat(70_000)}`)).toThrow(/Secret PEMISH/);
  });

  it('refuses a name flyctl would misread', () => {
    expect(() => encodeImportEntry('A=B', 'v')).toThrow(/Invalid secret name "A=B"/);
    expect(() => encodeImportEntry(' A', 'v')).toThrow(/Invalid secret name/);
  });

  it('writes one entry per secret and ends with a newline', () => {
    expect(
      encodeImport([
        ['A', 'x'],
        ['B', 'y#z'],
      ]),
    ).toBe('A="x"\nB="y#z"\n');
  });
});
