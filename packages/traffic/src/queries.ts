/**
 * The MetricsQL the analysis sends, from Fly's built-in metrics
 * (https://fly.io/docs/monitoring/metrics/#built-in-metrics, superfly/docs monitoring/metrics.html.md):
 *
 * - `fly_app_http_responses_count{status}` (a counter) and `fly_app_http_response_time_seconds{status}`
 *   (a histogram: `_bucket{le}`, `_sum`, `_count`) are the proxy's view of the app's own machines;
 *   they carry the `instance` label. The `fly_edge_*` series do not (the docs list `instance` "for all
 *   series except `fly_edge_` and `fly_volume_`"), so only the `fly_app_*` series tell releases apart.
 * - `instance` holds the machine ID: the same ID Fly's proxy calls an instance elsewhere
 *   (`fly-force-instance-id`, `fly-replay: instance=<machine id>`, networking/dynamic-request-routing).
 *
 * Counts come from `increase(...[<window>s])` evaluated at the window's end, summed over the
 * release's instances, so the same text pasted in Grafana's Explore (with the same time) shows the
 * same numbers.
 */

export const RESPONSES_METRIC = 'fly_app_http_responses_count';
export const LATENCY_BUCKETS_METRIC = 'fly_app_http_response_time_seconds_bucket';

/** A PromQL double-quoted string literal. */
export function quoteLabel(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** An anchored alternation matching exactly these values (regex metacharacters escaped). */
export function alternation(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}

/** `{app="<app>"}`, plus `instance=~"<id>|<id>"` when the side is a set of machines. */
export function selector(app: string, instances?: readonly string[]): string {
  const parts = [`app=${quoteLabel(app)}`];
  if (instances) parts.push(`instance=~${quoteLabel(alternation(instances))}`);
  return `{${parts.join(',')}}`;
}

export interface SideQueries {
  /** Requests by status over the window. */
  requests: string;
  /** Latency histogram buckets over the window. */
  latency: string;
}

export function sideQueries(app: string, instances: readonly string[] | undefined, windowSeconds: number): SideQueries {
  const sel = selector(app, instances);
  return {
    requests: `sum by (status) (increase(${RESPONSES_METRIC}${sel}[${windowSeconds}s]))`,
    latency: `sum by (le) (increase(${LATENCY_BUCKETS_METRIC}${sel}[${windowSeconds}s]))`,
  };
}

/** The Grafana form of a quantile over the side's latency query (shown for people, computed locally). */
export function quantileQuery(q: number, latency: string): string {
  return `histogram_quantile(${q}, ${latency})`;
}

/** A server error: the status label is the response code (`500`) or its class (`5xx`). */
export function isServerError(status: string | undefined): boolean {
  return status !== undefined && /^5/.test(status.trim());
}
