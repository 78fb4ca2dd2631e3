import type { HolidayCalendar } from './holidays';
import { describeDays, describeWindow, formatClock, type WindowPolicy } from './policy';
import {
  DAY,
  floorMinute,
  MINUTE,
  nextTransition,
  offsetAt,
  startOfWallDay,
  toWall,
  type Wall,
  wallParts,
} from './wall';

export type WindowReason = 'open' | 'outside-hours' | 'closed-day' | 'holiday' | 'freeze';

export interface Verdict {
  allowed: boolean;
  reason: WindowReason;
  /** The rule that decided, in words. */
  rule: string;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
// How far past the last freeze to look for a window before giving up.
const HORIZON = 400 * DAY;
// Zone transitions crossed while looking; real zones have two a year.
const MAX_SEGMENTS = 1000;

/**
 * A deploy window: weekly hours, holidays and freezes on one zone's wall clock.
 * Everything is decided at minute precision on local time, so daylight-saving days
 * need no special cases; only `nextOpen` deals in instants.
 */
export class DeployWindow {
  private readonly lastFreezeEnd: Wall;
  private readonly openRule: string;

  constructor(
    readonly policy: WindowPolicy,
    readonly holidays?: HolidayCalendar,
  ) {
    this.lastFreezeEnd = Math.max(Number.NEGATIVE_INFINITY, ...policy.freezes.map((f) => f.to));
    this.openRule = `window ${describeWindow(policy)}`;
  }

  /** The verdict at an instant (ms since the epoch). */
  at(instant: number): Verdict {
    return this.atWall(toWall(this.policy.zone, instant));
  }

  /** Freeze first, then holiday, then the weekly window: the most specific rule is the one reported. */
  atWall(wall: Wall): Verdict {
    const w = floorMinute(wall);
    const freeze = this.policy.freezes.find((f) => f.from <= w && w < f.to);
    if (freeze) return { allowed: false, reason: 'freeze', rule: `freeze ${freeze.text}` };
    const holiday = this.holidays?.at(w);
    if (holiday && this.holidays) {
      return {
        allowed: false,
        reason: 'holiday',
        rule: `${holiday.name} (${this.holidays.region} ${holiday.type} holiday)`,
      };
    }
    const { days, start, end, overnight } = this.policy;
    const { weekday, minute } = wallParts(w);
    const yesterday = weekday === 1 ? 7 : weekday - 1;
    // The day whose window covers this minute: an overnight window belongs to the day it opened.
    let windowDay: number | undefined;
    if (!overnight) windowDay = minute >= start && minute < end ? weekday : undefined;
    else windowDay = minute >= start ? weekday : minute < end ? yesterday : undefined;
    if (windowDay !== undefined && days.has(windowDay)) {
      return { allowed: true, reason: 'open', rule: this.openRule };
    }
    const day = windowDay ?? weekday;
    if (!days.has(day)) {
      const which = day === weekday ? WEEKDAYS[day - 1] : `the night from ${WEEKDAYS[day - 1]}`;
      return { allowed: false, reason: 'closed-day', rule: `${which} is not a deploy day (${describeDays(days)})` };
    }
    return {
      allowed: false,
      reason: 'outside-hours',
      rule: `outside ${formatClock(start)}-${formatClock(end)}${overnight ? ' (next day)' : ''}`,
    };
  }

  /**
   * The earliest instant at or after `instant` when deploys are allowed, or undefined
   * when none exists within 400 days of the last freeze. Walks the zone one stretch of
   * constant UTC offset at a time: inside a stretch, wall clock and instant move
   * together, so the search runs on the wall clock; at a transition (spring forward,
   * fall back) it restarts from the new wall-clock time.
   */
  nextOpen(instant: number): number | undefined {
    const { zone } = this.policy;
    let t = instant;
    for (let i = 0; i < MAX_SEGMENTS; i++) {
      const offset = offsetAt(zone, t);
      const wall = t + offset;
      const open = this.nextOpenWall(wall);
      if (open === undefined) return undefined;
      const at = open - offset;
      const transition = nextTransition(zone, t, at);
      if (transition === undefined) return at;
      t = transition;
    }
    return undefined;
  }

  /** The earliest wall-clock time at or after `wall` that is allowed, ignoring zone transitions. */
  private nextOpenWall(wall: Wall): Wall | undefined {
    if (this.atWall(wall).allowed) return wall;
    const limit = Math.max(wall, this.lastFreezeEnd) + HORIZON;
    const startMs = this.policy.start * MINUTE;
    for (let day = startOfWallDay(wall); day <= limit; day += DAY) {
      const next = day + DAY;
      // Deploys can only become allowed where a window opens, a day begins, or a freeze or holiday ends.
      const candidates = [day, day + startMs];
      for (const f of this.policy.freezes) if (f.to >= day && f.to < next) candidates.push(f.to);
      for (const h of this.holidays?.between(day, next) ?? []) if (h.to >= day && h.to < next) candidates.push(h.to);
      candidates.sort((a, b) => a - b);
      for (const c of candidates) if (c > wall && this.atWall(c).allowed) return c;
    }
    return undefined;
  }
}
