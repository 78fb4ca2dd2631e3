/**
 * One scenario's HTML page, in the order a person reads it: the verdict and every run's story first,
 * then per run its links, the step that failed, and a timeline chart of jobs and steps at their
 * wall-clock times, each step once, opening to its outputs, summary and log. Checks come last, folded
 * when they all passed. Plain HTML and CSS: it opens from disk and prints.
 */
import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { escapeHtml, markdownToHtml } from './markdown';
import { allJobs, type JobRecord, type Result, type RunRecord, type StepRecord } from './model';
import type { Story } from './story';

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface PageRun {
  label: string;
  run: RunRecord;
  story: Story;
  /** Output files kept from RUNNER_TEMP: `files/...` paths relative to the page, by step and output. */
  kept: Map<StepRecord, Record<string, string>>;
}

const MARK: Record<Result, string> = { success: '✓', failure: '✗', skipped: '–', cancelled: '⊘' };

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** Wall-clock time of day on this machine, to the tenth of a second. */
export function clock(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${Math.floor(d.getMilliseconds() / 100)}`;
}

export function stepResult(step: StepRecord): string {
  if (step.outcome === 'failure' && step.conclusion === 'success') return 'failure (continue-on-error)';
  return step.conclusion;
}

export const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1f2328;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:2em}
a{color:#0969da}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
.success{color:#1a7f37}.failure{color:#cf222e}.skipped,.cancelled{color:#6e7781}.warning{color:#9a6700}
.verdict{font-size:1.1em;font-weight:600}.stories li{margin:.3em 0}.tag{display:inline-block;border-radius:1em;padding:0 .6em;font-size:.85em;font-weight:600;color:#fff}
.tag.success{background:#1a7f37}.tag.failure{background:#cf222e}.tag.skipped{background:#6e7781}.tag.warning{background:#9a6700}
.links a{margin:0 .3em}.failed{border:1px solid #cf222e;border-left-width:4px;border-radius:6px;padding:.4em 1em;margin:.8em 0;background:#fff8f8}
.chart{margin:.8em 0}.row{display:grid;grid-template-columns:18em 1fr 11em;gap:.6em;align-items:center;padding:1px 0}
.row .label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.job>.label{font-weight:600}.step .label{padding-left:1em}
.track{position:relative;height:.9em;background:#f6f8fa;border-radius:3px}.bar{position:absolute;top:0;bottom:0;min-width:2px;border-radius:3px}
.bar.success{background:#2da44e}.bar.failure{background:#cf222e}.bar.skipped,.bar.cancelled{background:#d0d7de}.time{font:12px ui-monospace,monospace;color:#57606a}
details.step>summary{list-style:none;cursor:pointer}details.step>summary::-webkit-details-marker{display:none}details.step[open]>summary{background:#f6f8fa}
.detail{border-left:3px solid #d0d7de;margin:.3em 0 .8em 1em;padding:.1em 1em}.axis{font:12px ui-monospace,monospace;color:#57606a}
pre{background:#f6f8fa;padding:.6em;overflow:auto;font-size:12px}code{background:#f6f8fa}.gone{color:#6e7781}`;

function tag(story: Story): string {
  return `<span class="tag ${story.tone}">${escapeHtml(story.verdict)}</span>`;
}

function outputCell(value: string, kept: string | undefined): string {
  if (kept)
    return `<a href="${escapeHtml(kept)}">${escapeHtml(kept)}</a> <span class="gone">(kept from RUNNER_TEMP)</span>`;
  if (isAbsolute(value.trim()) && value.trim() !== '/' && !existsSync(value.trim())) {
    return `<span class="gone">${escapeHtml(value)} (in RUNNER_TEMP, removed when the job ended)</span>`;
  }
  return escapeHtml(value);
}

function stepDetail(step: StepRecord, kept: Record<string, string> | undefined): string {
  const parts: string[] = [];
  if (step.uses) parts.push(`<p>uses <code>${escapeHtml(step.uses)}</code></p>`);
  const notes = [
    ...step.leaks.map((l) => `LEAK: ${l}`),
    ...step.annotations.map((a) => `${a.level}: ${a.message}`),
    ...step.notes.map((n) => `note: ${n}`),
  ];
  if (notes.length > 0) parts.push(`<ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  const outputs = Object.entries(step.outputs);
  if (outputs.length > 0) {
    const rows = outputs.map(
      ([k, v]) => `<tr><td><code>${escapeHtml(k)}</code></td><td>${outputCell(v, kept?.[k])}</td></tr>`,
    );
    parts.push(`<table><tr><th>output</th><th>value</th></tr>${rows.join('')}</table>`);
  }
  if (step.summary.trim()) parts.push(`<div class="summary">${markdownToHtml(step.summary)}</div>`);
  if (step.log.trim()) parts.push(`<details><summary>log</summary><pre>${escapeHtml(step.log)}</pre></details>`);
  return parts.join('\n');
}

/** A chart row: a label, a bar placed at its start within the run, and its wall-clock start and length. */
function row(label: string, result: Result, start: number, ms: number, run: RunRecord): string {
  const total = Math.max(run.durationMs, 1);
  const left = Math.min(100, Math.max(0, ((start - run.startedAt) / total) * 100));
  const width = Math.min(100 - left, (ms / total) * 100);
  const bar =
    result === 'skipped'
      ? ''
      : `<span class="bar ${result}" style="left:${left.toFixed(2)}%;width:${width.toFixed(2)}%"></span>`;
  const time = result === 'skipped' ? 'skipped' : `${clock(start)} · ${seconds(ms)}`;
  return (
    `<span class="label"><span class="${result}">${MARK[result]}</span> ${escapeHtml(label)}</span>` +
    `<span class="track">${bar}</span><span class="time">${time}</span>`
  );
}

function jobRows(job: JobRecord, page: PageRun, anchor: (s: StepRecord) => string): string {
  const { run } = page;
  const env = job.environment ? ` · ${job.environment.name}` : '';
  const head = `<div class="row job">${row(`${job.id}${env}`, job.result, job.startedAt, job.durationMs, run)}</div>`;
  const notes = job.notes.length > 0 ? `<div class="detail">${job.notes.map(escapeHtml).join('<br>')}</div>` : '';
  const steps = job.steps.map((step) => {
    const open = step.outcome === 'failure' ? ' open' : '';
    return (
      `<details class="step" id="${anchor(step)}"${open}><summary class="row step">` +
      `${row(step.name, step.outcome === 'failure' ? 'failure' : step.conclusion, step.startedAt, step.durationMs, run)}` +
      `</summary><div class="detail">${stepDetail(step, page.kept.get(step))}</div></details>`
    );
  });
  return [head, notes, ...steps].join('\n');
}

function checkList(checks: Check[]): string {
  if (checks.length === 0) return '';
  const failed = checks.filter((c) => !c.ok).length;
  const head =
    failed === 0
      ? `<span class="success">✓ all ${checks.length} checks passed</span>`
      : `<span class="failure">✗ ${failed} of ${checks.length} checks failed</span>`;
  const items = checks.map(
    (c) =>
      `<li class="${c.ok ? 'success' : 'failure'}">${c.ok ? '✓' : '✗'} ${escapeHtml(c.name)}${c.detail ? `: ${escapeHtml(c.detail)}` : ''}</li>`,
  );
  return `<details class="checks"${failed > 0 ? ' open' : ''}><summary>${head}</summary><ul>${items.join('')}</ul></details>`;
}

function runSection(page: PageRun, index: number, checks: Check[]): string {
  const { run, story, label } = page;
  const anchor = (step: StepRecord) =>
    `run${index + 1}-${
      allJobs(run)
        .flatMap((j) => j.steps)
        .indexOf(step) + 1
    }`;
  const links = story.links.map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a>`).join(' · ');
  const failed = story.failed
    ? `<div class="failed"><strong>Failed step:</strong> <a href="#${anchor(story.failed.step)}">${escapeHtml(story.failed.step.job)} / ${escapeHtml(story.failed.step.name)}</a><br>${escapeHtml(story.failed.why)}</div>`
    : '';
  const inputs = Object.entries(run.inputs)
    .map(([k, v]) => `<code>${escapeHtml(k)}</code>=${escapeHtml(String(v))}`)
    .join(', ');
  const outputs = Object.entries(run.outputs)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `<code>${escapeHtml(k)}</code>=${escapeHtml(v)}`)
    .join(', ');
  return [
    `<h2 id="run${index + 1}">${index + 1}. ${escapeHtml(label)} ${tag(story)}</h2>`,
    `<p class="headline">${escapeHtml(story.headline)}</p>`,
    `<p class="links">${links}</p>`,
    failed,
    `<div class="chart"><div class="row axis"><span>${escapeHtml(run.name)} on ${escapeHtml(run.eventName)}: ${run.result}</span>` +
      `<span>${clock(run.startedAt)} → ${clock(run.startedAt + run.durationMs)}</span><span>${seconds(run.durationMs)}</span></div>`,
    ...allJobs(run).map((job) => jobRows(job, page, anchor)),
    '</div>',
    `<p class="io">${inputs ? `inputs: ${inputs}` : ''}${outputs ? `<br>outputs: ${outputs}` : ''}</p>`,
    run.notes.length > 0 ? `<p>${run.notes.map(escapeHtml).join('<br>')}</p>` : '',
    checkList(checks),
  ].join('\n');
}

