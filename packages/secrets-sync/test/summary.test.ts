import { createHash } from 'node:crypto';
import { registerSecret, UserError } from '@deploy-actions/toolkit';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../src/plan';
import { outcome, renderSummary, stoppedSummary } from '../src/summary';
import type { SyncResult } from '../src/sync';

const md5 = (v: string) => createHash('md5').update(v).digest('hex');

function result(over: Partial<SyncResult> = {}): SyncResult {
  const plan = buildPlan(
    new Map([
      ['NEW', 'n-value'],
      ['SAME', 's-value'],
    ]),
    [
      { name: 'SAME', digest: md5('s-value'), status: 'Deployed' },
      { name: 'OLD', digest: '', status: 'Staged' },
    ],
    { mode: 'exact' },
  );
  return { plan, remote: [], writes: [], staged: false, firstDeployment: false, pending: [], ...over };
}

describe('summary', () => {
  it('tables every name with its result and says a deploy is still needed when staged', () => {
    const text = renderSummary(
      'shop',
      result({ writes: ['secrets import --stage', 'secrets unset --stage'], staged: true }),
      false,
    ).toString();
    expect(text).toContain('## Fly secrets: shop');
    expect(text).toContain(
      '1 added, 0 changed, 1 removed, 1 unchanged. Staged: they take effect at the next `fly deploy`',
    );
    expect(text).toContain('| NEW | added |  |\n| OLD | removed | Staged |\n| SAME | unchanged | Deployed |');
    expect(text).toContain('`secrets import --stage`, `secrets unset --stage`');
  });

  it('words a dry run, a no-op, a restart and an app without machines', () => {
    expect(outcome('shop', result(), true)).toMatch(/^Dry run, nothing was written\. The plan: 1 added/);
    expect(renderSummary('shop', result(), true).toString()).toContain('| OLD | would be removed | Staged |');
    const noop = result({
      plan: buildPlan(new Map([['A', 'a-value']]), [{ name: 'A', digest: md5('a-value') }], { mode: 'merge' }),
    });
    expect(outcome('shop', noop, false)).toBe(
      'Nothing to do: the secrets of shop already match (0 added, 0 changed, 0 removed, 1 unchanged).',
    );
    expect(outcome('shop', result({ writes: ['secrets import'] }), false)).toContain(
      'The machines were restarted once',
    );
    expect(outcome('shop', result({ staged: true, firstDeployment: true }), false)).toContain('no machines yet');
    expect(renderSummary('shop', result({ pending: ['OLD'] }), false).toString()).toContain(
      'flyctl reports 1 other secret(s) as not deployed on every machine (OLD): a deploy is still needed for them.',
    );
  });

  it('a stopped run says why and what was written before, without secret values', () => {
    registerSecret('leaked-value-123');
    const before = stoppedSummary('shop', new UserError('flyctl secrets unset failed: leaked-value-123'), [
      'secrets import --stage',
    ]).toString();
    expect(before).toContain('The sync stopped: flyctl secrets unset failed: ***');
    expect(before).toContain('Written before it stopped: `secrets import --stage`. Run the step again');
    expect(stoppedSummary('', new UserError('bad input'), []).toString()).toContain('Nothing was written to the app.');
  });
});
