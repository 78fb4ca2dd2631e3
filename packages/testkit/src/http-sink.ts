/**
 * A local HTTP server on loopback that records every request and answers with
 * programmable responses. Test equipment: stands in for Slack, Teams, Discord and
 * webhook receivers (tests and the rehearsal).
 *
 *   const sink = await startHttpSink();
 *   sink.url('/slack')                                   // http://127.0.0.1:<port>/slack
 *   sink.script('/slack', [{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
 *   sink.script('/teams', [{ status: 500 }, { status: 202 }]);
 *   sink.script('/hang', [{ hang: true }]);               // never answers; the client must time out
 *   sink.script('/bad', [{ status: 400, body: 'invalid_blocks' }]);
 *   sink.requests                                         // every request, in arrival order
 *   sink.requestsTo('/slack')[0].json()
 *   await sink.close();
 *
 * Each path answers its scripted responses in order; when the script runs out the
 * last one repeats, or with `repeatLast: false` the default (200 `ok`) follows.
 * Paths without a script answer the default. `reset()` forgets requests and scripts.
 *
 * A path can behave as a real service (chat-services.ts: Slack, Discord, Teams Workflows):
 *   sink.serve('/slack', slackWebhook);               // validates the payload, answers as Slack would
 *   sink.requestsTo('/slack')[0].posted               // whether the message reached the channel
 *   sink.requestsTo('/slack')[0].problem              // the documented rule it broke, if any
 * A scripted error answer (429, 5xx...) still comes first: the service sees only what would reach it.
 * Services stay across `reset()`.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SinkResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string, or any other value sent as JSON. */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer (the connection stays open until the client gives up or the sink closes). */
  hang?: boolean;
}

/** What a service model sees of a request. */
export interface ServiceRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A service model's answer: what the caller sees, and what became of the message. */
export interface ServiceAnswer extends SinkResponse {
  /** The message reached the channel (false when refused, or, for Teams, when the flow failed after its 202). */
  posted: boolean;
  /** The documented rule the payload broke, in words (for test failure messages). */
  problem?: string;
}

/** A model of a real service's webhook endpoint. */
export type Service = (request: ServiceRequest) => ServiceAnswer;

export interface RecordedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** What was answered (status 0 for a hang). */
  status: number;
  receivedAt: number;
  /** Paths served by a service model: whether the message reached the channel, and why not. */
  posted?: boolean;
  problem?: string;
  json<T = unknown>(): T;
}

export interface HttpSink {
  readonly port: number;
  readonly origin: string;
  readonly requests: RecordedRequest[];
  url(path?: string): string;
  script(path: string, responses: SinkResponse[], options?: { repeatLast?: boolean }): void;
  /** Makes `path` (exact, or every path a RegExp matches) behave as a real service. */
  serve(path: string | RegExp, service: Service): void;
  requestsTo(path: string): RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT: SinkResponse = { status: 200, body: 'ok' };

export async function startHttpSink(): Promise<HttpSink> {
  const requests: RecordedRequest[] = [];
  const scripts = new Map<string, { queue: SinkResponse[]; repeatLast: boolean }>();
  const hanging = new Set<ServerResponse>();
  const services: { path: string | RegExp; service: Service }[] = [];
  const serviceFor = (path: string) =>
    services.find((s) => (typeof s.path === 'string' ? s.path === path : s.path.test(path)))?.service;

  const next = (path: string): SinkResponse => {
    const script = scripts.get(path);
    if (!script || script.queue.length === 0) return DEFAULT;
    if (script.queue.length === 1 && script.repeatLast) return script.queue[0];
    return script.queue.shift() ?? DEFAULT;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://sink');
      const body = Buffer.concat(chunks).toString('utf8');
      const scripted = next(url.pathname);
      const service = serviceFor(url.pathname);
      // A scripted failure answers before the service; a scripted success lets the service decide.
      const reached = service && !scripted.hang && (scripted.status ?? 200) < 300;
      const modelled = reached
        ? service({
            method: req.method ?? 'GET',
            path: url.pathname,
            query: url.searchParams,
            headers: req.headers,
            body,
          })
        : undefined;
      const answer: SinkResponse = modelled ?? scripted;
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        status: answer.hang ? 0 : (answer.status ?? 200),
        receivedAt: Date.now(),
        ...(service ? { posted: modelled?.posted ?? false, problem: modelled?.problem } : {}),
        json: () => JSON.parse(body),
      });
      if (answer.hang) {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const send = () => {
        const text =
          answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        const type = typeof answer.body === 'string' || answer.body === undefined ? 'text/plain' : 'application/json';
        const status = answer.status ?? 200;
        // 204 and 304 carry no body (RFC 9110 15.3.5).
        res.writeHead(status, status === 204 ? { ...answer.headers } : { 'content-type': type, ...answer.headers });
        res.end(status === 204 ? undefined : text);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  return {
    port,
    origin,
    requests,
    url: (path = '/') => `${origin}${path.startsWith('/') ? path : `/${path}`}`,
    script(path, responses, options) {
      scripts.set(path, { queue: [...responses], repeatLast: options?.repeatLast ?? true });
    },
    serve(path, service) {
      services.push({ path, service });
    },
    requestsTo: (path) => requests.filter((r) => r.path === path),
    reset() {
      requests.length = 0;
      scripts.clear();
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
