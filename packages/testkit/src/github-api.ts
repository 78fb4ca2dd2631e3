/**
 * A local GitHub REST API on loopback, for tests and rehearsals: point GITHUB_API_URL at `api.url`.
 * Test equipment, never bundled. State is in memory; tests seed it and inspect it.
 *
 *   const api = await startGitHubApi({ repository: 'acme/shop', token: 'ghs_test' });
 *   env.GITHUB_API_URL = api.url;
 *   api.seedCommit({ sha, message: 'Fix checkout\n\nbody' });
 *   const d = api.seedDeployment({ environment: 'production', sha, payload: {...}, states: ['in_progress', 'success'] });
 *   api.seedComment(12, 'hello');                          // a comment on issue/PR #12
 *   api.failNext({ status: 502 }, { times: 2, method: 'POST', path: /\/deployments$/ });
 *   api.state.deployments / api.state.statuses / api.state.comments   // what the code under test did
 *   api.latestStatus(d.id)?.state
 *   api.requests                                           // every request: method, path, query, body, status
 *   await api.close();
 *
 * Routes (all under /repos/{owner}/{repo}; other repositories answer 404 like GitHub does
 * for a token without access):
 *   POST  /deployments                    create (ref required; `payload` object or string kept as sent)
 *   GET   /deployments                    newest first; filters sha, ref, task, environment; per_page, page, Link
 *   GET   /deployments/{id}
 *   POST  /deployments/{id}/statuses      state validated; description over 140 chars -> 422;
 *                                         `auto_inactive` (default true) marks earlier success deployments of the
 *                                         same environment inactive unless they are transient or production
 *   GET   /deployments/{id}/statuses      newest first; per_page, page
 *   GET   /issues/{n}/comments            oldest first; per_page (default 30), page, Link
 *   POST  /issues/{n}/comments            {body}
 *   PATCH /issues/comments/{id}           {body}
 *   GET   /commits/{ref}                  seeded commits by sha (or a branch name given to seedCommit)
 *   GET   /commits/{ref}/check-runs       checks/list-for-ref: {total_count, check_runs}; check_name, status,
 *                                         filter (latest: the newest run per name, the default; all);
 *                                         per_page (default 30, max 100), page, Link
 *   GET   /commits/{ref}/status           repos/get-combined-status-for-ref: the newest status per context;
 *                                         state failure (any error or failure), pending (none, or any
 *                                         pending), else success; per_page, page
 *   GET   /compare/{base}...{head}        the commits reachable from head back to base (first parents),
 *                                         oldest first, as `commits` with `total_commits`; 404 when base is not
 *                                         an ancestor (docs.github.com/en/rest/commits/commits#compare-two-commits)
 *   GET   /actions/runs/{run_id}          seeded workflow runs of this repository (seedRun); others 404
 *   GET   /pulls/{n}                      seeded pull requests (seedPull): number, state, merged, title; others 404
 *   POST  /graphql                        `query { viewer { login } }` only: the token's login
 * Authentication: `Authorization: Bearer|token <token>` must match, else 401 "Bad credentials".
 *
 * Behaviour taken from GitHub's documentation (each rule cites it where it is enforced, in the
 * modules under github-api/: one a resource, with server.ts routing and limits.ts the rate limits):
 * - primary rate limit: every answer carries x-ratelimit-limit/-remaining/-used/-reset/-resource;
 *   past the limit 403 "API rate limit exceeded" with remaining 0 (default 1,000 an hour: GITHUB_TOKEN's);
 * - secondary rate limit: more than 80 content-creating requests a minute or 500 an hour answer 403
 *   "You have exceeded a secondary rate limit" (with `retry-after` when `secondaryRetryAfter` is set);
 * - 422 bodies are `{message: 'Validation Failed', errors: [{resource, field, code, message}], ...}`;
 *   a comment body over 65,536 characters is refused that way;
 * - create deployment: 202 `{message}` when it auto-merged the default branch (a commit seeded
 *   `behindDefault`, unless `auto_merge: false`), 409 when required status checks did not pass
 *   (`required_contexts` omitted and the commit has no successful status);
 * - `auto_inactive` marks *prior* success deployments of the environment inactive (not newer ones);
 * - deployments, statuses and comments carry `creator`/`user` with `login` and `type`;
 * - a token's permissions (`setPermission('actions', 'none')`): a route its permission does not cover
 *   answers 403 "Resource not accessible by integration", as GITHUB_TOKEN does when the job's
 *   `permissions:` leave that scope out.
 */
export type { ApiRequest, Fault, GitHubApi, GitHubApiOptions, SeedDeployment } from './github-api/api';
export type { PermissionLevel, PermissionScope } from './github-api/permissions';
export {
  type Actor,
  type CheckRun,
  type Commit,
  type CommitStatus,
  DEPLOYMENT_STATES,
  type Deployment,
  type DeploymentState,
  type DeploymentStatus,
  type IssueComment,
  type MinimalRepository,
  type SeedRun,
  type WorkflowRun,
} from './github-api/schemas';
export { startGitHubApi } from './github-api/start';
