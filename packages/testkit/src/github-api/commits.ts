/** Commits and comparisons (docs.github.com/en/rest/commits/commits). */
import type { GitHubApi } from './api';
import { HttpError, type Reply, type Route } from './http';
import type { Commit } from './schemas';
import type { Store } from './state';

export function seedCommit(store: Store, c: Parameters<GitHubApi['seedCommit']>[0]): void {
  const commit: Commit = {
    sha: c.sha,
    message: c.message,
    author: { name: 'Mona Lisa', email: 'mona@example.com', login: 'octocat', ...c.author },
    behindDefault: c.behindDefault,
    successfulContexts: c.successfulContexts ?? ['ci'],
    date: c.date,
    parents: c.parents,
  };
  store.commits.set(c.sha, commit);
  if (c.branch) store.commits.set(c.branch, commit);
}

/** A commit as repos/get-commit and compare's `commits[]` carry it. */
function commitBody(store: Store, c: Commit) {
  return {
    sha: c.sha,
    commit: { message: c.message, author: { name: c.author.name, email: c.author.email, date: c.date ?? store.now() } },
    author: { login: c.author.login },
  };
}

function getCommit(store: Store, ref: string): Reply {
  const c = store.commits.get(decodeURIComponent(ref));
  if (!c) throw new HttpError(422, `No commit found for SHA: ${ref}`);
  const { sha, ...rest } = commitBody(store, c);
  return [200, { sha, html_url: `${store.serverUrl}/${store.repository}/commit/${c.sha}`, ...rest }];
}

/** Walks first parents from head to base; the answer lists them oldest first (compare-two-commits). */
function compare(store: Store, baseRef: string, headRef: string): Reply {
  const { commits } = store;
  const base = decodeURIComponent(baseRef);
  const chain: Commit[] = [];
  for (let c = commits.get(decodeURIComponent(headRef)); c && c.sha !== base; c = commits.get(c.parents?.[0] ?? '')) {
    chain.push(c);
    if (chain.length > 10_000) break;
  }
  // 404 when base is not an ancestor of head.
  if (!commits.has(base) || chain.length === 0 || commits.get(chain.at(-1)?.parents?.[0] ?? '')?.sha !== base) {
    throw new HttpError(404, 'Not Found');
  }
  const list = chain.reverse().map((c) => commitBody(store, c));
  return [
    200,
    { status: 'ahead', ahead_by: list.length, behind_by: 0, total_commits: list.length, commits: list.slice(0, 250) },
  ];
}

export function commitRoutes(store: Store): Route[] {
  return [
    ['GET', /^\/commits\/([^/]+)$/, (m) => getCommit(store, m[1])],
    ['GET', /^\/compare\/([^/]+)\.\.\.([^/]+)$/, (m) => compare(store, m[1], m[2])],
  ];
}
