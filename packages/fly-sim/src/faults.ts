/**
 * Fault injection. A spec is a comma-separated list of `<command>:<fault>` items, e.g.
 * `deploy:lease,deploy:lease,deploy:429,*:latency=200`. Each invocation of a command
 * takes the next unused fault listed for it (or for `*`), so `deploy:lease,deploy:lease`
 * fails two deploys of an app and lets the third through. `latency=<ms>` is never used up: it
 * delays every matching invocation.
 *
 * Faults: lease, 429, reset, timeout (Machines API timeout, before any machine changes),
 * update-timeout (deploy: fails after a machine was updated), update-eof (the recovery path's
 * health check loses its API connection after the update), last-wait-timeout (every machine is
 * updated and healthy, but flyctl's wait on the last one times out: flyctl issue #2653), build-failed,
 * release-command-failed, unauthorized, hang (never answers), latency=<ms>.
 */
export const FAULTS = [
  'lease',
  '429',
  'reset',
  'timeout',
  'update-timeout',
  'update-eof',
  'last-wait-timeout',
  'build-failed',
  'release-command-failed',
  'unauthorized',
  'hang',
] as const;
export type Fault = (typeof FAULTS)[number];

export interface FaultItem {
  command: string;
  fault: Fault | 'latency';
  latencyMs?: number;
}

export function parseFaults(spec: string): FaultItem[] {
  const items: FaultItem[] = [];
  for (const raw of spec.split(',')) {
    const text = raw.trim();
    if (!text) continue;
    const colon = text.indexOf(':');
    if (colon === -1) throw new Error(`fly-sim: fault ${JSON.stringify(text)} is not <command>:<fault>`);
    const command = text.slice(0, colon).trim();
    const fault = text.slice(colon + 1).trim();
    const latency = /^latency=(\d+)$/.exec(fault);
    if (latency) items.push({ command, fault: 'latency', latencyMs: Number(latency[1]) });
    else if ((FAULTS as readonly string[]).includes(fault)) items.push({ command, fault: fault as Fault });
    else throw new Error(`fly-sim: unknown fault ${JSON.stringify(fault)} (known: ${FAULTS.join(', ')}, latency=<ms>)`);
  }
  return items;
}

/**
 * Remembers which items of which spec were used for which app, so counts hold across
 * flyctl processes and tests on different apps do not use up each other's faults.
 */
export class FaultBook {
  private readonly used = new Map<string, Set<number>>();

  /** The next fault for `command` under `spec`, marking it used, plus the latency that applies. */
  take(spec: string, command: string, app = ''): { fault?: Fault; latencyMs: number } {
    if (!spec.trim()) return { latencyMs: 0 };
    const items = parseFaults(spec);
    const key = `${app}\u0000${spec}`;
    const used = this.used.get(key) ?? new Set<number>();
    this.used.set(key, used);
    let latencyMs = 0;
    let fault: Fault | undefined;
    items.forEach((item, index) => {
      if (item.command !== command && item.command !== '*') return;
      if (item.fault === 'latency') latencyMs += item.latencyMs ?? 0;
      else if (fault === undefined && !used.has(index)) {
        fault = item.fault;
        used.add(index);
      }
    });
    return { fault, latencyMs };
  }

  reset(): void {
    this.used.clear();
  }
}
