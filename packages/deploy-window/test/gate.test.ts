import { InputError } from '@deploy-actions/toolkit';
import { describe, expect, it } from 'vitest';
import {
  DeployWindow,
  decideGate,
  type GateOptions,
  gateOutputs,
  gateSummary,
  type OverrideRequest,
  openDeployWindow,
  parseNow,
  parseWindowPolicy,
} from '../src/index';

const w = new DeployWindow(
  parseWindowPolicy({ timezone: 'America/Los_Angeles', days: 'mon-fri', start: '09:00', end: '17:00' }),
);
const SATURDAY = parseNow('2026-11-21T10:00:00-08:00');
const FRIDAY = parseNow('2026-11-20T10:00:00-08:00');
const none: OverrideRequest = { requested: false, actors: [], actor: 'octocat' };

function gate(options: Omit<Partial<GateOptions>, 'override'> & { override?: Partial<OverrideRequest> }) {
  return decideGate({
    window: w,
    now: options.now ?? SATURDAY,
    mode: options.mode ?? 'block',
    override: { ...none, ...options.override },
  });
}

describe('decideGate', () => {
  it('open: allowed, no failure, next window is now', () => {
    const r = gate({ now: FRIDAY });
    expect(gateOutputs(r)).toEqual({
      allowed: 'true',
      reason: 'open',
      message: 'Deploys are open at Fri 2026-11-20 10:00 PST (window mon-fri 09:00-17:00 America/Los_Angeles).',
      'local-time': '2026-11-20T10:00:00-08:00',
      'next-window': '2026-11-20T10:00:00-08:00',
      overridden: 'false',
      'override-by': '',
    });
    expect(r.failure).toBeUndefined();
  });

  it('closed in block mode: fails with the rule and the next window', () => {
    const r = gate({});
    expect(r.allowed).toBe(false);
    expect(r.failure).toBe(
      'Deploys are closed at Sat 2026-11-21 10:00 PST: Sat is not a deploy day (mon-fri). Next window: Mon 2026-11-23 09:00 PST.',
    );
    expect(r.hint).toMatch(/override: true and an override-reason/);
    expect(gateOutputs(r)['next-window']).toBe('2026-11-23T09:00:00-08:00');
  });

  it('closed in warn mode: never fails, allowed stays false', () => {
    const r = gate({ mode: 'warn' });
    expect(r).toMatchObject({ allowed: false, reason: 'closed-day', failure: undefined });
  });

  it('an override with a reason allows the deploy and records actor, reason and time', () => {
    const r = gate({ override: { requested: true, reason: '  hotfix\nfor checkout ', actor: 'mona' } });
    expect(gateOutputs(r)).toMatchObject({
      allowed: 'true',
      reason: 'overridden',
      overridden: 'true',
      'override-by': 'mona',
    });
    expect(r.audit).toBe(
      'Override by mona at 2026-11-21T18:00:00.000Z (Sat 2026-11-21 10:00 PST): hotfix for checkout',
    );
    expect(r.failure).toBeUndefined();
    expect(gateSummary(r).toString()).toContain('**Override audit:** Override by mona at 2026-11-21T18:00:00.000Z');
  });

  it('an override without a reason is refused: block fails, warn only warns', () => {
    const blocked = gate({ override: { requested: true, reason: '   ' } });
    expect(blocked).toMatchObject({ allowed: false, overridden: false, overrideBy: '' });
    expect(blocked.failure).toMatch(/^Override refused: 'override-reason' is empty.*Deploys are closed/);
    const warned = gate({ mode: 'warn', override: { requested: true } });
    expect(warned).toMatchObject({ allowed: false, reason: 'closed-day', failure: undefined });
    expect(warned.refusal).toMatch(/'override-reason' is empty/);
  });

  it('override-actors: listed logins may override (case-insensitive), others are refused', () => {
    const actors = ['Mona', 'hubot'];
    const ok = gate({ override: { requested: true, reason: 'incident 42', actors, actor: 'mona' } });
    expect(ok).toMatchObject({ allowed: true, overridden: true, overrideBy: 'mona' });
    const refused = gate({ override: { requested: true, reason: 'incident 42', actors, actor: 'eve' } });
    expect(refused).toMatchObject({ allowed: false, overridden: false });
    expect(refused.failure).toMatch(/Override refused: 'eve' is not listed in 'override-actors' \(Mona, hubot\)/);
  });

  it('a refused override fails in block mode even while the window is open: the same inputs fail at any hour', () => {
    const r = gate({ now: FRIDAY, override: { requested: true, reason: '' } });
    expect(r.allowed).toBe(true);
    expect(r.failure).toMatch(/^Override refused/);
  });

  it('an override while open is not used and not recorded', () => {
    const r = gate({ now: FRIDAY, override: { requested: true, reason: 'just in case' } });
    expect(r).toMatchObject({ allowed: true, reason: 'open', overridden: false, overrideBy: '' });
    expect(r.audit).toBeUndefined();
  });

  it('the summary states verdict, local time, deciding rule and next window', () => {
    const text = gateSummary(gate({ mode: 'warn' })).toString();
    expect(text).toContain('## Business hours gate: closed');
    expect(text).toContain('| Verdict | Closed (warn mode: the step does not fail) |');
    expect(text).toContain('| Local time | Sat 2026-11-21 10:00 PST (America/Los_Angeles) |');
    expect(text).toContain('| Decided by | Sat is not a deploy day (mon-fri) |');
    expect(text).toContain('| Next window | Mon 2026-11-23 09:00 PST (2026-11-23T09:00:00-08:00) |');
  });

  it('escapes Markdown in an override reason', () => {
    const r = gate({ override: { requested: true, reason: '<img src=x> **bold** @team' } });
    const text = gateSummary(r).toString();
    expect(text).toContain('\\<img src=x\\> \\*\\*bold\\*\\*');
    expect(text).not.toMatch(/[^\\]<img/);
  });
});

