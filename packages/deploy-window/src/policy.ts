import { InputError, splitList } from '@deploy-actions/toolkit';
import { IANAZone } from 'luxon';
import { DAY, MINUTE, type Wall } from './wall';

/** A frozen stretch of wall-clock time, `[from, to)`. */
export interface Freeze {
  /** The line as written, for messages. */
  text: string;
  from: Wall;
  to: Wall;
}

/** When deploys may start, on the wall clock of one zone. */
export interface WindowPolicy {
  zone: IANAZone;
  /** ISO weekdays (1 = Monday) on which a window opens. */
  days: ReadonlySet<number>;
  /** Minutes since midnight; the window is `[start, end)`. `end` may be 1440 (24:00). */
  start: number;
  end: number;
  /** `start > end`: the window opens on a listed day and closes the next morning. */
  overnight: boolean;
  freezes: readonly Freeze[];
}

export interface WindowInputs {
  timezone: string;
  days: string;
  start: string;
  end: string;
  freeze?: string;
}

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const FULL_DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

function dayNumber(name: string): number | undefined {
  const n = name.toLowerCase();
  const i = DAY_NAMES.indexOf(n) >= 0 ? DAY_NAMES.indexOf(n) : FULL_DAY_NAMES.indexOf(n);
  return i >= 0 ? i + 1 : undefined;
}

/** `mon-fri`, `mon,wed,fri`, `fri-mon` (wraps past Sunday), full names too. */
export function parseDays(text: string): Set<number> | undefined {
  const days = new Set<number>();
  const items = text.split(/[\s,]+/).filter((item) => item !== '');
  if (items.length === 0) return undefined;
  for (const item of items) {
    const [first, last, extra] = item.split('-');
    const from = dayNumber(first);
    const to = last === undefined ? from : dayNumber(last);
    if (from === undefined || to === undefined || extra !== undefined) return undefined;
    for (let d = from; ; d = (d % 7) + 1) {
      days.add(d);
      if (d === to) break;
    }
  }
  return days;
}

/** `HH:MM` (or `H:MM`) as minutes since midnight; `24:00` only when `allowMidnightEnd`. */
export function parseClock(text: string, allowMidnightEnd = false): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (Number(m[2]) > 59) return undefined;
  if (minutes < 24 * 60 || (allowMidnightEnd && minutes === 24 * 60)) return minutes;
  return undefined;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** A local date or date-time as a wall time plus the length of time it names (a day or a minute). */
function parseLocal(text: string): { at: Wall; span: number } | undefined {
  const m = DATE_TIME.exec(text) ?? DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0] = m.slice(1).map(Number);
  const at = Date.UTC(year, month - 1, day, hour, minute);
  const back = new Date(at);
  // Date.UTC rolls 2026-02-30 over to March; a real date survives the round trip.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59) return undefined;
  return { at, span: m.length === 6 ? MINUTE : DAY };
}

/**
 * Freeze lines: a date `2026-12-24`, a date range `2026-12-20..2027-01-02`, or a local
 * date-time range `2026-11-27T12:00..2026-11-30T08:00`. Both ends are inclusive: an end
 * date covers its whole day, an end time its whole minute. Returns the bad line on error.
 */
export function parseFreezes(text: string): { ok: true; freezes: Freeze[] } | { ok: false; line: string; why: string } {
  const freezes: Freeze[] = [];
  for (const line of splitList(text)) {
    const parts = line.split('..').map((p) => p.trim());
    if (parts.length > 2) return { ok: false, line, why: 'more than one ".."' };
    const first = parseLocal(parts[0]);
    const last = parts.length === 2 ? parseLocal(parts[1]) : first;
    if (!first || !last) return { ok: false, line, why: 'not a real date YYYY-MM-DD or local time YYYY-MM-DDTHH:MM' };
    if (parts.length === 1 && first.span === MINUTE) {
      return { ok: false, line, why: 'a single time is not a range; write START..END' };
    }
    const from = first.at;
    const to = last.at + last.span;
    if (to <= from) return { ok: false, line, why: 'the end is before the start' };
    freezes.push({ text: line, from, to });
  }
  return { ok: true, freezes };
}

function invalid(input: string, got: string, expected: string): { input: string; message: string } {
  return { input, message: `Invalid input '${input}': got ${JSON.stringify(got)}; expected ${expected}` };
}

/** Validates the window inputs together and reports every problem at once. */
export function parseWindowPolicy(raw: WindowInputs): WindowPolicy {
  const problems: { input: string; message: string }[] = [];
  const zone = IANAZone.create(raw.timezone);
  // Abbreviations such as PST or EST are either unknown or fixed offsets in the time zone
  // database (EST never observes daylight saving): only Area/City names (and UTC) are taken.
  if (!IANAZone.isValidZone(raw.timezone) || !(raw.timezone.includes('/') || /^UTC$/i.test(raw.timezone))) {
    problems.push(
      invalid(
        'timezone',
        raw.timezone,
        'an IANA time zone name such as America/Los_Angeles, Europe/Berlin or UTC (not an abbreviation or fixed offset)',
      ),
    );
  }
  const days = parseDays(raw.days);
  if (!days) {
    problems.push(
      invalid('days', raw.days, 'days such as mon-fri, mon,wed,fri or fri-mon (mon tue wed thu fri sat sun)'),
    );
  }
  const start = parseClock(raw.start);
  if (start === undefined) problems.push(invalid('start', raw.start, 'a local time HH:MM from 00:00 to 23:59'));
  const end = parseClock(raw.end, true);
  if (end === undefined) problems.push(invalid('end', raw.end, 'a local time HH:MM from 00:00 to 24:00'));
  if (start !== undefined && end !== undefined && start === end) {
    problems.push(
      invalid(
        'end',
        raw.end,
        `a time other than start (${raw.start}); for the whole day use start 00:00 and end 24:00`,
      ),
    );
  }
  const freezes = parseFreezes(raw.freeze ?? '');
  if (!freezes.ok) {
    problems.push(
      invalid(
        'freeze',
        freezes.line,
        `one freeze per line: 2026-12-24, 2026-12-20..2027-01-02 or 2026-11-27T12:00..2026-11-30T08:00 (${freezes.why})`,
      ),
    );
  }
  if (problems.length > 0 || !days || start === undefined || end === undefined || !freezes.ok) {
    throw new InputError(problems);
  }
  // An end of 00:00 after a later start closes at midnight: the same as 24:00.
  const endMinute = end === 0 ? 24 * 60 : end;
  return { zone, days, start, end: endMinute, overnight: start > endMinute, freezes: freezes.freezes };
}

/** Minutes since midnight as `HH:MM`. */
export function formatClock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** `mon-fri 09:00-17:00 America/Los_Angeles` style description of the window. */
export function describeWindow(policy: WindowPolicy): string {
  const overnight = policy.overnight ? ' (next day)' : '';
  return `${describeDays(policy.days)} ${formatClock(policy.start)}-${formatClock(policy.end)}${overnight} ${policy.zone.name}`;
}

/** Days as runs: `mon-fri`, `mon,wed,fri`. */
export function describeDays(days: ReadonlySet<number>): string {
  const runs: string[] = [];
  const sorted = [...days].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    const first = DAY_NAMES[sorted[i] - 1];
    runs.push(
      j - i >= 2
        ? `${first}-${DAY_NAMES[sorted[j] - 1]}`
        : sorted
            .slice(i, j + 1)
            .map((d) => DAY_NAMES[d - 1])
            .join(','),
    );
    i = j + 1;
  }
  return runs.join(',');
}
