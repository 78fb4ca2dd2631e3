import { describe, expect, it } from 'vitest';
import { classifyScript } from '../../src/classify';
import type { Script } from '../../src/files';
import type { LintFinding } from '../../src/lint';
import { CORPUS } from './corpus';

const script = (sql: string, path = 'db/migrations/0001_change.sql', firstLine = 1): Script => ({
  sql,
  path,
  firstLine,
  noTransaction: false,
});

describe('classification corpus', () => {
  it('has at least 60 statements covering every class', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(60);
    for (const klass of ['expand', 'contract', 'breaking', 'data'])
      expect(CORPUS.some((c) => c.class === klass)).toBe(true);
  });

  it.each(CORPUS.map((c) => [c.sql.slice(0, 70), c] as const))('%s', async (_, c) => {
    const result = await classifyScript(script(`${c.sql};\n`));
    expect(result.statements).toHaveLength(1);
    const [statement] = result.statements;
    expect(result.class, JSON.stringify(statement.reasons)).toBe(c.class);
    expect(statement.reasons.map((r) => r.code)).toContain(c.code);
    expect(statement.line).toBe(1);
    if (c.lock) expect(statement.lock).toBe(c.lock);
  });
});

describe('classifyScript', () => {
  it('gives each statement its line and keeps every class found, worst first', async () => {
    const result = await classifyScript(
      script(
        'ALTER TABLE users ADD COLUMN nickname text;\n\nUPDATE users SET nickname = name;\nALTER TABLE users DROP COLUMN name;\n',
        'db/migrations/0007_nickname.sql',
        2,
      ),
    );
    expect(result.class).toBe('contract');
    expect(result.classes).toEqual(['contract', 'data', 'expand']);
    expect(result.statements.map((s) => s.line)).toEqual([2, 4, 5]);
    expect(result.statements[2].reasons[0].detail).toContain('users.name');
  });

  it('treats changes to a table the same migration creates as expand', async () => {
    const result = await classifyScript(
      script(
        'CREATE TABLE invites (id bigint, code text);\nCREATE UNIQUE INDEX invites_code ON invites (code);\nALTER TABLE invites ALTER COLUMN code SET NOT NULL;\n',
      ),
    );
    expect(result.class).toBe('expand');
    expect(result.classes).toEqual(['expand']);
  });

  it('honours an override and records what the statements gave', async () => {
    const result = await classifyScript(
      script(
        '-- deploy-actions: class=expand reason="legacy_flag is unread since 4.2"\nALTER TABLE users DROP COLUMN legacy_flag;\n',
      ),
    );
    expect(result.class).toBe('expand');
    expect(result.override).toEqual({
      class: 'expand',
      reason: 'legacy_flag is unread since 4.2',
      line: 1,
      computed: 'contract',
    });
    expect(result.classes).toEqual(['contract']);
  });

  it('refuses a malformed override naming the file, line and what is expected', async () => {
    await expect(classifyScript(script('SELECT 1;\n-- deploy-actions: class=safe reason="x"\n'))).rejects.toThrow(
      /0001_change\.sql:2: class override "safe" is not a class; expected one of breaking, contract, data, expand/,
    );
    await expect(classifyScript(script('-- deploy-actions: class=expand\nSELECT 1;\n'))).rejects.toThrow(
      /0001_change\.sql:1: the class override needs a reason/,
    );
  });

  it('adds squawk findings that bear on compatibility to the statement on their line', async () => {
    const findings: LintFinding[] = [
      {
        file: 'db/migrations/0001_change.sql',
        line: 2,
        rule: 'adding-field-with-default',
        level: 'warning',
        message: 'Adding a generated column requires a table rewrite.',
      },
      {
        file: 'db/migrations/0001_change.sql',
        line: 2,
        rule: 'prefer-bigint-over-int',
        level: 'warning',
        message: 'style',
      },
      { file: 'db/migrations/other.sql', line: 1, rule: 'ban-drop-column', level: 'warning', message: 'elsewhere' },
    ];
    const result = await classifyScript(
      script('SELECT 1;\nALTER TABLE t ADD COLUMN c int DEFAULT length(now()::text);\n'),
      findings,
    );
    expect(result.statements[1].reasons.map((r) => r.code)).toEqual(['add-column', 'squawk:adding-field-with-default']);
    expect(result.class).toBe('breaking');
  });

  it('reports a syntax error at its file line', async () => {
    await expect(classifyScript(script('ALTER TABLE users ADD COLUMN;\n', 'm.sql', 3))).rejects.toThrow(/^m\.sql:3: /);
  });
});
