import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DeployWindow, formatClock, type HolidayCalendar, loadHolidayCalendar, parseWindowPolicy } from '../src/index';

// Zones with ordinary and odd daylight saving: half-hour DST (Lord Howe), Dublin,
// :45 offsets (Kathmandu, Chatham), southern hemisphere, Ramadan pauses (Casablanca).
const ZONES = [
  'America/Los_Angeles',
  'Europe/Berlin',
  'Europe/Dublin',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/Santiago',
  'Africa/Casablanca',
  'America/St_Johns',
  'UTC',
];
const QUARTER = 15 * 60_000;
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2029, 0, 1);
const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

const localDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const localTime = (ms: number) => new Date(ms).toISOString().slice(0, 16);

/**
 * A random window policy. `step` is the minute grid of start, end and freeze times: with 15,
 * the verdict is constant on every quarter hour of UTC in these zones, so checking each
 * quarter hour between two instants checks every instant.
 */
function policyArb(step: number) {
  const clock = fc.integer({ min: 0, max: 1440 / step - 1 }).map((i) => i * step);
  const stepMs = step * 60_000;
  // Freezes near `now` (placed when the instant is known), so they matter to the next window.
  const freeze = fc.record({
    offsetSteps: fc.integer({ min: (-10 * 1440) / step, max: (10 * 1440) / step }),
    lengthSteps: fc.integer({ min: 0, max: (10 * 1440) / step }),
    dates: fc.boolean(),
  });
  return fc
    .record({
      timezone: fc.constantFrom(...ZONES),
      days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }),
      start: clock,
      end: clock,
      freezes: fc.array(freeze, { maxLength: 3 }),
    })
    .filter((p) => p.start !== p.end)
    .map((p) => (now: number) => ({
      timezone: p.timezone,
      days: p.days.map((d) => DAY_NAMES[d]).join(','),
      start: formatClock(p.start),
      // 00:00 as an end is midnight; sometimes write it as 24:00.
      end: p.end === 0 ? '24:00' : formatClock(p.end),
      freeze: p.freezes
        .map(({ offsetSteps, lengthSteps, dates }) => {
          const from = Math.floor(now / stepMs) * stepMs + offsetSteps * stepMs;
          const to = from + lengthSteps * stepMs;
          return dates ? `${localDate(from)}..${localDate(to)}` : `${localTime(from)}..${localTime(to)}`;
        })
        .join('\n'),
    }));
}

const instantArb = fc.oneof(
  fc.integer({ min: FROM, max: TO }),
  // Near the spring and autumn changes of both hemispheres, where off-by-an-hour bugs live.
  fc
    .record({
      year: fc.integer({ min: 2025, max: 2028 }),
      month: fc.constantFrom(2, 3, 8, 9, 10),
      day: fc.integer({ min: 1, max: 31 }),
      minute: fc.integer({ min: 0, max: 1439 }),
      second: fc.integer({ min: 0, max: 59_999 }),
    })
    .map(({ year, month, day, minute, second }) => Date.UTC(year, month, day, 0, minute) + second),
);

/** Asserts both properties for one window and instant, checking `at` every `stride` from now to next. */
function assertNextWindow(w: DeployWindow, now: number, stride: number, fine = 0): void {
  const next = w.nextOpen(now);
  expect(next, 'a window exists within the horizon').toBeDefined();
  if (next === undefined) return;
  expect(next).toBeGreaterThanOrEqual(now);
  expect(w.at(next).allowed, `next window ${new Date(next).toISOString()} is allowed`).toBe(true);
  if (next === now) return;
  expect(w.at(next - 1).allowed, 'the instant before the next window is closed').toBe(false);
  expect(w.at(now).allowed).toBe(false);
  // No allowed instant between now and the next window.
  const first = Math.floor(now / stride) * stride + stride;
  for (let t = first; t < next; t += stride) {
    if (w.at(t).allowed)
      throw new Error(`allowed at ${new Date(t).toISOString()}, before ${new Date(next).toISOString()}`);
  }
  // Every minute near both ends, where a window edge or a zone change sits.
  for (let t = now; t < Math.min(next, now + fine); t += 60_000) expect(w.at(t).allowed).toBe(false);
  for (let t = next - 60_000; t > Math.max(now, next - fine); t -= 60_000) expect(w.at(t).allowed).toBe(false);
}

describe('next-window properties (fast-check)', () => {
  it('quarter-hour policies: next-window is allowed and no quarter hour before it is', () => {
    fc.assert(
      fc.property(policyArb(15), instantArb, (raw, now) => {
        const w = new DeployWindow(parseWindowPolicy(raw(now)));
        assertNextWindow(w, now, QUARTER);
      }),
      { numRuns: 150 },
    );
  });

  it('any-minute policies: next-window is allowed and no minute near either end is', () => {
    fc.assert(
      fc.property(policyArb(1), instantArb, (raw, now) => {
        const w = new DeployWindow(parseWindowPolicy(raw(now)));
        assertNextWindow(w, now, QUARTER, 2 * 3_600_000);
      }),
      { numRuns: 60 },
    );
  });

  describe('with US-CA holidays', () => {
    let holidays: HolidayCalendar;
    beforeAll(async () => {
      const zone = parseWindowPolicy({
        timezone: 'America/Los_Angeles',
        days: 'mon',
        start: '09:00',
        end: '17:00',
      }).zone;
      holidays = await loadHolidayCalendar('US-CA', ['public'], zone);
    });

    it('holidays are skipped like any closed day', () => {
      fc.assert(
        fc.property(policyArb(15), instantArb, (raw, now) => {
          const w = new DeployWindow(parseWindowPolicy({ ...raw(now), timezone: 'America/Los_Angeles' }), holidays);
          assertNextWindow(w, now, QUARTER);
        }),
        { numRuns: 60 },
      );
    });
  });
});

describe('verdict properties (fast-check)', () => {
  it('the window allows exactly the local minutes in [start, end) of a listed day (overnight: of the day it opened)', () => {
    fc.assert(
      fc.property(policyArb(1), instantArb, (raw, now) => {
        const w = new DeployWindow(parseWindowPolicy({ ...raw(now), freeze: '' }));
        const { start, end, overnight, days } = w.policy;
        // Independent of the package: the local clock from Intl.
        const parts = Object.fromEntries(
          new Intl.DateTimeFormat('en-US', {
            timeZone: w.policy.zone.name,
            hourCycle: 'h23',
            weekday: 'short',
            hour: '2-digit',
            minute: '2-digit',
          })
            .formatToParts(now)
            .map((p) => [p.type, p.value]),
        );
        const minute = Number(parts.hour) * 60 + Number(parts.minute);
        const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday) + 1;
        const yesterday = weekday === 1 ? 7 : weekday - 1;
        const expected = overnight
          ? (days.has(weekday) && minute >= start) || (days.has(yesterday) && minute < end)
          : days.has(weekday) && minute >= start && minute < end;
        expect(w.at(now).allowed).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});
