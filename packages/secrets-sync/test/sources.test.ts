import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containsSecret, resetSecretsForTesting } from '@deploy-actions/toolkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { collectDeclared } from '../src/sources';

const cwd = mkdtempSync(join(tmpdir(), 'sources-'));
writeFileSync(join(cwd, '.env.production'), 'export DATABASE_URL="postgres://u:file-pass@db/app"\nSHARED=from-file\n');

describe('collectDeclared', () => {
  beforeEach(() => resetSecretsForTesting());

  it('combines env-file, env-prefix and secrets in that order; the last value wins, with a warning', () => {
    const declared = collectDeclared({
      cwd,
      envFile: '.env.production',
      envPrefix: 'FLY_SECRET_',
      env: {
        FLY_SECRET_STRIPE_KEY: 'sk_live_from_env',
        FLY_SECRET_SHARED: 'from-env',
        FLY_API_TOKEN: 'never-synced',
        OTHER: 'ignored',
      },
      secrets: 'SHARED=from-input\nSESSION_SECRET="s p a c e s"',
    });
    expect(Object.fromEntries(declared.values)).toEqual({
      DATABASE_URL: 'postgres://u:file-pass@db/app',
      SHARED: 'from-input',
      STRIPE_KEY: 'sk_live_from_env',
      SESSION_SECRET: 's p a c e s',
    });
    expect(declared.warnings).toEqual([
      "SHARED is declared 3 times (env-file .env.production line 2, env FLY_SECRET_SHARED, input 'secrets' line 1); the last value wins",
    ]);
    expect(declared.origin.get('STRIPE_KEY')).toBe('env FLY_SECRET_STRIPE_KEY');
  });

  it('registers every value, and each line of multi-line ones, as a secret as it reads them', () => {
    collectDeclared({ cwd, secrets: 'A=first-value\nPEM="-----BEGIN KEY-----\nMIIEsecretline\n-----END KEY-----"' });
    expect(containsSecret('x first-value y')).toBe(true);
    expect(containsSecret('MIIEsecretline')).toBe(true);
  });

  it('does not register words such as true or 1, which would mask every true in the log', () => {
    collectDeclared({ cwd, secrets: 'FLAG=true\nN=1\nOFF=False' });
    expect(containsSecret('staged=true false 1')).toBe(false);
  });

  it('does not register a value that is part of a declared name, which is printed with the names anyway', () => {
    collectDeclared({ cwd, secrets: 'STAGE=PROD\nPROD_DB_URL=postgres://prod-db/app' });
    expect(containsSecret('PROD_DB_URL')).toBe(false);
    expect(containsSecret('postgres://prod-db/app')).toBe(true);
  });

  it('registers what it read even when a later source fails', () => {
    expect(() => collectDeclared({ cwd, envFile: '.env.production', secrets: 'broken line' })).toThrow(/line 1/);
    expect(containsSecret('postgres://u:file-pass@db/app')).toBe(true);
  });

  it('a prefix never picks up flyctl’s own token variables', () => {
    const declared = collectDeclared({
      cwd,
      envPrefix: 'FLY_',
      env: { FLY_API_TOKEN: 't', FLY_ACCESS_TOKEN: 't', FLY_X: 'x-value' },
    });
    expect([...declared.values.keys()]).toEqual(['X']);
  });

  it.each([
    [
      'G',
      /Invalid input 'env-prefix': got "G"; expected a variable-name prefix of at least 3 characters ending in `_`/,
    ],
    ['AB', /got "AB"; expected a variable-name prefix of at least 3 characters/],
    ['FLY_SECRET', /got "FLY_SECRET"; expected .* ending in `_`/],
    ['ACTIONS_', /got "ACTIONS_"; it names the runner's own variables/],
    ['GITHUB_', /got "GITHUB_"; it names the runner's own variables/],
    ['INPUT_FLY_', /got "INPUT_FLY_"; it names the runner's own variables/],
  ])('refuses the prefix %s, naming the input', (envPrefix, message) => {
    expect(() => collectDeclared({ cwd, envPrefix, env: { GITHUB_ACTOR: 'octocat' } })).toThrow(message);
  });

  it.each([
    ['a missing env-file', { envFile: 'nope.env' }, /Input 'env-file': file not found: nope.env/],
    ['an empty value', { secrets: 'A=\nB=ok-value' }, /Empty secret values: A \(input 'secrets' line 1\)/],
    [
      'an empty prefixed variable',
      { envPrefix: 'APP_', env: { APP_TOKEN: '' } },
      /Empty secret values: TOKEN \(env APP_TOKEN\)/,
    ],
    [
      'a prefix leaving a bad name',
      { envPrefix: 'APP_', env: { APP_1X: 'v' } },
      /Environment variable APP_1X: the name after/,
    ],
    ['a bad dotenv line', { secrets: 'A=1\njunk' }, /input 'secrets', line 2: expected NAME=VALUE/],
  ])('rejects %s', (_, options, message) => {
    expect(() => collectDeclared({ cwd, ...options })).toThrow(message);
  });
});

describe('collectDeclared without sources', () => {
  it('asks for at least one source', () => {
    expect(() => collectDeclared({ cwd })).toThrow(
      /Nothing to sync: set at least one of the inputs secrets, env-file or env-prefix/,
    );
  });

  it('warns when the prefix matches nothing', () => {
    expect(collectDeclared({ cwd, envPrefix: 'NOPE_', env: {} }).warnings).toEqual([
      'No environment variable starts with the env-prefix NOPE_',
    ]);
  });
});
