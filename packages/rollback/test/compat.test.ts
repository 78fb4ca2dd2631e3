import type { DeploymentInfo, MigrationRecord } from '@deploy-actions/deployments';
import { describe, expect, it } from 'vitest';
import { decideCompat, migrationsSince } from '../src/compat';

const m = (
  version: string,
  klass: MigrationRecord['class'],
  down = false,
  reasons: string[] = [],
): MigrationRecord => ({
  version,
  name: `m${version}`,
  class: klass,
  classes: [klass],
  reasons,
  down,
});

function deployment(
  id: number,
  image: string,
  migrations: MigrationRecord[],
  extra: { repository?: string; rollback?: boolean } = {},
): DeploymentInfo {
  const record = {
    schema: 'deploy-actions/deployment@1' as const,
    app: 'shop',
    image_ref: image,
    sha: 'a'.repeat(40),
    rollback: extra.rollback ?? false,
    repository: extra.repository ?? 'acme/shop',
    migrations,
  };
  return {
    id,
    environment: 'production',
    sha: record.sha,
    ref: record.sha,
    task: 'deploy',
    createdAt: '',
    production: true,
    transient: false,
    payload: record,
    record,
    creator: 'github-actions[bot]',
  };
}

describe('migrationsSince', () => {
  const page = [
    deployment(40, 'img:v4', [m('0004', 'contract')]),
    deployment(30, 'img:v3', [m('0003', 'expand')]),
    deployment(29, 'img:v3', [m('0003', 'expand')], { repository: 'mallory/fork' }),
    deployment(20, 'img:v2', [m('0002', 'contract')]),
  ];
  const options = { app: 'shop', repository: 'acme/shop', appliedByThisRun: [m('0005', 'expand')] };

  it('takes the records newer than the target release, and what this run applied', () => {
    expect(migrationsSince(page, { ...options, targetImage: 'img:v3' }).map((x) => x.version)).toEqual([
      '0004',
      '0005',
    ]);
    expect(migrationsSince(page, { ...options, targetImage: 'img:v2' }).map((x) => x.version)).toEqual([
      '0003',
      '0004',
      '0005',
    ]);
  });

  it('reads every record of ours on the page when the target has none, and never another repository’s', () => {
    const other = [deployment(50, 'img:v9', [m('0009', 'contract')], { repository: 'mallory/fork' }), ...page];
    expect(migrationsSince(other, { ...options, targetImage: 'img:v1' }).map((x) => x.version)).toEqual([
      '0002',
      '0003',
      '0004',
      '0005',
    ]);
  });
});

describe('decideCompat', () => {
  const base = { pastContract: false, canRunDowns: false };

  it('rolls the image back past expand and data migrations', () => {
    const d = decideCompat([m('0003', 'expand'), m('0004', 'data')], base);
    expect(d.action).toBe('image');
    expect(decideCompat([], base).action).toBe('image');
  });

  it('refuses past a contract migration without a down migration, naming it and why', () => {
    const d = decideCompat([m('0003', 'expand', true), m('0004', 'contract', false, ['drop-column@2'])], {
      ...base,
      canRunDowns: true,
    });
    expect(d.action).toBe('refuse');
    expect(d.action === 'refuse' && d.reason).toContain('0004 m0004 is contract: drop-column@2');
    expect(d.action === 'refuse' && d.reason).toContain('0004 m0004 has no down migration');
    expect(d.action === 'refuse' && d.reason).toContain('rollback-past-contract: true');
  });

  it('refuses when downs exist but no database is given to run them', () => {
    const d = decideCompat([m('0004', 'breaking', true, ['table-rewrite@1'])], base);
    expect(d.action === 'refuse' && d.reason).toContain('no database-url is given');
  });

  it('reverts from the oldest blocking migration when every one from there has a down migration', () => {
    const d = decideCompat([m('0003', 'expand'), m('0004', 'contract', true), m('0005', 'expand', true)], {
      ...base,
      canRunDowns: true,
    });
    expect(d).toMatchObject({ action: 'downs', revertTo: '3' });
    expect(d.action === 'downs' && d.note).toContain('reverting 0005, 0004');
  });

  it('needs a down for every migration the revert undoes, not only the blocking ones', () => {
    const d = decideCompat([m('0004', 'contract', true), m('0005', 'expand', false)], { ...base, canRunDowns: true });
    expect(d.action === 'refuse' && d.reason).toContain('0005 m0005 has no down migration');
  });

  it('goes past a contract migration when the caller allows it, and says so', () => {
    const d = decideCompat([m('0004', 'contract')], { ...base, pastContract: true });
    expect(d.action).toBe('forced');
    expect(d.action === 'forced' && d.note).toContain('as rollback-past-contract allows');
  });

  it('counts migrations an explicit revert (migrate-to) undoes as handled', () => {
    expect(decideCompat([m('0004', 'contract', true)], { ...base, migrateTo: '3' }).action).toBe('image');
    expect(decideCompat([m('0004', 'contract', true)], { ...base, migrateTo: '4' }).action).toBe('refuse');
  });
});
