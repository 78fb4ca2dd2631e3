/**
 * What a gate reads of a commit's checks: check runs (docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference)
 * and commit statuses (docs.github.com/en/rest/commits/statuses#get-the-combined-status-for-a-specific-reference).
 */
import type { GitHubApi } from './api';
import { HttpError, linkHeader, page, type Reply, type Route } from './http';
import type { CheckRun, CommitStatus } from './schemas';
import type { Store } from './state';

export function seedCheckRun(store: Store, seed: Parameters<GitHubApi['seedCheckRun']>[0]): CheckRun {
  const at = store.now();
  const id = store.nextId();
  const status = seed.status ?? 'completed';
  const run: CheckRun = {
    id,
    name: seed.name,
    head_sha: seed.sha,
    status,
    conclusion: status === 'completed' ? (seed.conclusion ?? 'success') : null,
    started_at: at,
    completed_at: status === 'completed' ? at : null,
    details_url: seed.details_url ?? `${store.serverUrl}/${store.repository}/runs/${id}`,
    html_url: `${store.serverUrl}/${store.repository}/runs/${id}`,
    app: { slug: 'github-actions' },
  };
  store.checkRuns.push(run);
  return run;
}

export function updateCheckRun(store: Store, id: number, patch: Parameters<GitHubApi['updateCheckRun']>[1]): void {
  const run = store.checkRuns.find((r) => r.id === id);
  if (!run) throw new Error(`no check run ${id}`);
  Object.assign(run, patch);
  if (run.status === 'completed') run.completed_at ??= store.now();
}

export function seedCommitStatus(store: Store, seed: Parameters<GitHubApi['seedCommitStatus']>[0]): CommitStatus {
  const at = store.now();
  const st = {
    id: store.nextId(),
    sha: seed.sha,
    context: seed.context,
    state: seed.state,
    description: seed.description ?? null,
    target_url: null,
    created_at: at,
    updated_at: at,
  };
  store.commitStatuses.push(st);
  const { sha: _sha, ...status } = st;
  return status;
}

function commitSha(store: Store, ref: string): string {
  const sha = store.shaOf(decodeURIComponent(ref));
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${ref}`);
  return sha;
}

/** checks/list-for-ref: filter latest (the newest run per name, the default) or all; check_name; status. */
function listCheckRuns(store: Store, ref: string, q: URLSearchParams, url: URL): Reply {
  const sha = commitSha(store, ref);
  let list = store.checkRuns.filter((r) => r.head_sha === sha).sort((a, b) => b.id - a.id);
  if (q.get('filter') !== 'all') list = list.filter((r, i) => list.findIndex((o) => o.name === r.name) === i);
  if (q.has('check_name')) list = list.filter((r) => r.name === q.get('check_name'));
  if (q.has('status')) list = list.filter((r) => r.status === q.get('status'));
  const p = page(list, q);
  return [200, { total_count: list.length, check_runs: p.items }, linkHeader(url, p)];
}

/**
 * repos/get-combined-status-for-ref: the newest status per context; failure when any is error or
 * failure, pending when there is none or any is pending, else success.
 */
function combinedStatus(store: Store, ref: string, q: URLSearchParams, url: URL): Reply {
  const sha = commitSha(store, ref);
  const all = store.commitStatuses.filter((st) => st.sha === sha).sort((a, b) => b.id - a.id);
  const latest = all.filter((st, i) => all.findIndex((o) => o.context === st.context) === i);
  const state = latest.some((st) => st.state === 'error' || st.state === 'failure')
    ? 'failure'
    : latest.length === 0 || latest.some((st) => st.state === 'pending')
      ? 'pending'
      : 'success';
  const p = page(latest, q);
  const body = {
    state,
    statuses: p.items.map(({ sha: _sha, ...st }) => st),
    sha,
    total_count: latest.length,
    commit_url: `${store.repoUrl()}/commits/${sha}`,
    url: `${store.repoUrl()}/commits/${sha}/status`,
  };
  return [200, body, linkHeader(url, p)];
}

export function checkRoutes(store: Store): Route[] {
  return [
    ['GET', /^\/commits\/([^/]+)\/check-runs$/, (m, _b, q, url) => listCheckRuns(store, m[1], q, url)],
    ['GET', /^\/commits\/([^/]+)\/status$/, (m, _b, q, url) => combinedStatus(store, m[1], q, url)],
  ];
}
