import { type Band, failureRateBand, frequencyBand, leadTimeBand, restoreBand } from './bands';

/** One deployment of the record with its statuses, as read from GitHub. */
export interface HistoryDeployment {
  id: number;
  environment: string;
  sha: string;
  createdAt: string;
  /** A deployment that put an earlier release back (auto-rollback's). */
  rollback: boolean;
  statuses: { state: string; createdAt: string }[];
  /** When the first commit this release brought to the environment was made, when known. */
  firstCommitAt?: string;
}

export interface Period {
  since: Date;
  until: Date;
}

export interface WeekFigures {
  /** First day of the week (UTC date). */
  start: string;
  deployments: number;
  failures: number;
}

/** The four keys for one environment and period, with the counts behind them. */
export interface EnvironmentFigures {
  environment: string;
  since: string;
  until: string;
  days: number;
  /** Releases that finished: verified or failed (rollback deployments are not releases). */
  releases: number;
  /** Releases verified healthy: what deployment frequency counts. */
  deployments: number;
  deploymentsPerDay: number;
  leadTime: { medianMs?: number; samples: number };
  /** Releases that failed the gate or were rolled back. */
  failures: number;
  changeFailureRate?: number;
  timeToRestore: { medianMs?: number; samples: number; open: number };
  bands: { deploymentFrequency?: Band; leadTime?: Band; changeFailureRate?: Band; timeToRestore?: Band };
  weeks: WeekFigures[];
}

const WEEK = 7 * 86_400_000;
const FAILED = new Set(['failure', 'error']);

const time = (iso: string) => Date.parse(iso);

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function firstAt(d: HistoryDeployment, states: (state: string) => boolean): number | undefined {
  const times = d.statuses.filter((s) => states(s.state)).map((s) => time(s.createdAt));
  return times.length > 0 ? Math.min(...times) : undefined;
}

/**
 * The DORA figures of one environment's history over a period:
 * - deployment frequency: releases verified (a success status) per day;
 * - lead time: median from the first commit a release brought to its verification;
 * - change failure rate: releases that failed (a failure or error status: the gate) or were rolled
 *   back (a rollback deployment before the next release), over releases that finished;
 * - time to restore: median from a failure (its failure status, or the rollback's start) to the next
 *   verification of any deployment; failures not restored by the end of the history are `open`.
 */
export function environmentFigures(
  environment: string,
  history: HistoryDeployment[],
  period: Period,
): EnvironmentFigures {
  const all = history
    .filter((d) => d.environment === environment)
    .sort((a, b) => time(a.createdAt) - time(b.createdAt) || a.id - b.id);
  const since = period.since.getTime();
  const until = period.until.getTime();
  const inPeriod = (t: number) => t >= since && t < until;
  const verifiedAt = new Map(all.map((d) => [d.id, firstAt(d, (s) => s === 'success')]));

  const releases = all.filter((d) => !d.rollback && inPeriod(time(d.createdAt)));
  const leadTimes: number[] = [];
  const failures: { at: number; release: HistoryDeployment }[] = [];
  let finished = 0;
  let deployments = 0;
  const weeks: WeekFigures[] = [];
  for (let start = since; start < until; start += WEEK) {
    weeks.push({ start: new Date(start).toISOString().slice(0, 10), deployments: 0, failures: 0 });
  }
  const weekOf = (t: number) => weeks[Math.floor((t - since) / WEEK)];

  for (const release of releases) {
    const created = time(release.createdAt);
    const verified = verifiedAt.get(release.id);
    const failedAt = firstAt(release, (s) => FAILED.has(s));
    const next = all.find((d) => !d.rollback && time(d.createdAt) > created);
    const rolledBack = all.find(
      (d) => d.rollback && time(d.createdAt) > created && (!next || time(d.createdAt) < time(next.createdAt)),
    );
    if (verified !== undefined || failedAt !== undefined) finished++;
    if (verified !== undefined && failedAt === undefined) {
      deployments++;
      weekOf(created).deployments++;
      if (release.firstCommitAt) leadTimes.push(verified - time(release.firstCommitAt));
    }
    const failedTime = failedAt ?? (rolledBack ? time(rolledBack.createdAt) : undefined);
    if (failedTime !== undefined) {
      failures.push({ at: failedTime, release });
      weekOf(created).failures++;
    }
  }

  const restores: number[] = [];
  let open = 0;
  for (const failure of failures) {
    const restored = all
      .filter((d) => d.id !== failure.release.id)
      .map((d) => verifiedAt.get(d.id))
      .filter((t): t is number => t !== undefined && t > failure.at);
    if (restored.length === 0) open++;
    else restores.push(Math.min(...restored) - failure.at);
  }

  const days = (until - since) / 86_400_000;
  const perDay = deployments / days;
  const leadMedian = median(leadTimes);
  const restoreMedian = median(restores);
  const rate = finished > 0 ? failures.length / finished : undefined;
  return {
    environment,
    since: period.since.toISOString(),
    until: period.until.toISOString(),
    days,
    releases: finished,
    deployments,
    deploymentsPerDay: perDay,
    leadTime: { medianMs: leadMedian, samples: leadTimes.length },
    failures: failures.length,
    changeFailureRate: rate,
    timeToRestore: { medianMs: restoreMedian, samples: restores.length, open },
    bands: {
      deploymentFrequency: frequencyBand(perDay),
      leadTime: leadMedian === undefined ? undefined : leadTimeBand(leadMedian),
      changeFailureRate: rate === undefined ? undefined : failureRateBand(rate),
      timeToRestore: restoreMedian === undefined ? undefined : restoreBand(restoreMedian),
    },
    weeks,
  };
}

/** Figures for every environment in the history (or those asked for), by name. */
export function doraFigures(
  history: HistoryDeployment[],
  period: Period,
  environments?: readonly string[],
): EnvironmentFigures[] {
  const names =
    environments && environments.length > 0
      ? [...environments]
      : [...new Set(history.map((d) => d.environment))].sort();
  return names.map((name) => environmentFigures(name, history, period));
}
