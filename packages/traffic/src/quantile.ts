/**
 * Quantiles from a cumulative histogram, computed as Prometheus' `histogram_quantile` does
 * (prometheus/prometheus promql/quantile.go, `bucketQuantile`), so the gate's figures equal what
 * the same query shows in Grafana: buckets sorted by `le`, counts forced monotonic, linear
 * interpolation inside the bucket holding the rank, the lowest bucket starting at 0, and a rank in
 * the `+Inf` bucket answered with the highest finite bound.
 */

/** One `_bucket` series: its upper bound (`le`) and cumulative count. */
export interface Bucket {
  le: number;
  count: number;
}

/** Parses an `le` label as Prometheus does (`+Inf`, `1e0`, `.2`). */
export function parseLe(value: string): number {
  const text = value.trim();
  if (/^\+?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** The q-quantile (0..1); NaN when the histogram is empty or lacks a `+Inf` bucket, as in Prometheus. */
export function histogramQuantile(q: number, input: readonly Bucket[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  // Same bounds are summed (coalesceBuckets), then sorted.
  const merged = new Map<number, number>();
  for (const b of input) if (!Number.isNaN(b.le)) merged.set(b.le, (merged.get(b.le) ?? 0) + b.count);
  const buckets = [...merged].map(([le, count]) => ({ le, count })).sort((x, y) => x.le - y.le);
  if (buckets.length < 2 || buckets[buckets.length - 1].le !== Number.POSITIVE_INFINITY) return Number.NaN;
  // ensureMonotonic: a count below the one before it (series reset between scrapes) takes that one.
  for (let i = 1; i < buckets.length; i++) buckets[i].count = Math.max(buckets[i].count, buckets[i - 1].count);
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0) return Number.NaN;
  let rank = q * observations;
  const b = buckets.findIndex((bucket) => bucket.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2].le;
  if (b === 0 && buckets[0].le <= 0) return buckets[0].le;
  let start = 0;
  const end = buckets[b].le;
  let count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].le;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return start + (end - start) * (rank / count);
}
