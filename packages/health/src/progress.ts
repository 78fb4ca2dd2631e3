import type { ProbeRecord, RoundRecord } from './gate-report';

/** One log line per round: what happened and why, so a stuck gate is readable while it runs. */
export function describeRound(round: RoundRecord, probes: ProbeRecord[]): string {
  const statuses =
    probes.length === 0 ? 'no probes' : probes.map((p) => p.status ?? p.problems[0]?.split(':')[0] ?? '?').join(' ');
  const versions = [...new Set(probes.map((p) => p.version).filter((v) => v !== undefined))].join(', ');
  const head = `round ${round.round} at +${(round.atMs / 1000).toFixed(1)}s [${round.phase}] ${round.outcome}`;
  const detail = round.problems.length > 0 ? ` (${round.problems.slice(0, 3).join('; ')})` : '';
  return `${head}: ${statuses}${versions ? ` version ${versions}` : ''}${detail}`;
}
