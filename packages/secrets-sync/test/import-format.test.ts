import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeImport, encodeImportEntry } from '../src/import-format';
import { flyctlParseSecrets } from './flyctl-import-parser';

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';

/** Values that break naive quoting: comments, quotes of both kinds, spaces, unicode, newlines. */
export const AWKWARD_VALUES: Record<string, string> = {
  PLAIN: 'abc123',
  HASH: 'abc#def',
  HASH_SPACE: 'abc #def',
  QUOTED_HASH: '"a#b"',
  ODD_QUOTE_HASH: 'a"b#c',
  SINGLE_QUOTED: "'literal'",
  DOUBLE_QUOTED: '"wrapped"',
  TRIPLE_START: '"""x',
  TWO_QUOTES_HASH: '""#x',
  SPACES: '  padded value  ',
  EQUALS: 'a=b==c',
  JSON: '{"type":"service_account","private_key":"-----BEGIN KEY-----\\nabc\\n-----END KEY-----\\n","n":1}',
  UNICODE: 'pässwörd-密码-🔑',
  PEM,
  PEM_NO_TRAILING_NEWLINE: PEM.trimEnd(),
  MULTI_HASH: 'first # line\nsecond "line" # too\n# third',
  LEADING_NEWLINE: '\nafter',
  BACKSLASHES: 'C:\\path\\to\\file \\n not a newline',
  LONE_QUOTE: '"',
  LONE_APOSTROPHE: "'",
  CR_INSIDE: 'a\rb',
};

describe('encodeImport', () => {
  it('round-trips awkward values through flyctl’s parser byte-exact', () => {
    const text = encodeImport(Object.entries(AWKWARD_VALUES));
    expect(flyctlParseSecrets(text)).toEqual(AWKWARD_VALUES);
  });

  it('round-trips any value it accepts, alone or among others', () => {
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
        expect(flyctlParseSecrets(text)).toEqual(Object.fromEntries(entries));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['a line ending in a carriage return', 'one\r\ntwo', /a line ending in a carriage return/],
    ['an inner line ending in """', 'one"""\ntwo', /a line other than the last ends in `"""`/],
    ['an odd number of quotes before # on the first line', 'a"#\nb', /odd number of `"` before a `#`/],
  ])('refuses a multi-line value with %s, naming the secret only', (_, value, why) => {
    expect(() => encodeImportEntry('KEY', value)).toThrow(why);
    expect(() => encodeImportEntry('KEY', value)).toThrow(/^Secret KEY cannot be passed/);
  });

  it('refuses a line flyctl’s scanner cannot read (64 KiB)', () => {
    expect(flyctlParseSecrets(encodeImport([['BIG', 'x'.repeat(65_000)]]))).toEqual({ BIG: 'x'.repeat(65_000) });
    expect(() => encodeImportEntry('BIG', 'x'.repeat(65_536))).toThrow(/Secret BIG has a line longer than/);
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
