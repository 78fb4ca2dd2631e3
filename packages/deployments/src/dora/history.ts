import type { GitHubClient } from '@deploy-actions/github';
import { listDeployments } from '../deployments';
import { payloadObject } from '../payload';
import type { HistoryDeployment, Period } from './compute';

interface ApiStatus {
  state: string;
  created_at: string;
}

interface CompareAnswer {
  commits?: { commit?: { author?: { date?: string } | null } }[];
}

interface CommitAnswer {
  commit?: { author?: { date?: string } | null };
}

/** Statuses of a deployment: a handful each, one page (GitHub keeps at most 1,000 per deployment). */
async function statusesOf(client: GitHubClient, id: number): Promise<HistoryDeployment['statuses']> {
  const list = await client.list<ApiStatus>(`/deployments/${id}/statuses`, {}, { maxPages: 1 });
  return list.map((s) => ({ state: s.state, createdAt: s.created_at }));
}

/**
 * When the change a release brought was first committed: the oldest commit between the previous
 * verified release and this one ("Compare two commits", commits oldest first:
 * https://docs.github.com/en/rest/commits/commits#compare-two-commits), or the commit itself when
 * there is no earlier release or the comparison is refused (a base no longer in the repository).
 */
async function firstCommitAt(
  client: GitHubClient,
  base: string | undefined,
  head: string,
): Promise<string | undefined> {
  if (base && base !== head) {
    try {
      const compare = await client.request<CompareAnswer>('GET', `/compare/${base}...${head}`);
      const date = compare.commits?.[0]?.commit?.author?.date;
      if (date) return date;
    } catch {
      // Fall back to the release's own commit.
    }
  }
  try {
    return (await client.request<CommitAnswer>('GET', `/commits/${head}`)).commit?.author?.date ?? undefined;
  } catch {
    return undefined;
  }
}

export interface ReadHistoryOptions {
  period: Period;
  /** Only these environments (default: every environment found). */
  environments?: readonly string[];
  /** Pages of 100 deployments read per environment, newest first (default 10). */
  maxPages?: number;
}

/**
 * The deployments this suite recorded in the period (and the week before, for the failures and
 * releases it continues), with their statuses and the first commit of each verified release.
 */
export async function readHistory(client: GitHubClient, options: ReadHistoryOptions): Promise<HistoryDeployment[]> {
  const from = options.period.since.getTime() - 7 * 86_400_000;
  const wanted = options.environments && options.environments.length > 0 ? options.environments : [undefined];
  const history: HistoryDeployment[] = [];
  for (const environment of wanted) {
    const listed = await listDeployments(client, { environment, maxPages: options.maxPages ?? 10 });
    const kept = listed
      .filter((d) => Date.parse(d.createdAt) >= from && Date.parse(d.createdAt) < options.period.until.getTime())
      .reverse();
    for (const d of kept) {
      const payload = payloadObject(d.payload);
      history.push({
        id: d.id,
        environment: d.environment,
        sha: d.sha,
        createdAt: d.createdAt,
        rollback: payload.rollback === true || d.task === 'deploy:rollback',
        statuses: await statusesOf(client, d.id),
      });
    }
  }
  // The first commit of each verified release, from the previous verified release of its environment.
  const lastVerified = new Map<string, string>();
  for (const d of history) {
    if (d.rollback || !d.statuses.some((s) => s.state === 'success')) continue;
    const inPeriod = Date.parse(d.createdAt) >= options.period.since.getTime();
    if (inPeriod) d.firstCommitAt = await firstCommitAt(client, lastVerified.get(d.environment), d.sha);
    lastVerified.set(d.environment, d.sha);
  }
  return history;
}
