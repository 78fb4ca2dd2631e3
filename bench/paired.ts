/**
 * Paired runs of two commands on a shared machine: each run of one is made right after a run of
 * the other, so a ratio shares the load of its moment. The ratios' geometric mean says how much
 * slower (above 1) or faster one is; the 95% interval, from resampling the pairs, says whether a
 * difference is more than the machine's noise (an interval that holds 1 is no difference this
 * many runs can show).
 */
import { seededRandom } from './random';

export interface PairedRatio {
  geomean: number;
  low: number;
  high: number;
  pairs: number;
}

/** The pairs' ratio `ours[i] / theirs[i]`; pairs with a failed (NaN) side are left out. */
export function pairedRatio(ours: readonly number[], theirs: readonly number[], resamples = 4000): PairedRatio {
  const logs = ours.map((value, i) => Math.log(value / theirs[i])).filter((value) => Number.isFinite(value));
  if (logs.length === 0) return { geomean: Number.NaN, low: Number.NaN, high: Number.NaN, pairs: 0 };
  const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  // Seeded, so the same runs always print the same interval.
  const random = seededRandom(0x5eed);
  const means: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < logs.length; i++) sum += logs[Math.floor(random() * logs.length)];
    means.push(sum / logs.length);
  }
  means.sort((a, b) => a - b);
  return {
    geomean: Math.exp(mean(logs)),
    low: Math.exp(means[Math.floor(resamples * 0.025)]),
    high: Math.exp(means[Math.ceil(resamples * 0.975) - 1]),
    pairs: logs.length,
  };
}

/** `1.04× (95%: 0.97–1.12, 15 pairs)` */
export function formatPaired(r: PairedRatio): string {
  return `${r.geomean.toFixed(2)}× (95%: ${r.low.toFixed(2)}–${r.high.toFixed(2)}, ${r.pairs} pairs)`;
}
