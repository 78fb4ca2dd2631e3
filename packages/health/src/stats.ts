/** Percent of probes that did not pass, to one decimal; 0 when there were none. */
export function errorRate(probes: readonly { outcome: string }[]): number {
  if (probes.length === 0) return 0;
  const failed = probes.filter((p) => p.outcome !== 'pass').length;
  return Math.round((failed / probes.length) * 1000) / 10;
}

/** Nearest-rank percentile (no interpolation: the value is one that was observed). */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return Math.round(sorted[rank - 1]);
}
