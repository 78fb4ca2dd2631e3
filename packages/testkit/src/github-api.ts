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
 * Behaviour taken from GitHub's documentation (each rule cites it where it is enforced):
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
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const DEPLOYMENT_STATES = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

export interface Deployment {
  id: number;
  url: string;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  environment: string;
  original_environment: string;
  description: string | null;
  node_id: string;
  creator: Actor;
  created_at: string;
  updated_at: string;
  statuses_url: string;
  repository_url: string;
  transient_environment: boolean;
  production_environment: boolean;
  /** As sent (GitHub does not return these; kept for assertions). */
  required_contexts?: string[];
  auto_merge?: boolean;
}

export interface DeploymentStatus {
  id: number;
  deployment_id: number;
  url: string;
  state: DeploymentState;
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  target_url: string;
  node_id: string;
  deployment_url: string;
  repository_url: string;
  creator: Actor;
  created_at: string;
  updated_at: string;
  /** As sent, for assertions. */
  auto_inactive?: boolean;
}

export interface IssueComment {
  id: number;
  issue_number: number;
  body: string;
  html_url: string;
  url: string;
  node_id: string;
  issue_url: string;
  user: Actor;
  author_association: string;
  performed_via_github_app: null;
  created_at: string;
  updated_at: string;
}

/** A simple-user: bots' logins end in `[bot]` and their type is `Bot`. */
export interface Actor {
  login: string;
  id: number;
  node_id: string;
  type: 'Bot' | 'User';
  site_admin: boolean;
  avatar_url: string;
  html_url: string;
  url: string;
}

/** components/schemas/check-run, the fields a gate reads (checks/list-for-ref). */
export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion:
    | 'success'
    | 'failure'
    | 'neutral'
    | 'cancelled'
    | 'skipped'
    | 'timed_out'
    | 'action_required'
    | 'stale'
    | null;
  started_at: string;
  completed_at: string | null;
  details_url: string;
  html_url: string;
  app: { slug: string };
}

/** components/schemas/simple-commit-status, the fields a gate reads. */
export interface CommitStatus {
  id: number;
  context: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  description: string | null;
  target_url: string | null;
  created_at: string;
  updated_at: string;
}

export interface Commit {
  sha: string;
  message: string;
  author: { name: string; email: string; login: string };
  /** The default branch moved on: creating a deployment auto-merges it unless `auto_merge: false`. */
  behindDefault?: boolean;
  /** Contexts of successful commit statuses (required checks pass only with one). */
  successfulContexts?: string[];
  /** Author date (ISO); default: when it is read. */
  date?: string;
  /** Parent shas (the first is followed by compare). */
  parents?: string[];
}

/**
 * A workflow run, shaped as `components/schemas/workflow-run` in GitHub's OpenAPI description
 * (github/rest-api-description, operation actions/get-workflow-run); the fields no test reads are kept
 * to the shape, not to meaning.
 */
export interface WorkflowRun {
  id: number;
  name: string;
  node_id: string;
  check_suite_id: number;
  head_branch: string | null;
  head_sha: string;
  path: string;
  display_title: string;
  run_number: number;
  run_attempt: number;
  event: string;
  status: string | null;
  conclusion: string | null;
  workflow_id: number;
  url: string;
  html_url: string;
  pull_requests: unknown[];
  created_at: string;
  updated_at: string;
  run_started_at: string;
  actor: Actor;
  triggering_actor: Actor;
  jobs_url: string;
  logs_url: string;
  check_suite_url: string;
  artifacts_url: string;
  cancel_url: string;
  rerun_url: string;
  previous_attempt_url: string | null;
  workflow_url: string;
  head_commit: { id: string; tree_id: string; message: string; timestamp: string; author: null; committer: null };
  repository: MinimalRepository;
  head_repository: MinimalRepository;
}

/** `components/schemas/minimal-repository`, the fields a run carries. */
export interface MinimalRepository {
  id: number;
  node_id: string;
  name: string;
  full_name: string;
  private: boolean;
  owner: Actor;
  html_url: string;
  url: string;
}

export interface SeedRun {
  id: number;
  head_sha: string;
  /** The repository the run belongs to (default: this API's): a run of another one answers 404 here. */
  repository?: string;
  /** Workflow file under .github/workflows (default deploy.yml). */
  workflow?: string;
  event?: string;
  head_branch?: string;
  status?: string;
  conclusion?: string | null;
  actor?: string;
}

/** A GitHub App permission scope of an installation token (GITHUB_TOKEN's `permissions:` keys). */
export type PermissionScope =
  | 'actions'
  | 'checks'
  | 'contents'
  | 'deployments'
  | 'issues'
  | 'pull-requests'
  | 'statuses';
