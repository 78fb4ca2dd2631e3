/**
 * DORA performance bands. The thresholds are those of the Accelerate State of DevOps report 2019
 * (DORA, Google Cloud: "Elite performance" table, p. 18; https://dora.dev/research/2019/dora-report/),
 * made contiguous where the report leaves gaps between bands, and with the change failure rate
 * bands of the 2021 report (Elite 0-15%, High 16-30%).
 */
export type Band = 'elite' | 'high' | 'medium' | 'low';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Elite: on demand (at least daily); high: at least weekly; medium: at least monthly; low: less often. */
export function frequencyBand(perDay: number): Band {
  if (perDay >= 1) return 'elite';
  if (perDay >= 1 / 7) return 'high';
  if (perDay >= 1 / 30) return 'medium';
  return 'low';
}

/** Elite: under a day; high: up to a week; medium: up to a month; low: longer. */
export function leadTimeBand(ms: number): Band {
  if (ms < DAY) return 'elite';
  if (ms <= 7 * DAY) return 'high';
  if (ms <= 30 * DAY) return 'medium';
  return 'low';
}

/** Elite: under an hour; high: under a day; medium: under a week; low: longer. */
export function restoreBand(ms: number): Band {
  if (ms < HOUR) return 'elite';
  if (ms < DAY) return 'high';
  if (ms < 7 * DAY) return 'medium';
  return 'low';
}

/** Elite: up to 15%; high: up to 30%; medium: up to 45%; low: more. */
export function failureRateBand(rate: number): Band {
  if (rate <= 0.15) return 'elite';
  if (rate <= 0.3) return 'high';
  if (rate <= 0.45) return 'medium';
  return 'low';
}
