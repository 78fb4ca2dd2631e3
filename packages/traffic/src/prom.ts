import { requestWithRetry, UserError } from '@deploy-actions/toolkit';

/**
 * A client of the Prometheus HTTP API's instant query (`/api/v1/query`), as Prometheus on Fly.io
 * serves it (https://fly.io/docs/monitoring/metrics/#querying: `https://api.fly.io/prometheus/<org>/`,
 * a VictoriaMetrics backend speaking MetricsQL, the Fly token in `Authorization`).
 *
 * Answer shapes (https://prometheus.io/docs/prometheus/latest/querying/api/#format-overview):
 * `{status: "success", data: {resultType, result}, warnings?, infos?}`, or `{status: "error",
 * errorType, error}` with 400 (bad parameters), 422 (expression cannot run) or 503 (timeout,
 * abort). VictoriaMetrics adds `isPartial: true` when some storage nodes did not answer
 * (https://docs.victoriametrics.com/victoriametrics/cluster-victoriametrics/): counts from such an
 * answer are too low, so the gate treats it as no answer rather than as little traffic.
 */

/** One series of an instant vector: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface QueryResult {
  samples: Sample[];
  /** Warnings the server attached; the data is still there. */
  warnings: string[];
  /** Some storage did not answer: the numbers are incomplete. */
  partial: boolean;
}

export interface PromClientOptions {
  /** Base URL, e.g. `https://api.fly.io/prometheus/<org>` (a trailing slash is fine). */
  baseUrl: string;
  /** The Fly token, with or without its `FlyV1 ` / `Bearer ` scheme. */
  token: string;
  timeoutMs?: number;
  attempts?: number;
}

/** A query the server refused or could not run: the query is wrong, not the release. */
export class PromQueryError extends UserError {
  override name = 'PromQueryError';
}

/**
 * The `Authorization` value for a Fly token: tokens made by `fly tokens create` (macaroons,
 * `fm1_`/`fm2_`) go as `FlyV1`, others (from `flyctl auth token`) as `Bearer`
 * (https://fly.io/docs/monitoring/metrics/#using-tokens). A scheme already given is kept.
 */
export function authorizationFor(token: string): string {
  const text = token.trim();
  if (/^(FlyV1|Bearer)\s/i.test(text)) return text;
  return /^fm\d_/.test(text) ? `FlyV1 ${text}` : `Bearer ${text}`;
}

interface Envelope {
  status?: string;
  data?: { resultType?: string; result?: unknown };
  errorType?: string;
  error?: string;
  warnings?: unknown;
  isPartial?: boolean;
}

/** Reads an instant-query answer; throws PromQueryError on an error envelope or an unexpected shape. */
export function parseQueryAnswer(text: string): QueryResult {
  let body: Envelope;
  try {
    body = JSON.parse(text) as Envelope;
  } catch {
    throw new PromQueryError('Prometheus answered something that is not JSON');
  }
  if (body.status === 'error') {
    throw new PromQueryError(
      `Prometheus refused the query (${body.errorType ?? 'error'}): ${body.error ?? 'no details'}`,
    );
  }
  if (body.status !== 'success' || !body.data) throw new PromQueryError('Prometheus answered without status "success"');
  const warnings = Array.isArray(body.warnings) ? body.warnings.map(String) : [];
  const { resultType, result } = body.data;
  if (resultType === 'scalar' && Array.isArray(result)) {
    return { samples: [{ labels: {}, value: Number(result[1]) }], warnings, partial: body.isPartial === true };
  }
  if (resultType !== 'vector' || !Array.isArray(result)) {
    throw new PromQueryError(`Prometheus answered a ${resultType ?? 'missing'} result; an instant vector was expected`);
  }
  const samples = result.map((item: { metric?: Record<string, string>; value?: [number, string] }) => ({
    labels: item.metric ?? {},
    value: Number(item.value?.[1]),
  }));
  return { samples, warnings, partial: body.isPartial === true };
}

export interface PromClient {
  /** Evaluates `query` at `timeMs` (ms since epoch). */
  query(query: string, timeMs: number): Promise<QueryResult>;
}

/** The client over HTTP: POST form-encoded (long instance lists fit), 429/5xx retried with backoff. */
export function promClient(options: PromClientOptions): PromClient {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/api/v1/query`;
  const authorization = authorizationFor(options.token);
  return {
    async query(query, timeMs) {
      const body = new URLSearchParams({ query, time: (timeMs / 1000).toFixed(3) }).toString();
      // A 400 or 422 quotes the server's error envelope in the message (what is wrong with the query).
      const answer = await requestWithRetry(url, {
        label: 'Prometheus',
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        attempts: options.attempts ?? 3,
        timeoutMs: options.timeoutMs ?? 15_000,
        baseDelayMs: 500,
        maxDelayMs: 4_000,
      });
      return parseQueryAnswer(answer.text);
    },
  };
}
