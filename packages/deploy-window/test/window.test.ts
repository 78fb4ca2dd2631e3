import { beforeAll, describe, expect, it } from 'vitest';
import { DeployWindow, type HolidayCalendar, loadHolidayCalendar, parseNow, parseWindowPolicy } from '../src/index';

type Raw = { timezone?: string; days?: string; start?: string; end?: string; freeze?: string };

function window(raw: Raw = {}, holidays?: HolidayCalendar): DeployWindow {
  const policy = parseWindowPolicy({
    timezone: raw.timezone ?? 'America/Los_Angeles',
    days: raw.days ?? 'mon-fri',
    start: raw.start ?? '09:00',
    end: raw.end ?? '17:00',
    freeze: raw.freeze,
  });
  return new DeployWindow(policy, holidays);
}

/** Verdict and next window at `now`, the next window as a UTC ISO string. */
function check(w: DeployWindow, now: string) {
  const at = parseNow(now);
  const verdict = w.at(at);
  const next = w.nextOpen(at);
  return { allowed: verdict.allowed, reason: verdict.reason, next: next === undefined ? undefined : iso(next) };
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('business hours in Los Angeles (Mon-Fri 09:00-17:00, end exclusive)', () => {
  const w = window();

  it('Friday 16:59 Pacific is open', () => {
    expect(check(w, '2026-11-20T16:59:00-08:00')).toEqual({
      allowed: true,
      reason: 'open',
      next: '2026-11-21T00:59:00Z',
    });
  });

  it('Friday 17:00 Pacific is closed until Monday 09:00 Pacific', () => {
    expect(check(w, '2026-11-20T17:00:00-08:00')).toEqual({
      allowed: false,
      reason: 'outside-hours',
      next: '2026-11-23T17:00:00Z',
    });
    expect(check(w, '2026-11-20T16:59:59.999-08:00').allowed).toBe(true);
  });

  it('Saturday is a closed day', () => {
    expect(check(w, '2026-11-21T11:00:00-08:00')).toEqual({
      allowed: false,
      reason: 'closed-day',
      next: '2026-11-23T17:00:00Z',
    });
    expect(w.at(parseNow('2026-11-21T11:00:00-08:00')).rule).toBe('Sat is not a deploy day (mon-fri)');
  });

  it('Monday 08:59 is outside hours and opens a minute later', () => {
    expect(check(w, '2026-11-23T08:59:30-08:00')).toEqual({
      allowed: false,
      reason: 'outside-hours',
      next: '2026-11-23T17:00:00Z',
    });
  });

  it('a Pacific window seen from UTC: Saturday 00:30 UTC is still Friday afternoon', () => {
    expect(check(w, '2026-11-21T00:30:00Z').allowed).toBe(true);
  });
});

describe('holidays (date-holidays, public only, local days in the window zone)', () => {
  let usCa: HolidayCalendar;
  let us: HolidayCalendar;
  let usObservances: HolidayCalendar;
  beforeAll(async () => {
    const zone = parseWindowPolicy({
      timezone: 'America/Los_Angeles',
      days: 'mon-fri',
      start: '09:00',
      end: '17:00',
    }).zone;
    [usCa, us, usObservances] = await Promise.all([
      loadHolidayCalendar('US-CA', ['public'], zone),
      loadHolidayCalendar('us', ['public'], zone),
      loadHolidayCalendar('US', ['public', 'observance'], zone),
    ]);
  });

  it('Thanksgiving in US-CA is a holiday, and so is the day after', () => {
    const w = window({}, usCa);
    expect(check(w, '2026-11-26T10:00:00-08:00')).toEqual({
      allowed: false,
      reason: 'holiday',
      next: '2026-11-30T17:00:00Z',
    });
    expect(w.at(parseNow('2026-11-26T10:00:00-08:00')).rule).toBe('Thanksgiving Day (US-CA public holiday)');
    expect(check(w, '2026-11-27T10:00:00-08:00')).toMatchObject({ reason: 'holiday', next: '2026-11-30T17:00:00Z' });
    expect(w.at(parseNow('2026-11-27T10:00:00-08:00')).rule).toBe('Day after Thanksgiving Day (US-CA public holiday)');
  });

  it('the day after Thanksgiving is a working day under federal US holidays', () => {
    const w = window({}, us);
    expect(check(w, '2026-11-26T10:00:00-08:00').reason).toBe('holiday');
    expect(check(w, '2026-11-27T10:00:00-08:00')).toMatchObject({ allowed: true, reason: 'open' });
    // From Wednesday evening the next window skips Thanksgiving.
    expect(check(w, '2026-11-25T17:30:00-08:00').next).toBe('2026-11-27T17:00:00Z');
  });

  it('a holiday is the local day: 23:30 in Los Angeles on the eve is not yet Christmas', () => {
    const w = window({ days: 'mon-sun', start: '00:00', end: '24:00' }, us);
    expect(check(w, '2026-12-24T23:30:00-08:00')).toMatchObject({ allowed: true });
    expect(check(w, '2026-12-25T00:00:00-08:00')).toEqual({
      allowed: false,
      reason: 'holiday',
      next: '2026-12-26T08:00:00Z',
    });
  });

  it("New Year's Day on a Saturday is observed on Friday 31 December, across the year boundary", () => {
    const w = window({}, us);
    expect(check(w, '2021-12-30T17:00:00-08:00')).toEqual({
      allowed: false,
      reason: 'outside-hours',
      next: '2022-01-03T17:00:00Z',
    });
    expect(w.at(parseNow('2021-12-31T10:00:00-08:00')).rule).toBe(
      "New Year's Day (substitute day) (US public holiday)",
    );
  });

  it('observances close only when asked for, and only the hours they cover (Halloween from 18:00)', () => {
    const evening = window({ end: '20:00' }, usObservances);
    expect(check(window({ end: '20:00' }, us), '2025-10-31T19:00:00-07:00').allowed).toBe(true);
    expect(check(evening, '2025-10-31T19:00:00-07:00')).toEqual({
      allowed: false,
      reason: 'holiday',
      next: '2025-11-03T17:00:00Z',
    });
    expect(check(evening, '2025-10-31T17:59:00-07:00').allowed).toBe(true);
  });

  it('an unknown region is an error naming the holidays input', async () => {
    const zone = window().policy.zone;
    await expect(loadHolidayCalendar('XX', ['public'], zone)).rejects.toThrow(/Invalid input 'holidays': got "XX"/);
    await expect(loadHolidayCalendar('US-ZZ', ['public'], zone)).rejects.toThrow(/states of US: .*CA/);
    await expect(loadHolidayCalendar('US-CA-XX-YY', ['public'], zone)).rejects.toThrow(/'holidays'/);
  });
});

describe('daylight saving days of 2026', () => {
  it('Los Angeles spring forward (Sun 8 Mar, 02:00 -> 03:00): a 02:30 window opens when the clock jumps to 03:00', () => {
    const w = window({ days: 'sun', start: '02:30', end: '04:00' });
    // 01:59 PST is 09:59Z; the next minute is 03:00 PDT (10:00Z), already past 02:30.
    expect(check(w, '2026-03-08T01:59:00-08:00')).toEqual({
      allowed: false,
      reason: 'outside-hours',
      next: '2026-03-08T10:00:00Z',
    });
    expect(check(w, '2026-03-08T10:00:00Z')).toMatchObject({ allowed: true, reason: 'open' });
    expect(check(w, '2026-03-08T03:59:00-07:00').allowed).toBe(true);
    expect(check(w, '2026-03-08T04:00:00-07:00').allowed).toBe(false);
  });

  it('Los Angeles spring forward: Monday opens at 09:00 PDT (16:00Z), not at the winter 17:00Z', () => {
    expect(check(window(), '2026-03-06T17:00:00-08:00').next).toBe('2026-03-09T16:00:00Z');
    expect(check(window(), '2026-03-09T15:59:00Z').allowed).toBe(false);
    expect(check(window(), '2026-03-09T16:00:00Z').allowed).toBe(true);
  });

  it('Los Angeles fall back (Sun 1 Nov, 02:00 PDT -> 01:00 PST): the repeated hour reopens a 01:00-01:30 window', () => {
    const w = window({ days: 'sun', start: '01:00', end: '01:30' });
    expect(check(w, '2026-11-01T01:10:00-07:00').allowed).toBe(true);
    // 01:45 PDT is past the window; an hour of real time later the clock reads 01:00 again.
    expect(check(w, '2026-11-01T01:45:00-07:00')).toEqual({
      allowed: false,
      reason: 'outside-hours',
      next: '2026-11-01T09:00:00Z',
    });
    expect(check(w, '2026-11-01T01:15:00-08:00').allowed).toBe(true);
    expect(check(w, '2026-11-01T01:30:00-08:00').next).toBe('2026-11-08T09:00:00Z');
  });

  it('Los Angeles fall back: Monday opens at 09:00 PST (17:00Z), not at the summer 16:00Z', () => {
    expect(check(window(), '2026-10-30T17:00:00-07:00').next).toBe('2026-11-02T17:00:00Z');
    expect(check(window(), '2026-11-02T16:30:00Z').allowed).toBe(false);
  });

  it('Berlin spring forward (Sun 29 Mar, 02:00 -> 03:00): a 02:00-03:00 window does not exist that day', () => {
    const w = window({ timezone: 'Europe/Berlin', days: 'sun', start: '02:00', end: '03:00' });
    expect(check(w, '2026-03-29T01:30:00+01:00')).toEqual({
      allowed: false,
      reason: 'outside-hours',
      next: '2026-04-05T00:00:00Z',
    });
    expect(check(w, '2026-03-29T03:00:00+02:00').allowed).toBe(false);
  });

  it('Berlin fall back (Sun 25 Oct, 03:00 CEST -> 02:00 CET): an overnight window until 02:30 opens again', () => {
    const w = window({ timezone: 'Europe/Berlin', days: 'sat', start: '22:00', end: '02:30' });
    expect(check(w, '2026-10-25T02:15:00+02:00').allowed).toBe(true);
    expect(check(w, '2026-10-25T02:45:00+02:00')).toEqual({
      allowed: false,
      reason: 'closed-day',
      next: '2026-10-25T01:00:00Z',
    });
    expect(check(w, '2026-10-25T02:29:00+01:00').allowed).toBe(true);
    expect(check(w, '2026-10-25T02:30:00+01:00').next).toBe('2026-10-31T21:00:00Z');
  });

  it('Berlin business hours keep 09:00 local across both changes', () => {
    const w = window({ timezone: 'Europe/Berlin' });
    expect(check(w, '2026-03-27T17:00:00+01:00').next).toBe('2026-03-30T07:00:00Z');
    expect(check(w, '2026-10-23T17:00:00+02:00').next).toBe('2026-10-26T08:00:00Z');
  });
});

describe('overnight windows (start later than end)', () => {
  const w = window({ days: 'mon-fri', start: '22:00', end: '06:00' });

  it('belong to the day they open: Saturday 02:00 is still Friday night', () => {
    expect(check(w, '2026-11-21T02:00:00-08:00')).toMatchObject({ allowed: true, reason: 'open' });
    expect(check(w, '2026-11-21T06:00:00-08:00')).toEqual({
      allowed: false,
      reason: 'closed-day',
      next: '2026-11-24T06:00:00Z',
    });
  });

  it('Monday 02:00 is Sunday night, which is closed', () => {
    expect(check(w, '2026-11-23T02:00:00-08:00')).toEqual({
      allowed: false,
      reason: 'closed-day',
      next: '2026-11-24T06:00:00Z',
    });
    expect(w.at(parseNow('2026-11-23T02:00:00-08:00')).rule).toBe('the night from Sun is not a deploy day (mon-fri)');
  });

  it('Tuesday noon is outside hours until 22:00', () => {
    expect(check(w, '2026-11-24T12:00:00-08:00')).toEqual({
      allowed: false,
      reason: 'outside-hours',
      next: '2026-11-25T06:00:00Z',
    });
  });
});

describe('freezes', () => {
  it('a date range across the year end, inclusive of its last day', () => {
    const w = window({ freeze: '2026-12-21..2027-01-04' });
    expect(check(w, '2026-12-31T10:00:00-08:00')).toEqual({
      allowed: false,
      reason: 'freeze',
      next: '2027-01-05T17:00:00Z',
    });
    expect(check(w, '2027-01-04T16:59:00-08:00').reason).toBe('freeze');
    expect(check(w, '2027-01-05T09:00:00-08:00').allowed).toBe(true);
    expect(check(w, '2026-12-18T17:00:00-08:00').next).toBe('2027-01-05T17:00:00Z');
    expect(w.at(parseNow('2026-12-31T10:00:00-08:00')).rule).toBe('freeze 2026-12-21..2027-01-04');
  });

  it('a freeze outranks holidays and closed days in the reported reason', () => {
    expect(check(window({ freeze: '2026-11-21' }), '2026-11-21T10:00:00-08:00').reason).toBe('freeze');
  });

  it('a local date-time range freezes through its last minute', () => {
    const w = window({ days: 'mon-sun', start: '00:00', end: '24:00', freeze: '2026-11-27T12:00..2026-11-30T08:00' });
    expect(check(w, '2026-11-27T11:59:00-08:00').allowed).toBe(true);
    expect(check(w, '2026-11-27T12:00:00-08:00')).toEqual({
      allowed: false,
      reason: 'freeze',
      next: '2026-11-30T16:01:00Z',
    });
    expect(check(w, '2026-11-30T08:00:00-08:00').reason).toBe('freeze');
  });

  it('several freezes in a row are skipped together', () => {
    const w = window({ freeze: '2026-11-23..2026-11-24\n2026-11-25\n2026-11-26T00:00..2026-11-26T09:30' });
    expect(check(w, '2026-11-23T10:00:00-08:00').next).toBe('2026-11-26T17:31:00Z');
  });
});
