import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, type RunBundleOptions, runBundle } from '@deploy-actions/runner';
import { describe, expect, it } from 'vitest';

// dist/business-hours-gate/index.js, run under Node 24 (the runner's default) as a node24 action.
const gate = (inputs: RunBundleOptions['inputs'], options: Omit<RunBundleOptions, 'inputs'> = {}) =>
  runBundle('business-hours-gate', { inputs, eventName: 'workflow_dispatch', ...options });

const FRIDAY_1659 = '2026-11-20T16:59:00-08:00';
const FRIDAY_1700 = '2026-11-21T01:00:00Z';
const SATURDAY = '2026-11-21T10:00:00-08:00';

/** No stack frames anywhere in what the step printed. */
function expectNoStack(log: string): void {
  expect(log).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
}

describe('business-hours-gate bundle (Node 24)', () => {
  it('Friday 16:59 Pacific with the defaults: open, every output set, summary written', async () => {
    const r = await gate({ now: FRIDAY_1659 });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual({
      allowed: 'true',
      reason: 'open',
      message: 'Deploys are open at Fri 2026-11-20 16:59 PST (window mon-fri 09:00-17:00 America/Los_Angeles).',
      'local-time': '2026-11-20T16:59:00-08:00',
      'next-window': '2026-11-20T16:59:00-08:00',
      overridden: 'false',
      'override-by': '',
    });
    expect(r.annotations).toEqual([]);
    expect(r.summary).toContain('## Business hours gate: open');
    expect(r.summary).toContain('| Decided by | window mon-fri 09:00-17:00 America/Los_Angeles |');
  });

  it('Friday 17:00 Pacific in block mode: fails with one clear error, outputs still set', async () => {
    const r = await gate({ now: FRIDAY_1700 });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({
      allowed: 'false',
      reason: 'outside-hours',
      'local-time': '2026-11-20T17:00:00-08:00',
      'next-window': '2026-11-23T09:00:00-08:00',
      overridden: 'false',
    });
    expect(r.annotations).toEqual([
      {
        level: 'error',
        message:
          'Deploys are closed at Fri 2026-11-20 17:00 PST: outside 09:00-17:00. Next window: Mon 2026-11-23 09:00 PST.\n' +
          'To deploy anyway, run with override: true and an override-reason; the override is recorded.',
      },
    ]);
    expect(r.summary).toContain('| Next window | Mon 2026-11-23 09:00 PST (2026-11-23T09:00:00-08:00) |');
    expectNoStack(r.log);
  });

  it('warn mode on a Saturday: the step passes with a warning and allowed=false', async () => {
    const r = await gate({ now: SATURDAY, mode: 'warn' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({ allowed: 'false', reason: 'closed-day' });
    expect(r.annotations).toEqual([
      {
        level: 'warning',
        title: 'Deploy window closed',
        message:
          'Deploys are closed at Sat 2026-11-21 10:00 PST: Sat is not a deploy day (mon-fri). Next window: Mon 2026-11-23 09:00 PST.',
      },
    ]);
    expect(r.summary).toContain('| Verdict | Closed (warn mode: the step does not fail) |');
  });

  it('an override from workflow_dispatch with a reason: allowed, audit line in the log and the summary', async () => {
    const r = await gate(
      {
        now: SATURDAY,
        override: 'true',
        'override-reason': 'Checkout is down (INC-42)',
        'override-actors': 'mona, hubot',
      },
      { context: { actor: 'Mona' } },
    );
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      allowed: 'true',
      reason: 'overridden',
      overridden: 'true',
      'override-by': 'Mona',
    });
    const audit = 'Override by Mona at 2026-11-21T18:00:00.000Z (Sat 2026-11-21 10:00 PST): Checkout is down (INC-42)';
    expect(r.annotations).toEqual([{ level: 'notice', title: 'Deploy window override', message: audit }]);
    expect(r.summary).toContain('**Override audit:** Override by Mona at 2026-11-21T18:00:00.000Z');
    expect(r.summary).toContain('Checkout is down \\(INC-42\\)');
  });

  it('an override without a reason fails and names override-reason', async () => {
    const r = await gate({ now: SATURDAY, override: 'true' });
    expect(r.exitCode).toBe(1);
    expect(r.outputs).toMatchObject({ allowed: 'false', overridden: 'false', 'override-by': '' });
    expect(r.annotations[0].level).toBe('error');
    expect(r.annotations[0].message).toMatch(/^Override refused: 'override-reason' is empty/);
  });

  it('a re-run by someone not in override-actors is refused: the triggering actor is checked', async () => {
    const r = await gate(
      { now: SATURDAY, override: 'true', 'override-reason': 'hotfix', 'override-actors': 'mona' },
      { context: { actor: 'mona' }, env: { GITHUB_TRIGGERING_ACTOR: 'eve' } },
    );
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0].message).toMatch(/Override refused: 'eve' is not listed in 'override-actors' \(mona\)/);
  });

  it('an override in warn mode that is refused only warns', async () => {
    const r = await gate({ now: SATURDAY, mode: 'warn', override: 'true', 'override-actors': 'mona' });
    expect(r.exitCode).toBe(0);
    expect(r.annotations.map((a) => [a.level, a.title])).toEqual([
      ['warning', 'Override refused'],
      ['warning', 'Deploy window closed'],
    ]);
  });

  it('US-CA holidays: the day after Thanksgiving is closed until Monday (date-holidays loaded on demand)', async () => {
    const r = await gate({ now: '2026-11-27T10:00:00-08:00', holidays: 'US-CA', mode: 'warn' });
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toMatchObject({
      allowed: 'false',
      reason: 'holiday',
      'next-window': '2026-11-30T09:00:00-08:00',
    });
    expect(r.summary).toContain('| Decided by | Day after Thanksgiving Day (US-CA public holiday) |');
    expect(r.summary).toContain('| Holidays | US-CA (public) |');
  });

  it('without holidays the bundle never loads the date-holidays chunk', async () => {
    // A copy of the bundle with only index.js: any load of the holiday chunk would crash it.
    const dir = mkdtempSync(join(tmpdir(), 'gate-bundle-'));
    try {
      cpSync(join(REPO_ROOT, 'dist', 'business-hours-gate', 'index.js'), join(dir, 'index.js'));
      cpSync(join(REPO_ROOT, 'dist', 'business-hours-gate', 'package.json'), join(dir, 'package.json'));
      const plain = await gate({ now: FRIDAY_1659 }, { bundlePath: join(dir, 'index.js') });
      expect(plain.exitCode).toBe(0);
      const holidays = await gate({ now: FRIDAY_1659, holidays: 'US' }, { bundlePath: join(dir, 'index.js') });
      // The same copy does need the chunk once holidays are asked for.
      expect(holidays.exitCode).toBe(1);
      expect(holidays.annotations[0].message).toMatch(/Cannot find module .*\.index\.js/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('invalid inputs: one error naming each input, no stack trace, outputs still written', async () => {
    const r = await gate({ timezone: 'Mars/Olympus', days: 'weekdays', start: '9am', freeze: '2026-12-24..soon' });
    expect(r.exitCode).toBe(1);
    const [error] = r.annotations;
    expect(error.level).toBe('error');
    expect(error.message).toContain('4 inputs are invalid');
    for (const name of ['timezone', 'days', 'start', 'freeze'])
      expect(error.message).toContain(`Invalid input '${name}'`);
    expect(r.outputs).toEqual({
      allowed: '',
      reason: '',
      message: '',
      'local-time': '',
      'next-window': '',
      overridden: '',
      'override-by': '',
    });
    expectNoStack(r.log);
  });

  it('an unknown holiday region, a bad now and a non-boolean override are named too', async () => {
    const region = await gate({ now: FRIDAY_1659, holidays: 'US-XX' });
    expect(region.exitCode).toBe(1);
    expect(region.annotations[0].message).toMatch(/^Invalid input 'holidays': got "US-XX"/);
    const now = await gate({ now: '2026-11-20 16:59' });
    expect(now.annotations[0].message).toMatch(/^Invalid input 'now'/);
    // "false" must never read as true, nor "yes" as anything.
    const override = await gate({ now: SATURDAY, override: 'yes' });
    expect(override.annotations[0].message).toMatch(/^Invalid input 'override': got "yes"; expected `true` or `false`/);
    expectNoStack(region.log + now.log + override.log);
  });
});
