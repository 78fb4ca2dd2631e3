import { escapeMarkdown, formatDuration, type Summary } from '@deploy-actions/toolkit';
import type { TrafficGateResult } from './gate';
import { formatP, type SideStats } from './judge';

const VERDICT_TEXT = { pass: '✅ Passed', fail: '❌ Failed', inconclusive: '⚠️ Inconclusive' } as const;

const ms = (v: number | undefined) => (v === undefined ? '–' : `${Math.round(v)} ms`);

function row(side: SideStats): unknown[] {
  return [
    side.label,
    Math.round(side.requests),
    `${side.errorRate.toFixed(2)}%`,
    ms(side.p50),
    ms(side.p95),
    ms(side.p99),
  ];
}

/** Bars per release: error rate and p95 side by side (GitHub renders Mermaid in job summaries). */
function chart(next: SideStats, base: SideStats): string {
  const p95 = [base.p95 ?? 0, next.p95 ?? 0].map(Math.round);
  const top = Math.max(10, ...p95);
  return [
    'xychart-beta',
    '  title "p95 latency (ms): baseline, new release"',
    '  x-axis ["baseline", "new release"]',
    `  y-axis "ms" 0 --> ${Math.ceil(top * 1.2)}`,
    `  bar [${p95.join(', ')}]`,
  ].join('\n');
}

/** The traffic analysis in the job summary: verdict, a table per release, the test, the queries to repeat. */
export function addTrafficSummary(summary: Summary, result: TrafficGateResult, policy: 'warn' | 'fail'): Summary {
  const look = result.last;
  let verdict: string = VERDICT_TEXT[result.verdict];
  if (result.verdict === 'inconclusive') verdict += result.passed ? ' (passed with a warning)' : ' (failed by policy)';
  summary.heading('Traffic analysis', 3);
  summary.facts([
    ['Verdict', verdict],
    ['Why', escapeMarkdown(result.reason)],
    [
      'Baseline',
      look?.baseline === 'previous-window'
        ? 'the app before the deploy'
        : look?.baseline === 'old-machines'
          ? "the previous release's machines, same window"
          : '–',
    ],
    ['Window', look?.windowSeconds ? formatDuration(look.windowSeconds * 1000) : '–'],
    ['Looks', result.looks.length],
    ['When inconclusive', policy === 'warn' ? 'pass with a warning' : 'fail'],
  ]);
  if (look?.next && look.base) {
    summary.table(['', 'requests', 'error rate', 'p50', 'p95', 'p99'], [row(look.base), row(look.next)]);
    const test = look.comparison?.test;
    if (test) {
      const z = test.z === undefined ? '' : `, z = ${test.z.toFixed(2)}`;
      summary.text(`Error-rate test: ${test.method}, one-sided ${formatP(test.pValue)}${z}.`);
    }
    summary.code(chart(look.next, look.base), 'mermaid');
  }
  if (look?.custom.length) {
    summary.table(
      ['query', 'value', 'bound', 'result'],
      look.custom.map((c) => [`\`${c.query}\``, c.value ?? 'no data', c.bound, c.verdict]),
    );
  }
  const queries = [...(look?.base?.queries ?? []), ...(look?.next?.queries ?? [])];
  if (queries.length > 0)
    summary.details(
      'Queries (MetricsQL; paste in Grafana Explore at the time shown)',
      `\`\`\`\n${queries.join('\n')}\n\`\`\``,
    );
  const warnings = [...new Set(result.looks.flatMap((l) => l.warnings))];
  if (warnings.length > 0) summary.list(warnings.map(escapeMarkdown));
  return summary;
}