export type PermissionLevel = 'none' | 'read' | 'write';

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization: string | undefined;
  status: number;
  receivedAt: number;
}

export interface Fault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Handle the request first, then answer the fault (a proxy's 502 after GitHub did the write). */
  afterHandling?: boolean;
}

export interface GitHubApiOptions {
  repository?: string;
  token?: string;
  /** Where html_url links point (default https://github.com). */
  serverUrl?: string;
  /** Login recorded as creator/comment author (default github-actions[bot]). */
  login?: string;
  /** Requests an hour (default 1,000: GITHUB_TOKEN's limit per repository). */
  rateLimit?: number;
  /** Content-creating requests allowed per minute and per hour (default 80 and 500). */
  secondaryLimit?: { perMinute: number; perHour: number };
  /** The length of "a minute" for the secondary limit (tests shorten it; default 60 s). */
  secondaryWindowMs?: number;
  /** `retry-after` seconds sent with a secondary-limit answer (GitHub may send none: default). */
  secondaryRetryAfter?: number;
}

export interface SeedDeployment {
  environment: string;
  sha?: string;
  ref?: string;
  task?: string;
  payload?: unknown;
  description?: string;
  transient_environment?: boolean;
  production_environment?: boolean;
  created_at?: string;
  /** Statuses to add in order (the last one is the latest). */
  states?: DeploymentState[];
  /** Who created it (default: the token's login). */
  creator?: string;
}

export interface GitHubApi {
  readonly url: string;
  readonly repository: string;
  readonly token: string;
  readonly state: { deployments: Deployment[]; statuses: DeploymentStatus[]; comments: IssueComment[] };
  readonly requests: ApiRequest[];
  seedDeployment(seed: SeedDeployment): Deployment;
  addStatus(deploymentId: number, state: DeploymentState, extra?: Partial<DeploymentStatus>): DeploymentStatus;
  /** A comment on issue/PR `issue`; `login` another author (ending in [bot] for a bot). */
  seedComment(issue: number, body: string, login?: string): IssueComment;
  /** A workflow run of this repository (or, with `repository`, of another one: 404 here). */
  seedRun(run: SeedRun): WorkflowRun;
  /** A pull request of this repository, as GET /pulls/{n} serves it. */
  seedPull(number: number, state: 'open' | 'closed', options?: { merged?: boolean; title?: string }): void;
  /** What the token may do in one scope (default: write everywhere). `reset()` restores the default. */
  setPermission(scope: PermissionScope, level: PermissionLevel): void;
  seedCommit(commit: {
    sha: string;
    message: string;
    branch?: string;
    author?: Partial<Commit['author']>;
    behindDefault?: boolean;
    successfulContexts?: string[];
    date?: string;
    parents?: string[];
  }): void;
  /** A check run on `sha` (a later one of the same name supersedes it under filter=latest). */
  seedCheckRun(run: {
    sha: string;
    name: string;
    status?: CheckRun['status'];
    conclusion?: CheckRun['conclusion'];
    details_url?: string;
  }): CheckRun;
  /** Moves a check run on (a pending check finishing while a gate waits). */
  updateCheckRun(id: number, patch: Partial<Pick<CheckRun, 'status' | 'conclusion'>>): void;
  /** A commit status on `sha` for `context` (the newest per context counts). */
  seedCommitStatus(status: {
    sha: string;
    context: string;
    state: CommitStatus['state'];
    description?: string;
  }): CommitStatus;
  /** The primary rate limit: requests left in the current hour, and when it resets. */
  readonly rate: { limit: number; remaining: number; resetAt: number };
  /** Sets what is left of the primary rate limit (and optionally when it resets). */
  setRate(remaining: number, resetInMs?: number): void;
  /** The newest status of a deployment, if any. */
  latestStatus(deploymentId: number): DeploymentStatus | undefined;
  /** Answers the next `times` matching requests with `fault` instead of handling them. */
  failNext(fault: Fault, match?: { times?: number; method?: string; path?: RegExp }): void;
  reset(): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * GitHub's 422: "Validation Failed" with the details in `errors[]`
 * (components/schemas/validation-error in github/rest-api-description).
 */
function validationFailed(resource: string, field: string, code: string, message?: string): HttpError {
  return new HttpError(422, 'Validation Failed', {
    errors: [{ resource, field, code, ...(message ? { message } : {}) }],
    status: '422',
  });
}

/** Longest issue comment body GitHub stores, in characters. */
const COMMENT_LIMIT = 65_536;

function actor(login: string, id: number): Actor {
  return {
    login,
    id,
    node_id: `U_${id}`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    site_admin: false,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}`,
    html_url: `https://github.com/${login.replace(/\[bot\]$/, '')}`,
    url: `https://api.github.com/users/${encodeURIComponent(login)}`,
  };
}

