import { describe, expect, it } from 'vitest';
import {
  flyTomlChanges,
  type PlannedMigration,
  renderDeployPlan,
  rollbackOutlook,
  secretNameChanges,
} from '../../src/plan';

const BASE = `app = "shop"
primary_region = "ams"

[deploy]
  strategy = "rolling"
  release_command = "bin/migrate"

[env]
  LOG_LEVEL = "info"

[[services]]
  internal_port = 8080
  [[services.http_checks]]
    path = "/health"

[[vm]]
  size = "shared-cpu-1x"
`;

const HEAD = BASE.replace('strategy = "rolling"', 'strategy = "bluegreen"')
  .replace('LOG_LEVEL = "info"', 'LOG_LEVEL = "debug"')
  .replace('size = "shared-cpu-1x"', 'size = "performance-2x"')
  .concat('\n[processes]\n  worker = "bin/worker"\n');

const contract: PlannedMigration = {
  version: '0007',
  name: 'drop_legacy',
  file: 'db/migrations/0007_drop_legacy.sql',
  class: 'contract',
  hasDown: false,
  statements: [
    { line: 1, statement: 'ALTER TABLE users DROP COLUMN legacy', lock: 'ACCESS EXCLUSIVE', reasons: ['drop-column'] },
  ],
  lint: [{ line: 1, rule: 'ban-drop-column', message: 'Dropping a column may break existing clients.' }],
};

describe('deploy plan', () => {
  it('lists the fly.toml settings that matter, not env or app', () => {
    expect(flyTomlChanges(BASE, HEAD)).toEqual([
      { key: 'deploy.strategy', before: '"rolling"', after: '"bluegreen"' },
      { key: 'processes.worker', before: undefined, after: '"bin/worker"' },
      { key: 'vm[0].size', before: '"shared-cpu-1x"', after: '"performance-2x"' },
    ]);
  });

  it('compares secret names only', () => {
    expect(secretNameChanges(['DATABASE_URL', 'OLD_KEY'], ['DATABASE_URL', 'STRIPE_KEY'])).toEqual({
      added: ['STRIPE_KEY'],
      removed: ['OLD_KEY'],
    });
  });

  it('says what auto-rollback could do after the deploy', () => {
    expect(rollbackOutlook([])).toMatch(/No migrations/);
    expect(rollbackOutlook([{ ...contract, class: 'expand' }])).toMatch(/can put the previous image back/);
    expect(rollbackOutlook([contract])).toMatch(
      /refuses an image-only rollback: 0007 drop\\_legacy has no down migration/,
    );
    expect(rollbackOutlook([{ ...contract, hasDown: true }])).toMatch(/runs the down migrations newest first/);
  });

  it('renders one marked comment with migrations, locks, lint, secret names, fly.toml, window and rollback', () => {
    const text = renderDeployPlan({
      migrations: [contract],
      flyToml: flyTomlChanges(BASE, HEAD),
      secrets: { added: ['STRIPE_KEY'], removed: [] },
      window: 'open at the likely merge time (Tue 10:00 America/Los_Angeles)',
    });
    expect(text.startsWith('<!-- deploy-actions-plan -->\n')).toBe(true);
    expect(text).toContain('| 0007 | drop\\_legacy | **contract** | no | `db/migrations/0007_drop_legacy.sql` |');
    expect(text).toContain(
      '| `db/migrations/0007_drop_legacy.sql:1` | `ALTER TABLE users DROP COLUMN legacy` | ACCESS EXCLUSIVE | drop-column |',
    );
    expect(text).toContain('ban-drop-column');
    expect(text).toContain('- added `STRIPE_KEY`');
    expect(text).toContain('| `deploy.strategy` | `"rolling"` | `"bluegreen"` |');
    expect(text).toContain('**If this deploy fails:** Past 0007 drop\\_legacy (contract), auto-rollback refuses');
  });

  it('escapes what the pull request controls', () => {
    const text = renderDeployPlan({
      migrations: [{ ...contract, name: '@team <img src=x>', override: 'see [link](https://evil.example)' }],
      flyToml: [],
      secrets: { added: [], removed: [] },
    });
    expect(text).not.toMatch(/[^\\]<img/);
    expect(text).not.toContain('[link](');
    expect(text).not.toMatch(/@team/);
  });
});
