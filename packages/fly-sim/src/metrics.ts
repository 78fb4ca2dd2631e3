import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimApp } from './state';

/**
 * Prometheus on Fly.io, as far as the traffic analysis reads it: the `fly_app_http_*` series of
 * what the app servers really served, answered at `/prometheus/<org>/api/v1/query`
 * (https://fly.io/docs/monitoring/metrics/#querying).
 *
 * - Series and labels: `fly_app_http_responses_count{status}` (counter) and
 *   `fly_app_http_response_time_seconds{status}` (histogram), with the standard labels `app`,
 *   `region`, `host` and `instance` (the machine ID) (superfly/docs monitoring/metrics.html.md,
 *   "Standard Labels", "App - fly_app_").
 * - Fly does not document its latency buckets; these are client_golang's `DefBuckets`
 *   (prometheus/client_golang prometheus/histogram.go), and the gate reads whatever `le` it gets.
 * - Queries: instant queries of the form `sum by (<labels>) (increase(<series>{<matchers>}[<n>s]))`
 *   or the bare `<series>{<matchers>}` sum, over GET or POST form parameters (`query`, `time`).
 *   Counts are exact over the window `(time - n, time]`: the sim scrapes continuously, so there is
 *   no extrapolation. Anything else answers Prometheus' error envelope, 400 `bad_data`
 *   (https://prometheus.io/docs/prometheus/latest/querying/api/#format-overview).
 * - Only series of the org in the path, for a known token (any scheme), as Fly scopes queries to
 *   the token's organizations.
 */

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One request an app server answered. */
export interface Served {
  at: number;
  app: string;
  instance: string;
  region: string;
  status: number;
  seconds: number;
}

/** Requests kept per app: enough for hours of rehearsal traffic, bounded for a long-lived sim. */
const KEEP = 200_000;

export class TrafficLog {
  private readonly byApp = new Map<string, Served[]>();

  record(entry: Served): void {
    const list = this.byApp.get(entry.app) ?? [];
    if (list.length === 0) this.byApp.set(entry.app, list);
    list.push(entry);
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
  }

  /** Requests served in `(from, to]` by apps `apps`. */
  between(apps: readonly string[], from: number, to: number): Served[] {
    return apps.flatMap((app) => (this.byApp.get(app) ?? []).filter((e) => e.at > from && e.at <= to));
  }

  clear(): void {
    this.byApp.clear();
  }
}

type Matcher = { name: string; op: '=' | '!=' | '=~' | '!~'; value: string };

const QUERY =
  /^\s*(?:sum\s+by\s*\(\s*([a-z_,\s]*)\)\s*\(\s*increase\s*\(\s*([a-z_]+)\s*(\{[^}]*\})?\s*\[\s*(\d+)s\s*\]\s*\)\s*\)|sum\s*\(\s*increase\s*\(\s*([a-z_]+)\s*(\{[^}]*\})?\s*\[\s*(\d+)s\s*\]\s*\)\s*\))\s*$/;

function parseMatchers(text: string | undefined): Matcher[] {
  if (!text) return [];
  const inner = text.slice(1, -1).trim();
  if (inner === '') return [];
  const out: Matcher[] = [];
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/gy;
  let m: RegExpExecArray | null;
  let consumed = 0;
  // biome-ignore lint/suspicious/noAssignInExpressions: a sticky regex walks the matchers.
  while ((m = re.exec(inner)) !== null) {
    out.push({ name: m[1], op: m[2] as Matcher['op'], value: JSON.parse(`"${m[3]}"`) as string });
    consumed = re.lastIndex;
    if (consumed >= inner.length) break;
  }
  if (consumed < inner.length) throw new Error(`cannot parse label matchers ${text}`);
  return out;
}

