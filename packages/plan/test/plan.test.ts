import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeployWindow, parseWindowPolicy } from '@deploy-actions/deploy-window';
import { renderDeployPlan } from '@deploy-actions/deployments/plan';
import { describe, expect, it } from 'vitest';
import { buildPlan, readCheckout, readSecretNames, windowAtMerge } from '../src';
import { BASE, checkout, HEAD } from './fixture';

const layout = { migrationsDir: 'migrations', flyConfig: 'fly.toml', secretNamesFile: '.env.example' };
const logger = { info: () => {}, warning: () => {} };

describe('the deploy plan of a pull request', () => {
  it('classifies the migrations head adds, and shows secret names and fly.toml changes', async () => {
    const base = readCheckout(checkout(BASE), layout, 'base');
    const headRoot = checkout(HEAD);
    const head = readCheckout(headRoot, layout, 'head');
    const plan = await buildPlan(base, head, { headRoot, pgVersionNum: 0, lockTimeout: true, logger });
    expect(plan.migrations.map((m) => [m.version, m.class, m.hasDown])).toEqual([
      ['0003', 'expand', false],
      ['0004', 'contract', false],
    ]);
    expect(plan.migrations[1].statements[0]).toMatchObject({ line: 2, lock: 'ACCESS EXCLUSIVE on users' });
    expect(plan.secrets).toEqual({ added: ['STRIPE_KEY'], removed: [], basis: 'compared with the base branch' });
    expect(plan.flyToml).toEqual([{ key: 'deploy.strategy', before: '"rolling"', after: '"bluegreen"' }]);
    const body = renderDeployPlan(plan);
    expect(body).toContain(
      'auto-rollback refuses an image-only rollback: 0004 drop\\_legacy\\_name has no down migration',
    );
    expect(body).not.toContain('change-me');
  });

  it('compares secret names with the app when its current names are known', async () => {
    const base = readCheckout(checkout(BASE), layout, 'base');
    const head = readCheckout(checkout(HEAD), layout, 'head');
    const names = ['DATABASE_URL', 'OLD_TOKEN'];
    const options = { headRoot: '.', pgVersionNum: 0, lockTimeout: true, logger };
    const merge = await buildPlan(base, head, { ...options, currentSecrets: { app: 'shop', names, mode: 'merge' } });
    expect(merge.secrets).toEqual({
      added: ['SESSION_SECRET', 'STRIPE_KEY'],
      removed: [],
      basis: 'compared with the secrets of shop now; merge mode removes none',
    });
    const exact = await buildPlan(base, head, { ...options, currentSecrets: { app: 'shop', names, mode: 'exact' } });
    expect(exact.secrets).toMatchObject({ removed: ['OLD_TOKEN'], basis: 'compared with the secrets of shop now' });
  });

  it('lists a migration base has whose SQL the pull request changed', async () => {
    const base = readCheckout(checkout(BASE), layout, 'base');
    const head = readCheckout(
      checkout({ ...BASE, 'migrations/0002_orders.sql': 'CREATE TABLE orders (id int);\n' }),
      layout,
      'head',
    );
    const plan = await buildPlan(base, head, { headRoot: '.', pgVersionNum: 0, lockTimeout: true, logger });
    expect(plan.migrations).toEqual([]);
    expect(plan.edited).toEqual(['migrations/0002_orders.sql']);
  });

  it('treats what a checkout lacks as empty, and a missing checkout as a user error', () => {
    expect(readCheckout(checkout({}), layout, 'base')).toEqual({ migrations: [], flyToml: '', secretNames: [] });
    expect(() => readCheckout('/nonexistent/base', layout, 'base')).toThrow(
      /The base checkout \/nonexistent\/base does not exist/,
    );
  });

  it('reads names from NAME lines and dotenv lines, never a value', () => {
    const root = checkout({});
    writeFileSync(join(root, 'names'), '# comment\nA_KEY\nexport B_KEY="quoted value"\nC_KEY=plain\n');
    expect(readSecretNames(root, 'names')).toEqual(['A_KEY', 'B_KEY', 'C_KEY']);
  });

  it('says whether the window is open at the merge time, and when it opens next', () => {
    const window = new DeployWindow(
      parseWindowPolicy({ timezone: 'America/Los_Angeles', days: 'mon-fri', start: '09:00', end: '17:00' }),
    );
    expect(windowAtMerge(window, Date.parse('2026-11-20T16:59:00-08:00'))).toBe(
      'open at the likely merge time, Fri 2026-11-20 16:59 PST (window mon-fri 09:00-17:00 America/Los_Angeles).',
    );
    expect(windowAtMerge(window, Date.parse('2026-11-21T10:00:00-08:00'))).toMatch(
      /^closed at the likely merge time, Sat 2026-11-21 10:00 PST: .*The deploy would wait for Mon 2026-11-23 09:00 PST, or an override\.$/,
    );
  });
});
