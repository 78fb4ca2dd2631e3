import type { GitHubClient } from './client';

/**
 * Whether a commit's CI passed: its check runs (checks/list-for-ref, the newest run per name) and
 * commit statuses (repos/get-combined-status-for-ref, the newest per context), both as GitHub's
 * REST API describes them (github/rest-api-description, api.github.com.json).
 */

export interface CheckRunItem {
  name: string;
  status: string;
  conclusion: string | null;
  details_url?: string | null;
}
interface CombinedStatus {
  state: string;
  statuses: { context: string; state: string }[];
}

/** One check run or commit status, judged. */
export interface CheckVerdict {
  name: string;
  kind: 'check run' | 'status';
  /** `passed`, `pending` (not finished), `failed`, or `missing` (a named check that never reported). */
  outcome: 'passed' | 'pending' | 'failed' | 'missing';
  detail: string;
}

/**
 * Conclusions that do not block: GitHub's branch protection treats `neutral` and `skipped` as passing
 * ("About protected branches: require status checks"); every other completed conclusion fails.
 */
const PASSING = new Set(['success', 'neutral', 'skipped']);

export interface CommitChecksOptions {
  /** Only these check run names / status contexts count, and each must report; empty: all that reported. */
  names?: readonly string[];
  /** The run asking: its own jobs are check runs of the commit, still in progress, and never wait on themselves. */
  ownRunId?: string;
}

/** Reads and judges every check run and commit status of `ref`. */
export async function commitChecks(
  client: GitHubClient,
  ref: string,
  options: CommitChecksOptions = {},
): Promise<CheckVerdict[]> {
  const path = `/commits/${encodeURIComponent(ref)}`;
  const [runs, combined] = await Promise.all([
    client.list<CheckRunItem>(`${path}/check-runs`, { filter: 'latest' }),
    client.request<CombinedStatus>('GET', `${path}/status`, undefined, { per_page: 100 }),
  ]);
  const own = options.ownRunId ? `/actions/runs/${options.ownRunId}/` : undefined;
  const verdicts: CheckVerdict[] = [];
  for (const run of runs) {
    if (own && run.details_url?.includes(own)) continue;
    if (run.status !== 'completed') {
      verdicts.push({ name: run.name, kind: 'check run', outcome: 'pending', detail: run.status });
    } else {
      const conclusion = run.conclusion ?? 'none';
      verdicts.push({
        name: run.name,
        kind: 'check run',
        outcome: PASSING.has(conclusion) ? 'passed' : 'failed',
        detail: conclusion,
      });
    }
  }
  for (const st of combined.statuses) {
    const outcome = st.state === 'success' ? 'passed' : st.state === 'pending' ? 'pending' : 'failed';
    verdicts.push({ name: st.context, kind: 'status', outcome, detail: st.state });
  }
  const names = options.names ?? [];
  if (names.length === 0) return verdicts;
  const wanted = verdicts.filter((v) => names.includes(v.name));
  for (const name of names) {
    if (!wanted.some((v) => v.name === name)) {
      wanted.push({ name, kind: 'check run', outcome: 'missing', detail: 'not reported (yet)' });
    }
  }
  return wanted;
}

export interface WaitForChecksOptions extends CommitChecksOptions {
  timeoutMs: number;
  intervalMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onPoll?: (verdicts: CheckVerdict[]) => void;
}

export interface ChecksResult {
  passed: boolean;
  /** Why, in one line. */
  reason: string;
  verdicts: CheckVerdict[];
}

/**
 * Polls until every check passed, one failed (at once: waiting cannot fix it), or the deadline
 * passed with some still pending or missing.
 */
export async function waitForChecks(
  client: GitHubClient,
  ref: string,
  options: WaitForChecksOptions,
): Promise<ChecksResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  for (;;) {
    const verdicts = await commitChecks(client, ref, options);
    options.onPoll?.(verdicts);
    const failed = verdicts.filter((v) => v.outcome === 'failed');
    const waiting = verdicts.filter((v) => v.outcome === 'pending' || v.outcome === 'missing');
    if (failed.length > 0) {
      return { passed: false, reason: `failed: ${list(failed)}`, verdicts };
    }
    if (waiting.length === 0) {
      const reason =
        verdicts.length === 0 ? 'no check run or status reported on the commit' : `${verdicts.length} passed`;
      return { passed: true, reason, verdicts };
    }
    if (now() >= deadline) {
      return { passed: false, reason: `still pending when the wait ended: ${list(waiting)}`, verdicts };
    }
    await sleep(Math.max(0, Math.min(options.intervalMs, deadline - now())));
  }
}

function list(verdicts: CheckVerdict[]): string {
  const shown = verdicts.slice(0, 5).map((v) => `${v.name} (${v.detail})`);
  return verdicts.length > 5 ? `${shown.join(', ')} and ${verdicts.length - 5} more` : shown.join(', ');
}