/** Checks are named `<run label>: <text>` after the run they follow; the rest belong to the scenario. */
function checksOf(label: string, checks: Check[]): Check[] {
  return checks
    .filter((c) => c.name.startsWith(`${label}: `))
    .map((c) => ({ ...c, name: c.name.slice(label.length + 2) }));
}

export function scenarioPage(
  title: string,
  about: string,
  runs: PageRun[],
  checks: Check[],
  durationMs: number,
): string {
  const ok = checks.length > 0 && checks.every((c) => c.ok);
  const failed = checks.filter((c) => !c.ok).length;
  const verdict = ok
    ? `<span class="success">✓ pass</span> · ${checks.length} of ${checks.length} checks`
    : `<span class="failure">✗ FAIL</span> · ${failed} of ${checks.length} checks failed`;
  const stories = runs.map(
    (r, i) =>
      `<li>${tag(r.story)} <a href="#run${i + 1}">${escapeHtml(r.label)}</a>: ${escapeHtml(r.story.headline)}</li>`,
  );
  const labelled = new Set(runs.flatMap((r) => checksOf(r.label, checks).map((c) => `${r.label}: ${c.name}`)));
  const scenarioChecks = checks.filter((c) => !labelled.has(c.name));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(about)}</p>
<p class="verdict">${verdict} · ${seconds(durationMs)}${runs[0] ? ` · started ${clock(runs[0].run.startedAt)}` : ''}</p>
<ol class="stories">${stories.join('\n')}</ol>
${scenarioChecks.length > 0 ? `<h2>Scenario checks</h2>${checkList(scenarioChecks)}` : ''}
${runs.map((r, i) => runSection(r, i, checksOf(r.label, checks))).join('\n')}
</body></html>
`;
}
