import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { findLeaks, type RunBundleResult, runBundle } from '@deploy-actions/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'fly-token-4f2a9c81d7e3';
let sim: FlySim;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [TOKEN] });
});
afterAll(async () => {
  await sim?.stop();
});

const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
  '-----END PRIVATE KEY-----',
  '',
].join('\n');
const JSON_VALUE = JSON.stringify({
  type: 'service_account',
  private_key: PEM,
  client_email: 'deploy@shop.iam.example.com',
  note: 'a #hash and "quotes"',
});

/** Values of every awkward shape: multi-line, JSON, `#`, both quotes, spaces, unicode, backslashes. */
const SHAPES: Record<string, string> = {
  PRIVATE_KEY: PEM,
  GOOGLE_CREDENTIALS: JSON_VALUE,
  HASHED: 'p4ss#word-after-hash',
  SPACED: '  two words and spaces  ',
  DOUBLE_QUOTED: '"kept-quotes-9f3"',
  SINGLE_QUOTES: "it's-o'clock-77",
  ODD_QUOTE_HASH: 'a"b#c-odd-quote',
  UNICODE: 'pässwörd-密码-🔑-x',
  BACKSLASHES: 'C:\\keys\\n-is-not-newline',
  DATABASE_URL: 'postgres://shop:s3cr3t%23@db.internal:5432/shop?sslmode=require',
};

/** A dotenv line that our parser reads back as exactly `value` (double quotes, escapes). */
function dotenvLine(name: string, value: string): string {
  return `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$')}"`;
}
const dotenv = (values: Record<string, string>) =>
  Object.entries(values)
    .map(([n, v]) => dotenvLine(n, v))
    .join('\n');

function secretsOf(app: string): Record<string, string> {
  return Object.fromEntries(Object.entries(sim.state().apps[app].secrets).map(([n, s]) => [n, s.value]));
}

/** The platform calls fly-sim logged since `since` (its local `flyctl version` answers are not logged). */
async function callsSince(since: number): Promise<string[][]> {
  return (await sim.calls()).slice(since).map((c) => c.args);
}

async function sync(
  inputs: Record<string, string>,
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ r: RunBundleResult; calls: string[][] }> {
  const since = (await sim.calls()).length;
  const r = await runBundle('fly-secrets-sync', {
    inputs,
    env: { ...sim.env, FLY_API_TOKEN: TOKEN, ...options.env },
    cwd: options.cwd,
  });
  return { r, calls: await callsSince(since) };
}

function expectNoLeaks(r: RunBundleResult, values: Record<string, string>): void {
  expect(findLeaks(r, [...Object.values(values), TOKEN])).toEqual([]);
  // The masks registered cover each value, and each line of the multi-line ones.
  for (const v of Object.values(values)) {
    expect(r.masks).toContain(v);
    for (const line of v.split('\n').filter((l) => l.length >= 4)) expect(r.masks).toContain(line);
  }
}

