/**
 * Fuzzes the inputs added for verification by kind, the version setting, smoke-suite secrets, IPv6,
 * secret rules over fly.toml, the pg-migrate settings deploy.yml passes on (migrate-*) and a
 * preview database's tracking table: each bad value, run through the action's bundle under Node 24,
 * fails with one clear error naming the input, no stack trace, and a secret input never echoed.
 */
import { runBundle } from '@deploy-actions/runner';
import { describe, expect, it } from 'vitest';

const BAD: [action: string, input: string, values: string[], base: Record<string, string>][] = [
  ['health-gate', 'check', ['disk', 'HTTP', 'http,machines', '-machines'], { url: 'http://127.0.0.1:9/' }],
  ['health-gate', 'secrets', ['not a pair', 'A B=1', '=value-4471'], { url: 'http://127.0.0.1:9/' }],
  ['auto-rollback', 'check', ['auto', 'disk', 'Machines'], { app: 'shop' }],
  ['auto-rollback', 'version-from', ['label', 'IMAGE-LABEL', 'git-tag', 'v1.0.0'], { app: 'shop' }],
  ['auto-rollback', 'version-field', ['a b', '$(id)', 'version;rm'], { app: 'shop' }],
  ['auto-rollback', 'version-header', ['x app', 'a:b', 'x-(v)'], { app: 'shop' }],
  ['auto-rollback', 'secrets', ['no-equals-sign', '1X=2'], { app: 'shop' }],
  // The tracking table and the tunnel the rollback's down migrations use, as pg-migrate's.
  ['auto-rollback', 'migrations-schema', ['ops-db', '1ops', 'a.b', '-x'], { app: 'shop' }],
  ['auto-rollback', 'migrations-table', ['migration log', 'log;drop', 'x'.repeat(64)], { app: 'shop' }],
  ['auto-rollback', 'allow-pooler', ['session', 'yes please'], { app: 'shop' }],
  ['auto-rollback', 'fly-postgres-app', ['Shop-DB', '-a', 'shop_db'], { app: 'shop' }],
  ['fly-deploy', 'ipv6', ['yes', 'v6', 'PUBLIC', 'public,private'], { app: 'shop' }],
  // A preview database's tracking table, as pg-migrate's.
  ['fly-deploy', 'migrations-schema', ['ops-db', '1ops', 'a.b'], { app: 'shop', preview: 'true' }],
  ['fly-deploy', 'migrations-table', ['migration log', 'log;drop', 'x'.repeat(64)], { app: 'shop', preview: 'true' }],
  ['fly-secrets-sync', 'config', ['-c', '--config=fly.toml'], { app: 'shop', rules: 'required: [A]' }],
  // deploy.yml's migrate-* inputs, as pg-migrate receives them.
  ['pg-migrate', 'baseline', ['v2', '0001_users', '1 2', '-1'], {}],
  ['pg-migrate', 'lock-wait', ['ten minutes', '-5m', '7h'], {}],
  ['pg-migrate', 'statement-timeout', ['15 minutes', 'forever'], {}],
  ['pg-migrate', 'allow-pooler', ['yes please', 'session'], {}],
];

describe.concurrent('new inputs refuse bad values clearly', () => {
  for (const [action, input, values, base] of BAD) {
    for (const value of values) {
      it(`${action} ${input}: ${JSON.stringify(value)}`, async () => {
        const r = await runBundle(action, {
          inputs: { ...base, [input]: value },
          env: { FLY_API_TOKEN: 'fuzz-token' },
        });
        expect(r.exitCode).toBe(1);
        const errors = r.annotations.filter((a) => a.level === 'error').map((a) => a.message);
        expect(errors.join('\n')).toMatch(new RegExp(`Invalid input '${input}'`));
        expect(r.log).not.toMatch(/\n\s+at /);
        if (input === 'secrets') expect(r.log).not.toContain('value-4471');
      });
    }
  }
});
