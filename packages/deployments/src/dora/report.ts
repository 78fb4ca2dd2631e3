import type { GitHubClient } from '@deploy-actions/github';
import type { Summary } from '@deploy-actions/toolkit';
import { doraFigures, type EnvironmentFigures } from './compute';
import { readHistory } from './history';
import { doraJson, doraSummary } from './render';

export interface DoraReportOptions {
  /** Days before `until` the period covers. */
  days: number;
  until: Date;
  environments?: readonly string[];
}

export interface DoraReport {
  figures: EnvironmentFigures[];
  json: string;
  summary: Summary;
}

/** Reads the record of the period from GitHub and computes the four keys per environment. */
export async function doraReport(client: GitHubClient, options: DoraReportOptions): Promise<DoraReport> {
  const period = { since: new Date(options.until.getTime() - options.days * 86_400_000), until: options.until };
  const history = await readHistory(client, { period, environments: options.environments });
  const figures = doraFigures(history, period, options.environments);
  return { figures, json: doraJson(figures), summary: doraSummary(figures) };
}