describe('fly-secrets-sync against fly-sim', () => {
  it('syncs 100 secrets in one staged import (at most 3 flyctl calls), and a re-run writes nothing', async () => {
    await sim.seedApp('bulk-app', { releases: ['v1'] });
    const values: Record<string, string> = { ...SHAPES };
    for (let i = Object.keys(values).length; i < 100; i++) {
      values[`SECRET_${String(i).padStart(3, '0')}`] = `value ${i} #${i} "q${i}" 'x' ✓ ${'z'.repeat(i)}`;
    }
    const { r, calls } = await sync({ app: 'bulk-app', secrets: dotenv(values) });
    expect(r.annotations.filter((a) => a.level === 'error')).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(calls).toEqual([
      ['secrets', 'list', '--app', 'bulk-app', '--json'],
      ['secrets', 'import', '--app', 'bulk-app', '--stage'],
    ]);
    expect(secretsOf('bulk-app')).toEqual(values);
    expect(r.outputs.added.split(',')).toEqual(Object.keys(values).sort());
    expect(r.outputs).toMatchObject({ changed: '', removed: '', unchanged: '', changes: '100', staged: 'true' });
    expect(r.summary).toContain('100 added, 0 changed, 0 removed, 0 unchanged. Staged');
    expect(r.summary).toContain('| PRIVATE_KEY | added |');
    expectNoLeaks(r, values);

    const again = await sync({ app: 'bulk-app', secrets: dotenv(values) });
    expect(again.r.exitCode).toBe(0);
    expect(again.calls).toEqual([['secrets', 'list', '--app', 'bulk-app', '--json']]);
    expect(again.r.outputs).toMatchObject({ added: '', changed: '', removed: '', changes: '0', staged: 'false' });
    expect(again.r.outputs.unchanged.split(',')).toHaveLength(100);
    expect(again.r.summary).toContain('Nothing to do');
    // The first run staged them; flyctl still lists them as Staged, so a deploy is still needed.
    expect(again.r.summary).toContain('a deploy is still needed');
    expectNoLeaks(again.r, values);
  });

  it('PEM and JSON values from env-file and env-prefix round-trip byte-exact', async () => {
    await sim.seedApp('files-app', { releases: ['v1'] });
    const cwd = mkdtempSync(join(tmpdir(), 'secrets-ws-'));
    writeFileSync(
      join(cwd, '.env.production'),
      `# production secrets\nexport PRIVATE_KEY="${PEM}"\nPLAIN=plain-value # a comment\n`,
    );
    const { r } = await sync(
      { app: 'files-app', 'env-file': '.env.production', 'env-prefix': 'FLY_SECRET_', deploy: 'true' },
      { cwd, env: { FLY_SECRET_GOOGLE_CREDENTIALS: JSON_VALUE, FLY_SECRET_UNICODE: SHAPES.UNICODE } },
    );
    expect(r.exitCode).toBe(0);
    const expected = {
      PRIVATE_KEY: PEM,
      PLAIN: 'plain-value',
      GOOGLE_CREDENTIALS: JSON_VALUE,
      UNICODE: SHAPES.UNICODE,
    };
    expect(secretsOf('files-app')).toEqual(expected);
    expect(Object.values(sim.state().apps['files-app'].secrets).every((s) => s.deployed)).toBe(true);
    expect(r.outputs.staged).toBe('false');
    expect(r.summary).toContain('The machines were restarted once');
    expectNoLeaks(r, expected);
  });

  it('exact mode removes undeclared secrets except protected ones; a duplicate name warns', async () => {
    await sim.seedApp('exact-app', {
      releases: ['v1'],
      secrets: {
        KEEP_SAME: 'same-value-1',
        TO_CHANGE: 'old-value-1',
        TO_REMOVE: 'gone-value-1',
        MANAGED_ELSEWHERE: 'pg-url-1',
      },
    });
    const { r, calls } = await sync({
      app: 'exact-app',
      mode: 'exact',
      protected: 'MANAGED_ELSEWHERE',
      secrets: 'KEEP_SAME=same-value-1\nTO_CHANGE=first-value-2\nTO_CHANGE=new-value-2\nBRAND_NEW=new-value-3',
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual({
      added: 'BRAND_NEW',
      changed: 'TO_CHANGE',
      removed: 'TO_REMOVE',
      unchanged: 'KEEP_SAME',
      changes: '3',
      staged: 'true',
    });
    expect(calls).toEqual([
      ['secrets', 'list', '--app', 'exact-app', '--json'],
      ['secrets', 'import', '--app', 'exact-app', '--stage'],
      ['secrets', 'unset', 'TO_REMOVE', '--app', 'exact-app', '--stage'],
    ]);
    expect(secretsOf('exact-app')).toEqual({
      KEEP_SAME: 'same-value-1',
      TO_CHANGE: 'new-value-2',
      BRAND_NEW: 'new-value-3',
      MANAGED_ELSEWHERE: 'pg-url-1',
    });
    expect(r.annotations).toContainEqual(
      expect.objectContaining({ level: 'warning', message: expect.stringMatching(/^TO_CHANGE is declared 2 times/) }),
    );
    expect(r.summary).toContain('| MANAGED_ELSEWHERE | kept (protected) |');
    expectNoLeaks(r, { a: 'same-value-1', b: 'first-value-2', c: 'new-value-2', d: 'new-value-3' });
  });

  it('a broken rule fails the step before any write, naming the secret and rule, never the value', async () => {
    await sim.seedApp('rules-app', { releases: ['v1'] });
    const cwd = mkdtempSync(join(tmpdir(), 'secrets-ws-'));
    writeFileSync(
      join(cwd, 'secret-rules.yml'),
      'required: [DATABASE_URL]\nmin-length: {SESSION_SECRET: 32}\nforbidden: {AUTH_DEV_BYPASS: ["true", "1"]}\n',
    );
    const bad = { SESSION_SECRET: 'too-short-session', AUTH_DEV_BYPASS: 'TRUE', STRIPE_KEY: 'sk_live_abcdef123' };
    const { r, calls } = await sync({ app: 'rules-app', secrets: dotenv(bad), rules: 'secret-rules.yml' }, { cwd });
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('3 rules are broken; nothing was written');
    expect(errors[0].message).toContain('DATABASE_URL breaks rule "required"');
    expect(errors[0].message).toContain('SESSION_SECRET breaks rule "min-length"');
    expect(errors[0].message).toContain('AUTH_DEV_BYPASS breaks rule "forbidden"');
    expect(r.log).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(calls).toEqual([['secrets', 'list', '--app', 'rules-app', '--json']]);
    expect(secretsOf('rules-app')).toEqual({});
    expect(r.outputs).toMatchObject({ changes: '', staged: '' });
    expect(r.summary).toContain('## Fly secrets: rules-app');
    expect(r.summary).toContain('The sync stopped: 3 rules are broken');
    expect(r.summary).toContain('Nothing was written to the app.');
    expectNoLeaks(r, { a: bad.SESSION_SECRET, b: bad.STRIPE_KEY });
    expect(r.log).not.toContain('TRUE');
  });

  it('a value flyctl secrets import cannot carry fails the step before any write, naming it, never the value', async () => {
    await sim.seedApp('unsendable-app', { releases: ['v1'] });
    const bad = { FINE_ONE: 'fine-value-123', BROKEN_ONE: 'first-line-x"""\nsecond-line-y' };
    const { r, calls } = await sync({ app: 'unsendable-app', secrets: dotenv(bad) });
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('Secret BROKEN_ONE cannot be passed to flyctl secrets import');
    expect(r.log).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(calls).toEqual([['secrets', 'list', '--app', 'unsendable-app', '--json']]);
    expect(secretsOf('unsendable-app')).toEqual({});
    expect(r.summary).toContain('Nothing was written to the app.');
    expectNoLeaks(r, bad);
  });

  it('dry run shows the plan (names and actions) and writes nothing', async () => {
    await sim.seedApp('dry-app', { releases: ['v1'], secrets: { OLD_ONE: 'old-value-9' } });
    const { r, calls } = await sync({
      app: 'dry-app',
      mode: 'exact',
      'dry-run': 'true',
      secrets: dotenv(SHAPES),
      rules: '{required: [DATABASE_URL], pattern: {DATABASE_URL: "^postgres://"}}',
    });
    expect(r.exitCode).toBe(0);
    expect(calls).toEqual([['secrets', 'list', '--app', 'dry-app', '--json']]);
    expect(secretsOf('dry-app')).toEqual({ OLD_ONE: 'old-value-9' });
    expect(r.outputs).toMatchObject({ removed: 'OLD_ONE', changes: '11', staged: 'false' });
    expect(r.summary).toContain('Fly secrets: dry-app (dry run)');
    expect(r.summary).toContain('Dry run, nothing was written. The plan: 10 added, 0 changed, 1 removed');
    expect(r.summary).toContain('| OLD_ONE | would be removed |');
    expectNoLeaks(r, SHAPES);
  });

  it('with an old flyctl (PascalCase list, MD5 digests) and the token as an input, a re-run writes nothing', async () => {
    await sim.seedApp('old-cli-app', { releases: ['v1'] });
    const inputs = {
      app: 'old-cli-app',
      secrets: dotenv({ PRIVATE_KEY: PEM, GOOGLE_CREDENTIALS: JSON_VALUE }),
      'fly-api-token': TOKEN,
      'flyctl-version': '>=0.3.0',
    };
    const env = { FLY_API_TOKEN: '', FLY_SIM_VERSION: '0.3.170' };
    const first = await sync(inputs, { env });
    expect(first.r.exitCode).toBe(0);
    expect(first.r.outputs.added).toBe('GOOGLE_CREDENTIALS,PRIVATE_KEY');
    const again = await sync(inputs, { env });
    expect(again.r.outputs).toMatchObject({ unchanged: 'GOOGLE_CREDENTIALS,PRIVATE_KEY', changes: '0' });
    expect(again.calls).toEqual([['secrets', 'list', '--app', 'old-cli-app', '--json']]);
    expectNoLeaks(again.r, { PEM, JSON_VALUE });
  });

  it.each([
    ['no token', { app: 'any-app', secrets: 'A=value-1' }, { FLY_API_TOKEN: '' }, /No Fly API token/],
    ['a bad dotenv line', { app: 'any-app', secrets: 'A=value-1\nno equals here' }, {}, /input 'secrets', line 2/],
    ['an unknown mode', { app: 'any-app', secrets: 'A=value-1', mode: 'mirror' }, {}, /Invalid input 'mode'/],
    ['no source', { app: 'any-app' }, {}, /Nothing to sync/],
    ['a missing app', { app: 'no-such-app', secrets: 'A=value-1' }, {}, /Could not find App/],
    // A broad prefix would copy the runner's tokens into Fly secrets.
    ['a one-letter prefix', { app: 'any-app', 'env-prefix': 'G' }, {}, /Invalid input 'env-prefix': got "G"/],
    [
      "the runner's own prefix",
      { app: 'any-app', 'env-prefix': 'ACTIONS_' },
      { ACTIONS_RUNTIME_TOKEN: 'value-1' },
      /Invalid input 'env-prefix': got "ACTIONS_"; it names the runner's own variables/,
    ],
  ])('%s: one clear error, no stack trace', async (_, inputs, env, message) => {
    const { r } = await sync(inputs, { env });
    expect(r.exitCode).toBe(1);
    const errors = r.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(message);
    expect(r.log).not.toMatch(/Unexpected error|^\s+at .+:\d+:\d+\)?$/m);
    expect(findLeaks(r, ['value-1', TOKEN])).toEqual([]);
  });
});