/** A matcher as a predicate, its regex compiled once (PromQL regex matchers are fully anchored). */
function predicate(matcher: Matcher): (labels: Record<string, string>) => boolean {
  if (matcher.op === '=~' || matcher.op === '!~') {
    const re = new RegExp(`^(?:${matcher.value})$`);
    const want = matcher.op === '=~';
    return (labels) => re.test(labels[matcher.name] ?? '') === want;
  }
  const want = matcher.op === '=';
  return (labels) => ((labels[matcher.name] ?? '') === matcher.value) === want;
}

/** The label sets one served request adds to a series (one per bucket it falls in, for `_bucket`). */
function seriesOf(series: string, e: Served): Record<string, string>[] {
  const base = { app: e.app, instance: e.instance, region: e.region, host: 'a1b2', status: String(e.status) };
  if (series === 'fly_app_http_responses_count' || series === 'fly_app_http_response_time_seconds_count') {
    return [{ __name__: series, ...base }];
  }
  if (series === 'fly_app_http_response_time_seconds_bucket') {
    const les = LATENCY_BUCKETS.filter((le) => e.seconds <= le).map(String);
    return [...les, '+Inf'].map((le) => ({ __name__: series, ...base, le }));
  }
  throw new Error(`unknown series ${series}`);
}

export interface Evaluated {
  metric: Record<string, string>;
  value: number;
}

/** Evaluates one supported instant query at `atMs` over `log`, for the org's apps. */
export function evaluate(query: string, atMs: number, log: TrafficLog, apps: readonly string[]): Evaluated[] {
  const m = QUERY.exec(query);
  if (!m) throw new Error('fly-sim answers only sum by (...) (increase(<series>{...}[<n>s])) and sum(increase(...))');
  const by = (m[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const series = m[2] ?? m[5];
  const matchers = parseMatchers(m[3] ?? m[6]).map(predicate);
  const windowMs = Number(m[4] ?? m[7]) * 1000;
  const groups = new Map<string, Evaluated>();
  for (const e of log.between(apps, atMs - windowMs, atMs)) {
    for (const labels of seriesOf(series, e)) {
      if (!matchers.every((match) => match(labels))) continue;
      const key = by.map((k) => labels[k] ?? '').join('\u0000');
      const group = groups.get(key);
      if (group) group.value += 1;
      else {
        const metric = Object.fromEntries(by.filter((k) => labels[k] !== undefined).map((k) => [k, labels[k]]));
        groups.set(key, { metric, value: 1 });
      }
    }
  }
  return [...groups.values()];
}

/** Serves `/prometheus/<org>/api/v1/query`. */
export async function servePrometheus(
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
  context: { tokens: string[]; apps: SimApp[]; log: TrafficLog },
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sim');
  const send = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };
  const match = /^\/prometheus\/([a-z0-9-]+)\/api\/v1\/query$/.exec(url.pathname);
  if (!match) return send(404, { status: 'error', errorType: 'not_found', error: `no such endpoint ${url.pathname}` });
  const token = String(req.headers.authorization ?? '')
    .replace(/^(FlyV1|Bearer)\s+/i, '')
    .trim();
  if (!token || (context.tokens.length > 0 && !context.tokens.includes(token))) {
    return send(401, { status: 'error', errorType: 'unauthorized', error: 'unauthorized' });
  }
  const params = req.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
  const query = params.get('query');
  if (!query) return send(400, { status: 'error', errorType: 'bad_data', error: 'missing query parameter' });
  const time = params.get('time');
  const atMs = time === null ? Date.now() : Number(time) * 1000;
  if (!Number.isFinite(atMs))
    return send(400, { status: 'error', errorType: 'bad_data', error: `cannot parse time ${time}` });
  const org = match[1];
  const apps = context.apps.filter((a) => a.org === org).map((a) => a.name);
  try {
    const result = evaluate(query, atMs, context.log, apps).map((r) => ({
      metric: r.metric,
      value: [atMs / 1000, String(r.value)],
    }));
    send(200, { status: 'success', data: { resultType: 'vector', result } });
  } catch (error) {
    send(400, { status: 'error', errorType: 'bad_data', error: (error as Error).message });
  }
}
