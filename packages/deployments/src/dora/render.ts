import { escapeMarkdown, formatDuration, Summary } from '@deploy-actions/toolkit';
import type { EnvironmentFigures } from './compute';

const pct = (rate: number | undefined) => (rate === undefined ? 'n/a' : `${(rate * 100).toFixed(1)}%`);
const duration = (ms: number | undefined) => (ms === undefined ? 'n/a' : formatDuration(Math.round(ms)));
const band = (b: string | undefined) => (b === undefined ? '' : ` (${b})`);

/** A mermaid label: no quotes, brackets or line breaks from outside text. */
const label = (text: string) => text.replace(/["[\]\r\n`]/g, ' ').slice(0, 60);

/** Releases and failures per week, as a mermaid bar and line chart (GitHub renders mermaid blocks). */
function chart(f: EnvironmentFigures): string {
  const top = Math.max(1, ...f.weeks.map((w) => w.deployments + w.failures));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "Releases per week: ${label(f.environment)} (bars verified, line failed)"`,
    `  x-axis [${f.weeks.map((w) => `"${w.start.slice(5)}"`).join(', ')}]`,
    `  y-axis "Releases" 0 --> ${top}`,
    `  bar [${f.weeks.map((w) => w.deployments).join(', ')}]`,
    `  line [${f.weeks.map((w) => w.failures).join(', ')}]`,
    '```',
  ].join('\n');
}

/** The report as a job summary: the four keys with their bands per environment, and a chart each. */
export function doraSummary(figures: EnvironmentFigures[]): Summary {
  const summary = new Summary().heading('Deploy report: the four DORA keys');
  if (figures.length === 0) return summary.text('No deployments recorded in the period.');
  summary.text(
    `Period ${figures[0].since.slice(0, 10)} to ${figures[0].until.slice(0, 10)} (${figures[0].days} days).`,
  );
  summary.table(
    ['Environment', 'Deployment frequency', 'Lead time (median)', 'Change failure rate', 'Time to restore (median)'],
    figures.map((f) => [
      escapeMarkdown(f.environment),
      `${f.deploymentsPerDay.toFixed(2)}/day, ${f.deployments} verified${band(f.bands.deploymentFrequency)}`,
      `${duration(f.leadTime.medianMs)}${band(f.bands.leadTime)}`,
      `${pct(f.changeFailureRate)}: ${f.failures} of ${f.releases}${band(f.bands.changeFailureRate)}`,
      `${duration(f.timeToRestore.medianMs)}${band(f.bands.timeToRestore)}${f.timeToRestore.open > 0 ? `, ${f.timeToRestore.open} not restored` : ''}`,
    ]),
  );
  for (const f of figures) summary.text(chart(f));
  summary.text(
    'Bands: elite, high, medium, low, from the Accelerate State of DevOps reports (2019; change failure rate 2021). A release fails when its gate fails or it is rolled back.',
  );
  return summary;
}

/** The figures as JSON, durations in milliseconds and rates from 0 to 1. */
export function doraJson(figures: EnvironmentFigures[]): string {
  return `${JSON.stringify({ schema: 'deploy-actions/dora@1', environments: figures }, null, 2)}\n`;
}
