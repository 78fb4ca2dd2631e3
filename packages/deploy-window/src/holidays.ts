import { InputError } from '@deploy-actions/toolkit';
import type { IANAZone } from 'luxon';
import { DAY, toWall, type Wall } from './wall';

const LONGEST_HOLIDAY = 62 * DAY;

export const HOLIDAY_TYPES = ['public', 'bank', 'optional', 'school', 'observance'] as const;
export type HolidayType = (typeof HOLIDAY_TYPES)[number];

export interface Holiday {
  name: string;
  type: HolidayType;
  /** Wall-clock `[from, to)` in the window's zone; usually a whole day, sometimes an afternoon. */
  from: Wall;
  to: Wall;
}

/** Public holidays of one region, as wall-clock stretches in the window's zone. */
export interface HolidayCalendar {
  /** `US`, `US-CA`: the region's codes as date-holidays spells them. */
  readonly region: string;
  readonly types: readonly HolidayType[];
  /** The holiday covering a wall-clock time, if any. */
  at(wall: Wall): Holiday | undefined;
  /** Holidays overlapping `[from, to)`, in order. */
  between(from: Wall, to: Wall): Holiday[];
}

/**
 * Loads `date-holidays` (about 2.4 MB of rules and time-zone data once bundled) only here, so a gate
 * without `holidays` never pays for it. Holidays are computed in the window's zone: a US
 * holiday is the whole local day in Los Angeles, not the day in New York.
 */
export async function loadHolidayCalendar(
  region: string,
  types: readonly HolidayType[],
  zone: IANAZone,
): Promise<HolidayCalendar> {
  const { default: Holidays } = await import('date-holidays');
  const hd = new Holidays();
  const codes = resolveRegion(hd, region);
  if (!codes) {
    const country = resolveRegion(hd, region.split('-')[0]);
    const states = country ? Object.keys(hd.getStates(country.country, 'en') ?? {}) : [];
    const hint = states.length > 0 ? ` (states of ${country?.country}: ${states.join(', ')})` : '';
    throw new InputError([
      {
        input: 'holidays',
        message:
          `Invalid input 'holidays': got ${JSON.stringify(region)}; expected a country or country-state code ` +
          `known to date-holidays, such as US, US-CA or DE-BY${hint}`,
      },
    ]);
  }
  const calendar = new Holidays(codes, { types: [...types], timezone: zone.name, languages: ['en'] });

  const years = new Map<number, Holiday[]>();
  const ofYear = (year: number): Holiday[] => {
    let list = years.get(year);
    if (!list) {
      list = (calendar.getHolidays(year) || [])
        .filter((h) => (types as readonly string[]).includes(h.type))
        .map((h) => ({
          name: h.name,
          type: h.type,
          from: toWall(zone, h.start.getTime()),
          to: toWall(zone, h.end.getTime()),
        }));
      years.set(year, list);
    }
    return list;
  };
  const between = (from: Wall, to: Wall): Holiday[] => {
    const found: Holiday[] = [];
    // A year's list holds the holidays starting in it; one starting late in the previous year
    // (school holidays over New Year last weeks) can still cover early January.
    const first = new Date(from - LONGEST_HOLIDAY).getUTCFullYear();
    for (let y = first; y <= new Date(to + DAY).getUTCFullYear(); y++) {
      for (const h of ofYear(y)) if (h.from < to && h.to > from) found.push(h);
    }
    return found.sort((a, b) => a.from - b.from);
  };
  const canonical = [codes.country, codes.state, codes.region].filter(Boolean).join('-');
  return { region: canonical, types, at: (wall) => between(wall, wall + 1)[0], between };
}

type Codes = { country: string; state?: string; region?: string };

/** `us-ca` -> `{ country: 'US', state: 'CA' }` as date-holidays spells them; undefined when unknown. */
function resolveRegion(hd: InstanceType<typeof import('date-holidays').default>, text: string): Codes | undefined {
  const [country, state, region, extra] = text.toUpperCase().split('-');
  const match = (names: Record<string, string> | undefined, code: string) =>
    Object.keys(names ?? {}).find((key) => key.toUpperCase() === code);
  const codes: Codes = { country: match(hd.getCountries('en'), country) ?? '' };
  if (!codes.country || extra !== undefined) return undefined;
  if (state === undefined) return codes;
  codes.state = match(hd.getStates(codes.country, 'en'), state);
  if (!codes.state) return undefined;
  if (region === undefined) return codes;
  codes.region = match(hd.getRegions(codes.country, codes.state, 'en'), region);
  return codes.region ? codes : undefined;
}
