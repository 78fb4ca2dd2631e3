/**
 * The HTTP side: reads a request, records it, answers injected faults, checks the token, the rate
 * limits and the permissions, then finds its route in the table (all under /repos/{owner}/{repo};
 * other repositories answer 404 like GitHub does for a token without access).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiRequest } from './api';
import { checkRoutes } from './checks';
import { commentRoutes } from './comments';
import { commitRoutes } from './commits';
import { deploymentRoutes } from './deployments';
import type { Faults } from './faults';
import { HttpError, linkHeader, page, type Reply, type Route } from './http';
import type { RateLimits } from './limits';
import { requirePermission } from './permissions';
import { pullRoutes } from './pulls';
import { runRoutes } from './runs';
import type { Store } from './state';

/** Every route the API serves, by resource. */
export function routeTable(store: Store): Route[] {
  return [
    ...deploymentRoutes(store),
    ...commentRoutes(store),
    ...pullRoutes(store),
    ...runRoutes(store),
    ...checkRoutes(store),
    ...commitRoutes(store),
  ];
}

export interface ServerContext {
  store: Store;
  limits: RateLimits;
  faults: Faults;
  routes: Route[];
  token: string;
  requests: ApiRequest[];
}

/** Listens on a free loopback port; the store learns its origin. */
export async function listen(context: ServerContext): Promise<Server> {
  const server = createServer((req, res) => {
    void handle(context, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  context.store.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return server;
}

async function handle(context: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const url = new URL(req.url ?? '/', context.store.origin);
  const record: ApiRequest = {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    body: undefined,
    authorization: req.headers.authorization,
    status: 0,
    receivedAt: Date.now(),
  };
  context.requests.push(record);
  const reply = ([status, payload, headers]: Reply) => {
    record.status = status;
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-request-id': `0000:${context.requests.length}`,
      ...context.limits.headers(),
      ...headers,
    });
    res.end(payload === undefined ? '' : JSON.stringify(payload));
  };
  try {
    reply(answer(context, record, url, Buffer.concat(chunks).toString('utf8')));
  } catch (error) {
    if (error instanceof HttpError) {
      const body = { message: error.message, documentation_url: 'https://docs.github.com/rest', ...error.extra };
      return reply([error.status, body, error.headers]);
    }
    reply([500, { message: String(error) }]);
  }
}

/** What a recorded request is answered; refusals are thrown as HttpError. */
function answer(context: ServerContext, record: ApiRequest, url: URL, raw: string): Reply {
  const body = parseBody(raw);
  if (raw) record.body = body;
  const fault = context.faults.match(record.method, url.pathname);
  if (fault && !fault.fault.afterHandling) return context.faults.spend(fault);
  const auth = record.authorization ?? '';
  if (auth !== `Bearer ${context.token}` && auth !== `token ${context.token}`) {
    throw new HttpError(401, 'Bad credentials');
  }
  context.limits.charge(record.method, url.pathname);
  if (url.pathname === '/graphql' && record.method === 'POST') return graphql(context.store, body);
  const result = route(context, record.method, url, body);
  // A fault after handling: the write happened, the answer is lost (a proxy's 502).
  return fault?.fault.afterHandling ? context.faults.spend(fault) : result;
}

function parseBody(raw: string): Record<string, unknown> {
  if (!raw) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new HttpError(400, 'Problems parsing JSON');
  }
}

/** Only `viewer { login }`: an installation token's viewer is its bot, login with `[bot]`. */
function graphql(store: Store, body: Record<string, unknown>): Reply {
  if (!/\bviewer\s*\{\s*login\s*\}/.test(String(body.query ?? ''))) throw new HttpError(400, 'Unsupported query');
  return [200, { data: { viewer: { login: store.login } } }];
}

/** Runs the route of a repository path; a list a GET answers without headers is paged here. */
function route(context: ServerContext, method: string, url: URL, body: Record<string, unknown>): Reply {
  const prefix = `/repos/${context.store.repository}`;
  if (!url.pathname.startsWith(`${prefix}/`)) throw new HttpError(404, 'Not Found');
  const rest = url.pathname.slice(prefix.length);
  requirePermission(context.store.permissions, method, rest);
  for (const [routeMethod, pattern, handler] of context.routes) {
    const m = rest.match(pattern);
    if (!m || routeMethod !== method) continue;
    const [status, result, headers] = handler(m, body, url.searchParams, url);
    if (headers) return [status, result, headers];
    if (!Array.isArray(result) || method !== 'GET') return [status, result];
    const p = page(result, url.searchParams);
    return [status, p.items, linkHeader(url, p)];
  }
  throw new HttpError(404, 'Not Found');
}