describe('parseNow', () => {
  it('needs an instant with an offset and names the input', () => {
    expect(parseNow('2026-11-21T00:59:00Z')).toBe(Date.UTC(2026, 10, 21, 0, 59));
    expect(parseNow('2026-11-20T16:59-08:00')).toBe(Date.UTC(2026, 10, 21, 0, 59));
    for (const bad of ['2026-11-20T16:59:00', '2026-11-20', 'yesterday', '2026-13-01T00:00:00Z']) {
      expect(() => parseNow(bad)).toThrow(/Invalid input 'now'.*expected an ISO 8601 instant with an offset/);
    }
  });
});

describe('openDeployWindow', () => {
  it('loads holidays only when asked', async () => {
    const plain = await openDeployWindow({
      timezone: 'UTC',
      days: 'mon-fri',
      start: '09:00',
      end: '17:00',
      holidayTypes: [],
    });
    expect(plain.holidays).toBeUndefined();
    const withHolidays = await openDeployWindow({
      timezone: 'Europe/Berlin',
      days: 'mon-fri',
      start: '09:00',
      end: '17:00',
      holidays: 'de-by',
      holidayTypes: ['public'],
    });
    expect(withHolidays.at(parseNow('2026-01-06T10:00:00+01:00')).rule).toBe('Epiphany (DE-BY public holiday)');
  });

  it('holidays with no holiday types is an error naming holiday-types', async () => {
    await expect(
      openDeployWindow({
        timezone: 'UTC',
        days: 'mon-fri',
        start: '09:00',
        end: '17:00',
        holidays: 'US',
        holidayTypes: [],
      }),
    ).rejects.toThrow(/Invalid input 'holiday-types': got no types/);
  });

  it('reports window problems before loading holidays', async () => {
    await expect(
      openDeployWindow({
        timezone: 'Nowhere',
        days: 'mon-fri',
        start: '09:00',
        end: '17:00',
        holidays: 'XX',
        holidayTypes: [],
      }),
    ).rejects.toBeInstanceOf(InputError);
  });
});
