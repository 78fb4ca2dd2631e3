import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRules, enforceRules, loadRules } from '../src/rules';

const dir = mkdtempSync(join(tmpdir(), 'rules-'));
const INLINE = `
required: [DATABASE_URL, SESSION_SECRET]
min-length:
  SESSION_SECRET: 32
forbidden:
  AUTH_DEV_BYPASS: [true, 1, "yes"]
pattern:
  DATABASE_URL: '^postgres(ql)?://'
`;

describe('loadRules', () => {
  it('reads inline YAML, a YAML file and a JSON file alike', async () => {
    writeFileSync(join(dir, 'rules.yml'), INLINE);
    writeFileSync(
      join(dir, 'rules.json'),
      JSON.stringify({
        required: ['DATABASE_URL', 'SESSION_SECRET'],
        'min-length': { SESSION_SECRET: 32 },
        forbidden: { AUTH_DEV_BYPASS: [true, 1, 'yes'] },
        pattern: { DATABASE_URL: '^postgres(ql)?://' },
      }),
    );
    const inline = await loadRules(INLINE, dir);
    expect(inline.required).toEqual(['DATABASE_URL', 'SESSION_SECRET']);
    expect(inline.minLength.get('SESSION_SECRET')).toBe(32);
    expect(inline.forbidden.get('AUTH_DEV_BYPASS')).toEqual(['true', '1', 'yes']);
    expect(inline.pattern.get('DATABASE_URL')?.test('postgresql://db')).toBe(true);
    expect(await loadRules('rules.yml', dir)).toEqual(inline);
    expect(await loadRules(' rules.json ', dir)).toEqual(inline);
    expect((await loadRules('{required: [A]}', dir)).required).toEqual(['A']);
  });

  it.each([
    ['a missing file', 'missing.yml', /Input 'rules': file not found: missing.yml/],
    ['broken YAML', 'required: [A\nmin-length: {', /Input 'rules' is not valid YAML or JSON/],
    ['an unknown rule', 'min_length: {A: 3}', /Unrecognized key: "min_length"/],
    ['a non-integer length', 'min-length: {A: many}', /min-length\.A: /],
    ['a bad secret name', 'required: [my-secret]', /required\.0: a secret name/],
    ['a bad regular expression', 'pattern: {A: "("}', /pattern for A is not a valid regular expression/],
    ['a list at the top', '- A', /is not valid/],
  ])('rejects %s with a message naming the input', async (_, spec, message) => {
    await expect(loadRules(spec, dir)).rejects.toThrow(message);
  });

  it('accepts an empty document as no rules', async () => {
    expect((await loadRules('# nothing yet\n', dir)).required).toEqual([]);
  });
});

describe('checkRules', async () => {
  const rules = await loadRules(INLINE, dir);
  const good = new Map([
    ['DATABASE_URL', 'postgres://u:p@db/app'],
    ['SESSION_SECRET', 'x'.repeat(32)],
    ['AUTH_DEV_BYPASS', 'false'],
  ]);

  it('passes values that follow every rule', () => {
    expect(checkRules(rules, good, new Set(good.keys()))).toEqual([]);
  });

  it('reports every broken rule by name and rule, never the value or its length', () => {
    const bad = new Map([
      ['DATABASE_URL', 'mysql://u:hunter2@db/app'],
      ['SESSION_SECRET', 'short-secret'],
      ['AUTH_DEV_BYPASS', ' TRUE '],
    ]);
    const problems = checkRules(rules, bad, new Set(['DATABASE_URL', 'AUTH_DEV_BYPASS', 'SESSION_SECRET']));
    expect(problems).toEqual([
      'DATABASE_URL breaks rule "pattern": its value does not match /^postgres(ql)?:\\/\\//',
      'SESSION_SECRET breaks rule "min-length": its value is shorter than 32 characters',
      'AUTH_DEV_BYPASS breaks rule "forbidden": its value is one of the forbidden values',
    ]);
    const text = problems.join('\n');
    for (const v of bad.values()) expect(text).not.toContain(v.trim());
    expect(text).not.toContain('12');
  });

  it('requires names to exist after the sync, declared or kept on the app', () => {
    const declared = new Map([['SESSION_SECRET', 'y'.repeat(40)]]);
    expect(checkRules(rules, declared, new Set(['SESSION_SECRET']))).toEqual([
      'DATABASE_URL breaks rule "required": it would not exist on the app after the sync, nor in fly.toml [env]',
    ]);
    expect(checkRules(rules, declared, new Set(['SESSION_SECRET', 'DATABASE_URL']))).toEqual([]);
  });

  it('counts characters, not UTF-16 units, for min-length', async () => {
    const r = await loadRules('min-length: {K: 4}', dir);
    expect(checkRules(r, new Map([['K', '🔑🔑🔑']]), new Set(['K']))).toHaveLength(1);
    expect(checkRules(r, new Map([['K', '🔑🔑🔑🔑']]), new Set(['K']))).toEqual([]);
  });

  it('fails with one error listing all problems', () => {
    expect(() => enforceRules(rules, new Map(), new Set())).toThrow(
      /2 rules are broken; nothing was written:\n- DATABASE_URL breaks rule "required".*\n- SESSION_SECRET/,
    );
  });
});

describe('rules see fly.toml [env] too', async () => {
  const rules = await loadRules(INLINE, dir);
  const secrets = new Map([
    ['DATABASE_URL', 'postgres://db.internal/app'],
    ['SESSION_SECRET', 's'.repeat(40)],
  ]);
  const after = new Set(secrets.keys());

  it('a forbidden value in [env] breaks the rule, named as fly.toml [env], never quoting the value', () => {
    const problems = checkRules(rules, secrets, after, new Map([['AUTH_DEV_BYPASS', 'TRUE']]));
    expect(problems).toEqual([
      'AUTH_DEV_BYPASS (fly.toml [env]) breaks rule "forbidden": its value is one of the forbidden values',
    ]);
  });

  it('a short value in [env] breaks min-length unless a secret of the same name hides it', () => {
    const env = new Map([['SESSION_SECRET', 'short']]);
    expect(checkRules(rules, new Map([['DATABASE_URL', 'postgres://x/y']]), new Set(['DATABASE_URL']), env)).toEqual([
      'SESSION_SECRET (fly.toml [env]) breaks rule "min-length": its value is shorter than 32 characters',
    ]);
    expect(checkRules(rules, secrets, after, env)).toEqual([]);
  });

  it('a required name set in [env] is present', () => {
    const env = new Map([['SESSION_SECRET', 'e'.repeat(32)]]);
    const only = new Map([['DATABASE_URL', 'postgres://db/app']]);
    expect(checkRules(rules, only, new Set(only.keys()), env)).toEqual([]);
    expect(checkRules(rules, only, new Set(only.keys()))).toEqual([
      'SESSION_SECRET breaks rule "required": it would not exist on the app after the sync, nor in fly.toml [env]',
    ]);
  });
});