const SHA = /^[0-9a-f]{40}$/;

function fakeSha(ref: string): string {
  return createHash('sha1').update(ref).digest('hex');
}

function page<T>(items: T[], query: URLSearchParams, defaultSize = 30): { items: T[]; last: number; page: number } {
  const size = Math.min(100, Math.max(1, Number(query.get('per_page') ?? defaultSize) || defaultSize));
  const current = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / size));
  return { items: items.slice((current - 1) * size, current * size), last, page: current };
}

export async function startGitHubApi(options: GitHubApiOptions = {}): Promise<GitHubApi> {
  const repository = options.repository ?? 'acme/shop';
  const token = options.token ?? 'ghs_testtoken0000000000000000000000000000';
  const serverUrl = options.serverUrl ?? 'https://github.com';
  const login = options.login ?? 'github-actions[bot]';
  const state = { deployments: [] as Deployment[], statuses: [] as DeploymentStatus[], comments: [] as IssueComment[] };
  const commits = new Map<string, Commit>();
  const pulls = new Map<number, { state: 'open' | 'closed'; merged: boolean; title: string }>();
  const runs = new Map<number, WorkflowRun>();
  const checkRuns: CheckRun[] = [];
  const commitStatuses: (CommitStatus & { sha: string })[] = [];
  const permissions = new Map<PermissionScope, PermissionLevel>();
  const requests: ApiRequest[] = [];
  let faults: { fault: Fault; times: number; method?: string; path?: RegExp }[] = [];
  let nextId = 1000;
  let clock = Date.parse('2026-01-01T00:00:00Z');
  // Strictly increasing timestamps keep "newest" unambiguous even within one millisecond.
  const now = () => {
    clock = Math.max(clock + 1000, Date.now());
    return new Date(clock).toISOString();
  };

  let origin = '';
  const repoUrl = () => `${origin}/repos/${repository}`;
  const actorIds = new Map<string, number>();
  const who = (name: string) => {
    if (!actorIds.has(name)) actorIds.set(name, 41898282 + actorIds.size);
    return actor(name, actorIds.get(name)!);
  };

  // Primary limit: a fixed hourly window per token (docs.github.com/en/rest/using-the-rest-api/
  // rate-limits-for-the-rest-api#primary-rate-limit-for-github_token-in-github-actions: 1,000 an hour).
  const rate = {
    limit: options.rateLimit ?? 1000,
    remaining: options.rateLimit ?? 1000,
    resetAt: Date.now() + 3_600_000,
  };
  // Secondary limit on content creation: "no more than 80 content-generating requests per minute and
  // no more than 500 content-generating requests per hour" (same page, #about-secondary-rate-limits).
  const secondary = options.secondaryLimit ?? { perMinute: 80, perHour: 500 };
  const minute = options.secondaryWindowMs ?? 60_000;
  let writes: number[] = [];

  function rateHeaders(): Record<string, string> {
    if (Date.now() >= rate.resetAt) {
      rate.remaining = rate.limit;
      rate.resetAt = Date.now() + 3_600_000;
    }
    return {
      'x-ratelimit-limit': String(rate.limit),
      'x-ratelimit-remaining': String(rate.remaining),
      'x-ratelimit-used': String(rate.limit - rate.remaining),
      'x-ratelimit-reset': String(Math.ceil(rate.resetAt / 1000)),
      'x-ratelimit-resource': 'core',
    };
  }

  /** Counts one request against the limits, or refuses it as GitHub does. */
  function charge(method: string, path: string): void {
    rateHeaders();
    if (rate.remaining <= 0) {
      // "you will receive a 403 or 429 response, and the x-ratelimit-remaining header will be 0"
      throw new HttpError(
        403,
        `API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID.`,
        {
          documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        },
      );
    }
    rate.remaining--;
    const creates = method !== 'GET' && method !== 'HEAD' && path !== '/graphql';
    if (!creates) return;
    const at = Date.now();
    writes = writes.filter((t) => t > at - 60 * minute);
    const lastMinute = writes.filter((t) => t > at - minute).length;
    if (lastMinute >= secondary.perMinute || writes.length >= secondary.perHour) {
      throw new HttpError(
        403,
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.',
        {
          documentation_url:
            'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
        options.secondaryRetryAfter === undefined ? {} : { 'retry-after': String(options.secondaryRetryAfter) },
      );
    }
    writes.push(at);
  }

  function minimalRepository(fullName: string): MinimalRepository {
    const [owner = '', name = ''] = fullName.split('/');
    const id = 1_296_269 + [...fullName].reduce((n, c) => n + c.charCodeAt(0), 0);
    return {
      id,
      node_id: `R_${id}`,
      name,
      full_name: fullName,
      private: true,
      owner: who(owner),
      html_url: `${serverUrl}/${fullName}`,
      url: `${origin}/repos/${fullName}`,
    };
  }

  function createRun(seed: SeedRun): WorkflowRun {
    const full = seed.repository ?? repository;
    const base = `${origin}/repos/${full}/actions/runs/${seed.id}`;
    const workflow = seed.workflow ?? 'deploy.yml';
    const at = now();
    const branch = seed.head_branch ?? 'main';
    const repo = minimalRepository(full);
    const run: WorkflowRun = {
      id: seed.id,
      name: workflow.replace(/\.ya?ml$/, ''),
      node_id: `WFR_${seed.id}`,
      check_suite_id: seed.id + 1,
      head_branch: branch,
      head_sha: seed.head_sha,
      // "The full path of the workflow", e.g. octocat/octo-repo/.github/workflows/ci.yml@main.
      path: `${full}/.github/workflows/${workflow}@${branch}`,
      display_title: workflow,
      run_number: seed.id % 1000,
      run_attempt: 1,
      event: seed.event ?? 'push',
      status: seed.status ?? 'completed',
      conclusion: seed.conclusion === undefined ? 'success' : seed.conclusion,
      workflow_id: 161_335,
      url: base,
      html_url: `${serverUrl}/${full}/actions/runs/${seed.id}`,
      pull_requests: [],
      created_at: at,
      updated_at: at,
      run_started_at: at,
      actor: who(seed.actor ?? 'octocat'),
      triggering_actor: who(seed.actor ?? 'octocat'),
      jobs_url: `${base}/jobs`,
      logs_url: `${base}/logs`,
      check_suite_url: `${origin}/repos/${full}/check-suites/${seed.id + 1}`,
      artifacts_url: `${base}/artifacts`,
      cancel_url: `${base}/cancel`,
      rerun_url: `${base}/rerun`,
      previous_attempt_url: null,
      workflow_url: `${origin}/repos/${full}/actions/workflows/161335`,
      head_commit: {
        id: seed.head_sha,
        tree_id: fakeSha(seed.head_sha),
        message: '',
        timestamp: at,
        author: null,
        committer: null,
      },
      repository: repo,
      head_repository: repo,
    };
    runs.set(run.id, run);
    return run;
  }

  /**
   * The permission a route needs ("Permissions required for GitHub Apps",
   * docs.github.com/en/rest/authentication/permissions-required-for-github-apps): Actions for workflow
   * runs, Deployments, Contents for commits, Issues or Pull requests for comments on a pull request.
   */
  function requirePermission(method: string, path: string): void {
    const scopes: PermissionScope[] = /^\/actions\//.test(path)
      ? ['actions']
      : /^\/commits\/[^/]+\/check-runs$/.test(path)
        ? ['checks']
        : /^\/commits\/[^/]+\/status$/.test(path)
          ? ['statuses']
          : /^\/deployments/.test(path)
            ? ['deployments']
            : /^\/issues\//.test(path)
              ? ['issues', 'pull-requests']
              : /^\/pulls\//.test(path)
                ? ['pull-requests']
                : /^\/(commits|compare)\//.test(path)
                  ? ['contents']
                  : [];
    if (scopes.length === 0) return;
    const needs: PermissionLevel = method === 'GET' ? 'read' : 'write';
    const rank = { none: 0, read: 1, write: 2 } as const;
    if (scopes.some((scope) => rank[permissions.get(scope) ?? 'write'] >= rank[needs])) return;
    throw new HttpError(403, 'Resource not accessible by integration');
  }

  function createDeployment(seed: SeedDeployment): Deployment {
    const id = nextId++;
    const ref = seed.ref ?? seed.sha ?? 'main';
    const sha = seed.sha ?? (SHA.test(ref) ? ref : (commits.get(ref)?.sha ?? fakeSha(ref)));
    const at = seed.created_at ?? now();
    const deployment: Deployment = {
      id,
      url: `${repoUrl()}/deployments/${id}`,
      sha,
      ref,
      task: seed.task ?? 'deploy',
      payload: seed.payload ?? {},
      environment: seed.environment,
      original_environment: seed.environment,
      description: seed.description ?? null,
      node_id: `DE_${id}`,
      creator: who(seed.creator ?? login),
      created_at: at,
      updated_at: at,
      statuses_url: `${repoUrl()}/deployments/${id}/statuses`,
      repository_url: repoUrl(),
      transient_environment: seed.transient_environment ?? false,
      production_environment: seed.production_environment ?? seed.environment === 'production',
    };
    state.deployments.push(deployment);
    return deployment;
  }

  const latestStatus = (deploymentId: number) => state.statuses.filter((s) => s.deployment_id === deploymentId).at(-1);

  function addStatus(deploymentId: number, st: DeploymentState, extra: Partial<DeploymentStatus> = {}) {
    const deployment = state.deployments.find((d) => d.id === deploymentId);
    if (!deployment) throw new HttpError(404, 'Not Found');
    const id = nextId++;
    const at = now();
    const status: DeploymentStatus = {
      id,
      deployment_id: deploymentId,
      url: `${deployment.url}/statuses/${id}`,
      state: st,
      description: '',
      environment: deployment.environment,
      environment_url: '',
      log_url: '',
      target_url: '',
      node_id: `DES_${id}`,
      deployment_url: deployment.url,
      repository_url: repoUrl(),
      creator: who(login),
      created_at: at,
      updated_at: at,
      ...extra,
    };
    state.statuses.push(status);
    deployment.updated_at = at;
    if (st === 'success' && extra.auto_inactive !== false) {
      for (const other of state.deployments) {
        // "all prior ... deployments" (create-a-deployment-status, auto_inactive): older ones only.
        if (other.id >= deploymentId || other.environment !== deployment.environment) continue;
        if (other.transient_environment || other.production_environment) continue;
        if (latestStatus(other.id)?.state !== 'success') continue;
        addStatus(other.id, 'inactive', { description: '', environment_url: '', log_url: '', target_url: '' });
      }
    }
    return status;
  }

  function createComment(issue: number, body: string, author = login): IssueComment {
    const id = nextId++;
    const at = now();
    const comment: IssueComment = {
      id,
      issue_number: issue,
      body,
      html_url: `${serverUrl}/${repository}/pull/${issue}#issuecomment-${id}`,
      url: `${repoUrl()}/issues/comments/${id}`,
      node_id: `IC_${id}`,
      issue_url: `${repoUrl()}/issues/${issue}`,
      user: who(author),
      author_association: author.endsWith('[bot]') ? 'NONE' : 'MEMBER',
      performed_via_github_app: null,
      created_at: at,
      updated_at: at,
    };
    state.comments.push(comment);
    return comment;
  }

  /** GitHub refuses issue comments over 65,536 characters (422, "body is too long"). */
  function checkCommentSize(text: string): void {
    if ([...text].length > COMMENT_LIMIT) {
      throw validationFailed(
        'IssueComment',
        'body',
        'custom',
        `body is too long (maximum is ${COMMENT_LIMIT} characters)`,
      );
    }
  }

  type Handler = (
    m: RegExpMatchArray,
    body: Record<string, unknown>,
    query: URLSearchParams,
    url: URL,
  ) => [number, unknown] | [number, unknown, Record<string, string>];

  /** The Link header GitHub sends with a paged list (next and last while there are more). */
  function linkHeader(url: URL, p: { page: number; last: number }): Record<string, string> {
    const links: string[] = [];
    const link = (n: number, rel: string) => {
      const u = new URL(url);
      u.searchParams.set('page', String(n));
      links.push(`<${u}>; rel="${rel}"`);
    };
    if (p.page < p.last) link(p.page + 1, 'next');
    if (p.page < p.last) link(p.last, 'last');
    return links.length > 0 ? { link: links.join(', ') } : {};
  }
  const shaOf = (ref: string) => commits.get(ref)?.sha ?? (SHA.test(ref) ? ref : undefined);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

  const routes: [string, RegExp, Handler][] = [
    [
      'POST',
      /^\/deployments$/,
      (_m, body) => {
        const ref = str(body.ref);
        if (!ref) throw new HttpError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
        const environment = str(body.environment) ?? 'production';
        // repos/create-deployment: 202 "Merged branch" when auto_merge (default true) merged the
        // default branch into the ref; nothing is deployed then.
        const commit = commits.get(ref);
        if (commit?.behindDefault && body.auto_merge !== false) {
          return [202, { message: `Auto-merged main into ${ref} on deployment.` }];
        }
        // 409 when the required contexts (every status context, when `required_contexts` is omitted) did not pass.
        const required = Array.isArray(body.required_contexts) ? (body.required_contexts as string[]) : undefined;
        const passed = commit?.successfulContexts ?? [];
        if (
          required === undefined
            ? commit !== undefined && passed.length === 0
            : required.some((c) => !passed.includes(c))
        ) {
          throw new HttpError(409, `Conflict: Commit status checks failed for ${ref}.`);
        }
        const d = createDeployment({
          ref,
          environment,
          task: str(body.task),
          payload: body.payload,
          description: str(body.description),
          transient_environment: body.transient_environment === true,
          production_environment:
            typeof body.production_environment === 'boolean'
              ? body.production_environment
              : environment === 'production',
        });
        if (Array.isArray(body.required_contexts)) d.required_contexts = body.required_contexts as string[];
        if (typeof body.auto_merge === 'boolean') d.auto_merge = body.auto_merge;
        return [201, d];
      },
    ],
    [
      'GET',
      /^\/deployments$/,
      (_m, _b, q) => {
        const list = state.deployments
          .filter((d) => ['sha', 'ref', 'task', 'environment'].every((k) => !q.has(k) || q.get(k) === d[k as 'sha']))
          .sort((a, b) => b.id - a.id);
        return [200, list];
      },
    ],
    [
      'GET',
      /^\/deployments\/(\d+)$/,
      (m) => {
        const d = state.deployments.find((x) => x.id === Number(m[1]));
        if (!d) throw new HttpError(404, 'Not Found');
        return [200, d];
      },
    ],
    [
      'POST',
      /^\/deployments\/(\d+)\/statuses$/,
      (m, body) => {
        const st = str(body.state) as DeploymentState | undefined;
        if (!st || !DEPLOYMENT_STATES.includes(st)) throw validationFailed('DeploymentStatus', 'state', 'invalid');
        const description = str(body.description) ?? '';
        // repos/create-deployment-status: description maxLength 140.
        if (description.length > 140) {
          throw validationFailed(
            'DeploymentStatus',
            'description',
            'custom',
            'description is too long (maximum is 140 characters)',
          );
        }
        const extra: Partial<DeploymentStatus> = {
          description,
          environment_url: str(body.environment_url) ?? '',
          log_url: str(body.log_url) ?? str(body.target_url) ?? '',
          target_url: str(body.log_url) ?? str(body.target_url) ?? '',
        };
        if (typeof body.auto_inactive === 'boolean') extra.auto_inactive = body.auto_inactive;
        if (str(body.environment)) {
          const d = state.deployments.find((x) => x.id === Number(m[1]));
          if (d) d.environment = str(body.environment)!;
        }
        return [201, addStatus(Number(m[1]), st, extra)];
      },
    ],
    [
      'GET',
      /^\/deployments\/(\d+)\/statuses$/,
      (m) => {
        if (!state.deployments.some((x) => x.id === Number(m[1]))) throw new HttpError(404, 'Not Found');
        return [200, state.statuses.filter((s) => s.deployment_id === Number(m[1])).reverse()];
      },
    ],
    ['GET', /^\/issues\/(\d+)\/comments$/, (m) => [200, state.comments.filter((c) => c.issue_number === Number(m[1]))]],
    [
      'POST',
      /^\/issues\/(\d+)\/comments$/,
      (m, body) => {
        const text = str(body.body);
        if (!text) throw validationFailed('IssueComment', 'body', 'missing_field');
        checkCommentSize(text);
        return [201, createComment(Number(m[1]), text)];
      },
    ],
    [
      'PATCH',
      /^\/issues\/comments\/(\d+)$/,
      (m, body) => {
        const c = state.comments.find((x) => x.id === Number(m[1]));
        if (!c) throw new HttpError(404, 'Not Found');
        const text = str(body.body);
        if (!text) throw validationFailed('IssueComment', 'body', 'missing_field');
        checkCommentSize(text);
        c.body = text;
        c.updated_at = now();
        return [200, c];
      },
    ],
    [
      'GET',
      /^\/pulls\/(\d+)$/,
      (m) => {
        // pulls/get-a-pull-request: `state` is open or closed; a merged one is closed with merged true.
        const n = Number(m[1]);
        const pull = pulls.get(n);
        if (!pull) throw new HttpError(404, 'Not Found');
        return [200, { number: n, html_url: `${serverUrl}/${repository}/pull/${n}`, ...pull }];
      },
    ],
    [
      'GET',
      /^\/actions\/runs\/(\d+)$/,
      (m) => {
        // A run of another repository is not found under this one (actions/get-workflow-run).
        const run = runs.get(Number(m[1]));
        if (!run || run.repository.full_name !== repository) throw new HttpError(404, 'Not Found');
        return [200, run];
      },
    ],
    [
      'GET',
      /^\/commits\/([^/]+)\/check-runs$/,
      (m, _b, q, url) => {
        const sha = shaOf(decodeURIComponent(m[1]));
        if (!sha) throw new HttpError(422, `No commit found for SHA: ${m[1]}`);
        let list = checkRuns.filter((r) => r.head_sha === sha).sort((a, b) => b.id - a.id);
        if (q.get('filter') !== 'all') list = list.filter((r, i) => list.findIndex((o) => o.name === r.name) === i);
        if (q.has('check_name')) list = list.filter((r) => r.name === q.get('check_name'));
        if (q.has('status')) list = list.filter((r) => r.status === q.get('status'));
        const p = page(list, q);
        return [200, { total_count: list.length, check_runs: p.items }, linkHeader(url, p)];
      },
    ],
    [
      'GET',
      /^\/commits\/([^/]+)\/status$/,
      (m, _b, q, url) => {
        const sha = shaOf(decodeURIComponent(m[1]));
        if (!sha) throw new HttpError(422, `No commit found for SHA: ${m[1]}`);
        const all = commitStatuses.filter((st) => st.sha === sha).sort((a, b) => b.id - a.id);
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
          commit_url: `${repoUrl()}/commits/${sha}`,
          url: `${repoUrl()}/commits/${sha}/status`,
        };
        return [200, body, linkHeader(url, p)];
      },
    ],
    [
      'GET',
      /^\/commits\/([^/]+)$/,
      (m) => {
        const c = commits.get(decodeURIComponent(m[1]));
        if (!c) throw new HttpError(422, `No commit found for SHA: ${m[1]}`);
        return [
          200,
          {
            sha: c.sha,
            html_url: `${serverUrl}/${repository}/commit/${c.sha}`,
            commit: {
              message: c.message,
              author: { name: c.author.name, email: c.author.email, date: c.date ?? now() },
            },
            author: { login: c.author.login },
          },
        ];
      },
    ],
    [
      'GET',
      /^\/compare\/([^/]+)\.\.\.([^/]+)$/,
      (m) => {
        // Walks first parents from head to base; the answer lists them oldest first (compare-two-commits).
        const base = decodeURIComponent(m[1]);
        const chain: Commit[] = [];
        for (
          let c = commits.get(decodeURIComponent(m[2]));
          c && c.sha !== base;
          c = commits.get(c.parents?.[0] ?? '')
        ) {
          chain.push(c);
          if (chain.length > 10_000) break;
        }
        if (!commits.has(base) || chain.length === 0 || commits.get(chain.at(-1)?.parents?.[0] ?? '')?.sha !== base) {
          throw new HttpError(404, 'Not Found');
        }
        const list = chain.reverse().map((c) => ({
          sha: c.sha,
          commit: { message: c.message, author: { name: c.author.name, email: c.author.email, date: c.date ?? now() } },
          author: { login: c.author.login },
        }));
        return [
          200,
          {
            status: 'ahead',
            ahead_by: list.length,
            behind_by: 0,
            total_commits: list.length,
            commits: list.slice(0, 250),
          },
        ];
      },
    ],
  ];

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', origin);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    const record: ApiRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      body: undefined,
      authorization: req.headers.authorization,
      status: 0,
      receivedAt: Date.now(),
    };
    requests.push(record);
    const reply = (status: number, payload: unknown, headers?: Record<string, string>) => {
      record.status = status;
      send(res, status, payload, { 'x-github-request-id': `0000:${requests.length}`, ...rateHeaders(), ...headers });
    };
    try {
      if (raw) {
        try {
          body = JSON.parse(raw);
          record.body = body;
        } catch {
          throw new HttpError(400, 'Problems parsing JSON');
        }
      }
      const fault = faults.find(
        (f) => f.times > 0 && (!f.method || f.method === record.method) && (!f.path || f.path.test(url.pathname)),
      );
      const answerFault = () => {
        fault!.times--;
        faults = faults.filter((f) => f.times > 0);
        return reply(fault!.fault.status, fault!.fault.body ?? { message: 'Injected fault' }, fault!.fault.headers);
      };
      if (fault && !fault.fault.afterHandling) return answerFault();
      const auth = req.headers.authorization ?? '';
      if (auth !== `Bearer ${token}` && auth !== `token ${token}`) throw new HttpError(401, 'Bad credentials');
      charge(record.method, url.pathname);
      if (url.pathname === '/graphql' && record.method === 'POST') {
        // Only `viewer { login }`: an installation token's viewer is its bot, login with `[bot]`.
        if (!/\bviewer\s*\{\s*login\s*\}/.test(String(body.query ?? ''))) throw new HttpError(400, 'Unsupported query');
        return reply(200, { data: { viewer: { login } } });
      }
      const prefix = `/repos/${repository}`;
      if (!url.pathname.startsWith(`${prefix}/`)) throw new HttpError(404, 'Not Found');
      const rest = url.pathname.slice(prefix.length);
      requirePermission(record.method, rest);
      for (const [method, pattern, handler] of routes) {
        const m = rest.match(pattern);
        if (!m || method !== record.method) continue;
        const [status, result, headers] = handler(m, body, url.searchParams, url);
        if (fault?.fault.afterHandling) return answerFault();
        if (headers) return reply(status, result, headers);
        if (Array.isArray(result) && record.method === 'GET') {
          const p = page(result, url.searchParams);
          const links: string[] = [];
          const link = (n: number, rel: string) => {
            const u = new URL(url);
            u.searchParams.set('page', String(n));
            links.push(`<${u}>; rel="${rel}"`);
          };
          if (p.page < p.last) link(p.page + 1, 'next');
          if (p.page < p.last) link(p.last, 'last');
          return reply(status, p.items, links.length > 0 ? { link: links.join(', ') } : {});
        }
        return reply(status, result);
      }
      throw new HttpError(404, 'Not Found');
    } catch (error) {
      if (error instanceof HttpError) {
        return reply(
          error.status,
          { message: error.message, documentation_url: 'https://docs.github.com/rest', ...error.extra },
          error.headers,
        );
      }
      reply(500, { message: String(error) });
    }
  }

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    repository,
    token,
    state,
    requests,
    seedDeployment(seed) {
      const d = createDeployment(seed);
      for (const st of seed.states ?? []) addStatus(d.id, st, { auto_inactive: false });
      return d;
    },
    addStatus: (id, st, extra) => addStatus(id, st, extra),
    seedComment: (issue, body, author) => createComment(issue, body, author),
    seedRun: (run) => createRun(run),
    seedPull(number, state, options = {}) {
      pulls.set(number, { state, merged: options.merged ?? false, title: options.title ?? `Pull request ${number}` });
    },
    setPermission(scope, level) {
      permissions.set(scope, level);
    },
    rate,
    setRate(remaining, resetInMs) {
      rate.remaining = remaining;
      if (resetInMs !== undefined) rate.resetAt = Date.now() + resetInMs;
    },
    seedCheckRun(seed) {
      const at = now();
      const id = nextId++;
      const status = seed.status ?? 'completed';
      const run: CheckRun = {
        id,
        name: seed.name,
        head_sha: seed.sha,
        status,
        conclusion: status === 'completed' ? (seed.conclusion ?? 'success') : null,
        started_at: at,
        completed_at: status === 'completed' ? at : null,
        details_url: seed.details_url ?? `${serverUrl}/${repository}/runs/${id}`,
        html_url: `${serverUrl}/${repository}/runs/${id}`,
        app: { slug: 'github-actions' },
      };
      checkRuns.push(run);
      return run;
    },
    updateCheckRun(id, patch) {
      const run = checkRuns.find((r) => r.id === id);
      if (!run) throw new Error(`no check run ${id}`);
      Object.assign(run, patch);
      if (run.status === 'completed') run.completed_at ??= now();
    },
    seedCommitStatus(seed) {
      const at = now();
      const st = {
        id: nextId++,
        sha: seed.sha,
        context: seed.context,
        state: seed.state,
        description: seed.description ?? null,
        target_url: null,
        created_at: at,
        updated_at: at,
      };
      commitStatuses.push(st);
      const { sha: _sha, ...status } = st;
      return status;
    },
    seedCommit(c) {
      const commit: Commit = {
        sha: c.sha,
        message: c.message,
        author: { name: 'Mona Lisa', email: 'mona@example.com', login: 'octocat', ...c.author },
        behindDefault: c.behindDefault,
        successfulContexts: c.successfulContexts ?? ['ci'],
        date: c.date,
        parents: c.parents,
      };
      commits.set(c.sha, commit);
      if (c.branch) commits.set(c.branch, commit);
    },
    latestStatus,
    failNext(fault, match) {
      faults.push({ fault, times: match?.times ?? 1, method: match?.method, path: match?.path });
    },
    reset() {
      state.deployments.length = 0;
      state.statuses.length = 0;
      state.comments.length = 0;
      commits.clear();
      runs.clear();
      checkRuns.length = 0;
      commitStatuses.length = 0;
      pulls.clear();
      permissions.clear();
      requests.length = 0;
      faults = [];
      writes = [];
      rate.remaining = rate.limit;
      rate.resetAt = Date.now() + 3_600_000;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
