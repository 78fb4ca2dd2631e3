import { sleep as defaultSleep, formatDuration } from '@deploy-actions/toolkit';
import { type Look, lookOnce, type TrafficMachine } from './analysis';
import type { CustomCheck } from './custom';
import type { Thresholds } from './judge';
import type { PromClient } from './prom';

/** What an inconclusive analysis does at its deadline. */
export type InconclusivePolicy = 'warn' | 'fail';

export interface TrafficGateOptions {
  prom: PromClient;
  app: string;
  release: string;
  listMachines: () => Promise<TrafficMachine[]>;
  thresholds: Thresholds;
  custom?: CustomCheck[];
  /** How long to keep looking for enough traffic. */
  timeoutMs: number;
  /** Wait between looks. */
  intervalMs: number;
  inconclusive: InconclusivePolicy;
  onLook?: (look: Look) => void;
  signal?: AbortSignal;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface TrafficGateResult {
  /** pass, fail, or inconclusive (passed with a warning or failed, by the policy). */
  verdict: 'pass' | 'fail' | 'inconclusive';
  passed: boolean;
  reason: string;
  looks: Look[];
  /** The look the verdict came from. */
  last?: Look;
}

/**
 * Looks at the traffic until a look is conclusive or the time is up. A failing look ends it at
 * once; a passing look ends it too (both sides had the minimum volume); inconclusive looks wait
 * for more traffic, then the policy decides: it never passes silently.
 */
export async function runTrafficGate(o: TrafficGateOptions): Promise<TrafficGateResult> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? defaultSleep;
  const started = now();
  const looks: Look[] = [];
  for (;;) {
    let look: Look;
    try {
      const machines = await o.listMachines();
      look = await lookOnce({ ...o, machines, now: now() });
    } catch (error) {
      look = {
        atMs: now(),
        verdict: 'inconclusive',
        reasons: [`machines not listed: ${String((error as Error)?.message ?? error)}`],
        custom: [],
        warnings: [],
      };
    }
    looks.push(look);
    o.onLook?.(look);
    if (look.verdict === 'fail')
      return { verdict: 'fail', passed: false, reason: look.reasons.join('; '), looks, last: look };
    if (look.verdict === 'pass')
      return { verdict: 'pass', passed: true, reason: look.reasons.join('; '), looks, last: look };
    const left = started + o.timeoutMs - now();
    if (left <= 0 || o.signal?.aborted) {
      const why = `inconclusive after ${formatDuration(now() - started)}: ${look.reasons.join('; ')}`;
      return { verdict: 'inconclusive', passed: o.inconclusive === 'warn', reason: why, looks, last: look };
    }
    await sleep(Math.min(o.intervalMs, left));
  }
}
