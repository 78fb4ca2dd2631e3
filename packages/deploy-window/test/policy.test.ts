import { InputError } from '@deploy-actions/toolkit';
import { describe, expect, it } from 'vitest';
import { describeDays, parseClock, parseDays, parseFreezes, parseWindowPolicy } from '../src/index';

const base = { timezone: 'America/Los_Angeles', days: 'mon-fri', start: '09:00', end: '17:00' };

function problems(raw: Partial<typeof base> & { freeze?: string }): string[] {
  try {
    parseWindowPolicy({ ...base, ...raw });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).inputs;
  }
  return [];
}

describe('parseDays', () => {
  it('reads ranges, lists, full names and ranges that wrap past Sunday', () => {
    expect([...parseDays('mon-fri')!].sort()).toEqual([1, 2, 3, 4, 5]);
    expect([...parseDays('Mon, wed,FRI')!].sort()).toEqual([1, 3, 5]);
    expect([...parseDays('friday-monday')!].sort()).toEqual([1, 5, 6, 7]);
    expect([...parseDays('sun-thu')!].sort()).toEqual([1, 2, 3, 4, 7]);
  });

  it('refuses unknown names, empty text and broken ranges', () => {
    for (const bad of ['', 'mon-fry', 'mon-', 'mon-wed-fri', '1-5', 'weekdays']) expect(parseDays(bad)).toBeUndefined();
  });

  it('describes days as runs', () => {
    expect(describeDays(parseDays('mon-fri')!)).toBe('mon-fri');
    expect(describeDays(parseDays('mon,wed,fri,sat,sun')!)).toBe('mon,wed,fri-sun');
  });
});

describe('parseClock', () => {
  it('reads HH:MM and H:MM, and 24:00 only as an end', () => {
    expect(parseClock('09:00')).toBe(540);
    expect(parseClock('9:05')).toBe(545);
    expect(parseClock('23:59')).toBe(1439);
    expect(parseClock('24:00')).toBeUndefined();
    expect(parseClock('24:00', true)).toBe(1440);
  });

  it('refuses malformed times', () => {
    for (const bad of ['9', '9am', '09:60', '25:00', '09:00:00', '0900', ' ']) expect(parseClock(bad)).toBeUndefined();
  });
});

describe('parseFreezes', () => {
  it('reads dates, date ranges and local date-time ranges, all inclusive', () => {
    const result = parseFreezes('2026-12-24\n2026-12-20..2027-01-02\n2026-11-27T12:00..2026-11-30T08:00\n# comment');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [day, range, times] = result.freezes;
    expect([new Date(day.from).toISOString(), new Date(day.to).toISOString()]).toEqual([
      '2026-12-24T00:00:00.000Z',
      '2026-12-25T00:00:00.000Z',
    ]);
    expect(new Date(range.to).toISOString()).toBe('2027-01-03T00:00:00.000Z');
    // The end minute 08:00 is itself frozen.
    expect(new Date(times.to).toISOString()).toBe('2026-11-30T08:01:00.000Z');
  });

  it('names the bad line and why', () => {
    expect(parseFreezes('2026-02-30')).toMatchObject({ ok: false, line: '2026-02-30' });
    expect(parseFreezes('2027-01-02..2026-12-20')).toMatchObject({ ok: false, why: 'the end is before the start' });
    expect(parseFreezes('2026-11-27T12:00')).toMatchObject({ ok: false, why: expect.stringContaining('not a range') });
    expect(parseFreezes('2026-12-24T25:00..2026-12-25')).toMatchObject({ ok: false });
    expect(parseFreezes('christmas')).toMatchObject({ ok: false, line: 'christmas' });
  });
});

describe('parseWindowPolicy', () => {
  it('accepts the defaults and overnight windows', () => {
    expect(parseWindowPolicy(base)).toMatchObject({ start: 540, end: 1020, overnight: false });
    expect(parseWindowPolicy({ ...base, start: '22:00', end: '06:00' })).toMatchObject({ overnight: true });
    // Closing at 00:00 after a later start is the same as 24:00, not an overnight window.
    expect(parseWindowPolicy({ ...base, start: '20:00', end: '00:00' })).toMatchObject({ end: 1440, overnight: false });
  });

  it('names each bad input, all at once', () => {
    expect(problems({ timezone: 'Pacific/Nowhere' })).toEqual(['timezone']);
    expect(problems({ timezone: 'UTC-8' })).toEqual(['timezone']);
    // EST is a fixed offset in the time zone database: it would ignore daylight saving.
    expect(problems({ timezone: 'EST' })).toEqual(['timezone']);
    expect(problems({ timezone: 'UTC' })).toEqual([]);
    expect(problems({ days: 'weekdays', start: '9am', end: '17:60', freeze: 'soon' })).toEqual([
      'days',
      'start',
      'end',
      'freeze',
    ]);
    expect(problems({ start: '09:00', end: '09:00' })).toEqual(['end']);
  });

  it('explains what it expected without a stack trace', () => {
    expect(() => parseWindowPolicy({ ...base, timezone: 'PST' })).toThrow(
      /Invalid input 'timezone': got "PST"; expected an IANA time zone/,
    );
  });
});
