import { escapeMarkdown, formatDuration, Summary } from '@deploy-actions/toolkit';
import type { GateReport } from './gate-report';

/** Timeline rows shown in the summary; the report file keeps every probe. */
const TIMELINE_ROWS = 40;
/** A latency chart needs a few rounds to say anything. */
const CHART_MIN_ROUNDS = 5;
const CHART_MAX_ROUNDS = 60;

const VERDICT_TEXT = {
  healthy: '✅ Healthy',
  failed: '❌ Failed',
  'timed-out': '⏱️ Timed out',
  cancelled: '⚪ Cancelled',
} as const;

const NEXT_STEP: Record<GateReport['verdict'], string | undefined> = {
  healthy: undefined,
  failed:
    'the new release answered but not correctly. Read the problems below and the app logs (`flyctl logs`); auto-rollback can restore the last known good release.',
  'timed-out':
    'the release never served the expected answer in time. Check that it deployed (`flyctl releases`), that the URL and expected version are right, or raise `timeout`.',
  cancelled: undefined,
};

/** A Mermaid line chart of the slowest probe per round (GitHub renders Mermaid in job summaries). */
function latencyChart(report: GateReport): string | undefined {
  const perRound = new Map<number, number>();
  for (const p of report.probes) {
    if (p.status === undefined) continue;
    perRound.set(p.round, Math.max(perRound.get(p.round) ?? 0, Math.round(p.latencyMs)));
  }
  const points = [...perRound.entries()].slice(-CHART_MAX_ROUNDS);
  if (points.length < CHART_MIN_ROUNDS) return undefined;
  const top = Math.max(10, ...points.map(([, v]) => v));
  return [
    'xychart-beta',
    '  title "Slowest probe per round (ms)"',
    `  x-axis "round" [${points.map(([r]) => r).join(', ')}]`,
    `  y-axis "ms" 0 --> ${Math.ceil(top * 1.1)}`,
    `  line [${points.map(([, v]) => v).join(', ')}]`,
  ].join('\n');
}

/** Adds the gate's verdict, checks, machines and probe timeline to a job summary. */
export function addGateSummary(summary: Summary, report: GateReport, title = 'Health gate'): Summary {
  summary.heading(`${title}: ${VERDICT_TEXT[report.verdict]}`);
  summary.text(escapeMarkdown(report.reason));
  const next = NEXT_STEP[report.verdict];
  if (next) summary.text(`**Next:** ${next}`);
  summary.facts([
    ['Elapsed', formatDuration(report.elapsedMs)],
    ['Rounds', report.attempts],
    ['Expected version', report.settings.expectedVersion],
    ['Observed version', report.observedVersion],
    ['Fly app', report.settings.flyApp],
    ['Fly release', report.settings.flyReleaseVersion],
    ['Error rate', `${report.errorRate}%`],
    ['p95 latency', report.p95Ms === undefined ? undefined : `${report.p95Ms} ms`],
    ['Deadline', formatDuration(report.settings.timeoutMs)],
  ]);
  summary.heading('Checks (last round)', 3);
  summary.table(
    ['Check', 'Request', 'Result', 'Problems'],
    report.checks.map((c) => [
      c.name,
      `${c.method} ${c.url}`,
      c.passed === undefined ? '–' : c.passed ? '✅ pass' : '❌ not passing',
      c.problems.join('; '),
    ]),
  );
  if (report.machines && report.machines.length > 0) {
    summary.heading('Machines', 3);
    summary.table(
      ['Machine', 'Region', 'State', 'Release', 'Checks', 'Result'],
      report.machines.map((m) => [
        m.id,
        m.region ?? '',
        m.state,
        m.releaseVersion ?? '',
        m.checks,
        m.note ? `${m.problem ?? m.outcome} (${m.note})` : (m.problem ?? m.outcome),
      ]),
    );
  }
  const chart = latencyChart(report);
  if (chart) summary.code(chart, 'mermaid');
  const rows = report.probes
    .slice(-TIMELINE_ROWS)
    .map((p) => [
      `+${formatDuration(p.atMs)}`,
      p.round,
      p.check + (p.machine ? ` @${p.machine}` : ''),
      p.status ?? '–',
      `${Math.round(p.latencyMs)} ms`,
      p.version ?? '',
      p.outcome === 'pass' ? 'pass' : `${p.outcome}: ${p.problems.join('; ')}`,
    ]);
  const hidden = report.probes.length - rows.length;
  const table = new Summary()
    .table(['Time', 'Round', 'Check', 'Status', 'Latency', 'Version', 'Result'], rows)
    .toString();
  summary.details(
    `Probe timeline (${report.probes.length} probes${hidden > 0 ? `, last ${rows.length} shown; all in report-file` : ''})`,
    table.trimEnd(),
  );
  return summary;
}
