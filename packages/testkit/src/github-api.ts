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
 * Authentication: `Authorization: Bearer|token <token>` must match, else 401 "Bad credentials".
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
  creator: { login: string };
  created_at: string;
  updated_at: string;
  statuses_url: string;
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
  creator: { login: string };
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
  user: { login: string };
  created_at: string;
  updated_at: string;
}

export interface Commit {
  sha: string;
  message: string;
  author: { name: string; email: string; login: string };
}

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization: string | undefined;
  status: number;
}

export interface Fault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface GitHubApiOptions {
  repository?: string;
  token?: string;
  /** Where html_url links point (default https://github.com). */
  serverUrl?: string;
  /** Login recorded as creator/comment author (default github-actions[bot]). */
  login?: string;
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
}

export interface GitHubApi {
  readonly url: string;
  readonly repository: string;
  readonly token: string;
  readonly state: { deployments: Deployment[]; statuses: DeploymentStatus[]; comments: IssueComment[] };
  readonly requests: ApiRequest[];
  seedDeployment(seed: SeedDeployment): Deployment;
  addStatus(deploymentId: number, state: DeploymentState, extra?: Partial<DeploymentStatus>): DeploymentStatus;
  seedComment(issue: number, body: string, login?: string): IssueComment;
  seedCommit(commit: { sha: string; message: string; branch?: string; author?: Partial<Commit['author']> }): void;
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
  ) {
    super(message);
  }
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
      creator: { login },
      created_at: at,
      updated_at: at,
      statuses_url: `${repoUrl()}/deployments/${id}/statuses`,
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
      creator: { login },
      created_at: at,
      updated_at: at,
      ...extra,
    };
    state.statuses.push(status);
    deployment.updated_at = at;
    if (st === 'success' && extra.auto_inactive !== false) {
      for (const other of state.deployments) {
        if (other.id === deploymentId || other.environment !== deployment.environment) continue;
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
      user: { login: author },
      created_at: at,
      updated_at: at,
    };
    state.comments.push(comment);
    return comment;
  }

  type Handler = (m: RegExpMatchArray, body: Record<string, unknown>, query: URLSearchParams) => [number, unknown];
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

  const routes: [string, RegExp, Handler][] = [
    [
      'POST',
      /^\/deployments$/,
      (_m, body) => {
        const ref = str(body.ref);
        if (!ref) throw new HttpError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
        const environment = str(body.environment) ?? 'production';
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
        if (!st || !DEPLOYMENT_STATES.includes(st))
          throw new HttpError(422, 'Validation Failed: state is not included');
        const description = str(body.description) ?? '';
        if (description.length > 140) throw new HttpError(422, 'Validation Failed: description is too long');
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
        if (!text) throw new HttpError(422, 'Validation Failed: body is missing');
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
        if (!text) throw new HttpError(422, 'Validation Failed: body is missing');
        c.body = text;
        c.updated_at = now();
        return [200, c];
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
            commit: { message: c.message, author: { name: c.author.name, email: c.author.email, date: now() } },
            author: { login: c.author.login },
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
    };
    requests.push(record);
    const reply = (status: number, payload: unknown, headers?: Record<string, string>) => {
      record.status = status;
      send(res, status, payload, headers);
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
      if (fault) {
        fault.times--;
        faults = faults.filter((f) => f.times > 0);
        return reply(fault.fault.status, fault.fault.body ?? { message: 'Injected fault' }, fault.fault.headers);
      }
      const auth = req.headers.authorization ?? '';
      if (auth !== `Bearer ${token}` && auth !== `token ${token}`) throw new HttpError(401, 'Bad credentials');
      const prefix = `/repos/${repository}`;
      if (!url.pathname.startsWith(`${prefix}/`)) throw new HttpError(404, 'Not Found');
      const rest = url.pathname.slice(prefix.length);
      for (const [method, pattern, handler] of routes) {
        const m = rest.match(pattern);
        if (!m || method !== record.method) continue;
        const [status, result] = handler(m, body, url.searchParams);
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
        return reply(error.status, {
          message: error.message,
          documentation_url: 'https://docs.github.com/rest',
          ...error.extra,
        });
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
    seedCommit(c) {
      const commit: Commit = {
        sha: c.sha,
        message: c.message,
        author: { name: 'Mona Lisa', email: 'mona@example.com', login: 'octocat', ...c.author },
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
      requests.length = 0;
      faults = [];
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
