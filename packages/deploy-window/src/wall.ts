import type { IANAZone } from 'luxon';

export const MINUTE = 60_000;
export const DAY = 86_400_000;

/**
 * A wall-clock time: the local date and time shown on a clock in some zone, counted
 * in milliseconds as if that local time were UTC. Deploy rules are wall-clock rules
 * ("Friday 17:00 in Los Angeles"), so they are evaluated on this number; zones only
 * matter when converting instants to and from it.
 */
export type Wall = number;

export interface WallParts {
  /** `YYYY-MM-DD` */
  date: string;
  /** ISO weekday, 1 = Monday ... 7 = Sunday. */
  weekday: number;
  /** Minutes since local midnight, 0 ... 1439. */
  minute: number;
}

export function wallParts(wall: Wall): WallParts {
  const d = new Date(wall);
  return {
    date: d.toISOString().slice(0, 10),
    weekday: ((d.getUTCDay() + 6) % 7) + 1,
    minute: d.getUTCHours() * 60 + d.getUTCMinutes(),
  };
}

export function startOfWallDay(wall: Wall): Wall {
  return Math.floor(wall / DAY) * DAY;
}

export function floorMinute(wall: Wall): Wall {
  return Math.floor(wall / MINUTE) * MINUTE;
}

/** The zone's offset from UTC at an instant, in milliseconds. */
export function offsetAt(zone: IANAZone, instant: number): number {
  return Math.round(zone.offset(instant) * MINUTE);
}

export function toWall(zone: IANAZone, instant: number): Wall {
  return instant + offsetAt(zone, instant);
}

// Zone transitions are days to months apart; sampling every 6 hours cannot step over two.
const SAMPLE = 6 * 3_600_000;

/**
 * The first instant in (from, to] whose offset differs from the offset at `from`
 * (a daylight-saving or other zone transition), to the millisecond; undefined when
 * the offset stays the same throughout.
 */
export function nextTransition(zone: IANAZone, from: number, to: number): number | undefined {
  const offset = offsetAt(zone, from);
  let lo = from;
  while (lo < to) {
    const hi = Math.min(lo + SAMPLE, to);
    if (offsetAt(zone, hi) !== offset) return bisect(zone, lo, hi, offset);
    lo = hi;
  }
  return undefined;
}

/** Narrows (lo, hi], where lo has `offset` and hi does not, to the first changed millisecond. */
function bisect(zone: IANAZone, lo: number, hi: number, offset: number): number {
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(zone, mid) === offset) lo = mid;
    else hi = mid;
  }
  return hi;
}
