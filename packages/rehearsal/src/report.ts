/**
 * What a person reads after a rehearsal: a timeline on the terminal (job, step, result, duration),
 * every step's summary as a file in one folder, and one HTML page showing the whole run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { escapeHtml, markdownToHtml } from './markdown';
import { allJobs, type JobRecord, type Result, type RunRecord, type StepRecord } from './model';

/** One expectation a scenario checked after its runs. */
export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface LabelledRun {
  label: string;
  run: RunRecord;
}

const MARK: Record<Result, string> = { success: '✓', failure: '✗', skipped: '-', cancelled: '⊘' };

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function stepResult(step: StepRecord): string {
  if (step.outcome === 'failure' && step.conclusion === 'success') return 'failure (continue-on-error)';
  return step.conclusion;
}

/** One timeline line, printed as each step ends. */
export function formatStep(step: StepRecord): string {
  const mark = step.outcome === 'failure' && step.conclusion === 'success' ? '!' : MARK[step.conclusion];
  const time = step.conclusion === 'skipped' ? '' : seconds(step.durationMs);
  const notes = [...step.notes, ...step.annotations.filter((a) => a.level === 'error').map((a) => a.message)];
  const tail = notes.length > 0 ? `  (${notes.join('; ').split('\n')[0].slice(0, 160)})` : '';
  return `    ${mark} ${step.job.padEnd(18)} ${step.name.padEnd(44)} ${stepResult(step).padEnd(10)} ${time.padStart(6)}${tail}`;
}

export function formatJob(job: JobRecord): string {
  const env = job.environment ? `  environment: ${job.environment.name}` : '';
  const notes = job.notes.length > 0 ? `  (${job.notes.join('; ')})` : '';
  return `  ${MARK[job.result]} job ${job.id}: ${job.result} in ${seconds(job.durationMs)}${env}${notes}`;
}

/** The whole run as a table, for the end of a rehearsal. */
export function formatTimeline(run: RunRecord): string {
  const rows = [['JOB', 'STEP', 'RESULT', 'TIME']];
  for (const job of allJobs(run)) {
    if (job.called)
      rows.push([job.id, `(calls ${basename(job.called.workflow)})`, job.result, seconds(job.durationMs)]);
    else if (job.result === 'skipped' && job.steps.length === 0) rows.push([job.id, '(job skipped)', 'skipped', '']);
    for (const step of job.steps) rows.push([job.id, step.name, stepResult(step), seconds(step.durationMs)]);
  }
  const width = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => `  ${r.map((cell, c) => cell.padEnd(width[c])).join('  ')}`.trimEnd());
  const outputs = Object.entries(run.outputs).map(([k, v]) => `  output ${k} = ${v}`);
  const notes = run.notes.map((n) => `  note: ${n}`);
  const head = `${run.name} (${run.eventName}): ${run.result} in ${seconds(run.durationMs)}`;
  return [head, ...notes, ...lines, ...outputs].join('\n');
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'step'
  );
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1f2328}
h1{font-size:1.6em}h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
.success{color:#1a7f37}.failure{color:#cf222e}.skipped,.cancelled{color:#6e7781}
.step{border:1px solid #d0d7de;border-radius:6px;margin:.6em 0;padding:.2em .8em}
.summary{border-left:3px solid #d0d7de;padding-left:1em}
pre{background:#f6f8fa;padding:.6em;overflow:auto;font-size:12px}code{background:#f6f8fa}`;

function stepHtml(step: StepRecord): string {
  const parts = [
    `<details class="step"${step.conclusion === 'failure' ? ' open' : ''}><summary><span class="${step.conclusion}">${MARK[step.conclusion]}</span> ` +
      `<strong>${escapeHtml(step.name)}</strong> ${escapeHtml(stepResult(step))} ${step.conclusion === 'skipped' ? '' : seconds(step.durationMs)}` +
      `${step.uses ? ` <code>${escapeHtml(step.uses)}</code>` : ''}</summary>`,
  ];
  const notes = [
    ...step.notes.map((n) => `note: ${n}`),
    ...step.annotations.map((a) => `${a.level}: ${a.message}`),
    ...step.leaks.map((l) => `LEAK: ${l}`),
  ];
  if (notes.length > 0) parts.push(`<ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  const outputs = Object.entries(step.outputs);
  if (outputs.length > 0) {
    parts.push(
      `<table><tr><th>output</th><th>value</th></tr>${outputs.map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`,
    );
  }
  if (step.summary.trim()) parts.push(`<div class="summary">${markdownToHtml(step.summary)}</div>`);
  if (step.log.trim()) parts.push(`<details><summary>log</summary><pre>${escapeHtml(step.log)}</pre></details>`);
  parts.push('</details>');
  return parts.join('\n');
}

function runHtml({ label, run }: LabelledRun): string {
  const jobs = allJobs(run).map((job) => {
    const env = job.environment ? ` · environment <code>${escapeHtml(job.environment.name)}</code>` : '';
    const outputs = Object.entries(job.outputs)
      .map(([k, v]) => `<code>${escapeHtml(k)}</code>=${escapeHtml(v)}`)
      .join(', ');
    return [
      `<h3><span class="${job.result}">${MARK[job.result]}</span> job ${escapeHtml(job.id)}: ${job.result} (${seconds(job.durationMs)})${env}</h3>`,
      job.called ? `<p>calls <code>${escapeHtml(basename(job.called.workflow))}</code>; its jobs follow</p>` : '',
      job.notes.length > 0 ? `<p>${job.notes.map(escapeHtml).join('<br>')}</p>` : '',
      outputs ? `<p>outputs: ${outputs}</p>` : '',
      ...job.steps.map(stepHtml),
    ].join('\n');
  });
  const inputs = Object.entries(run.inputs)
    .map(([k, v]) => `<code>${escapeHtml(k)}</code>=${escapeHtml(String(v))}`)
    .join(', ');
  const outputs = Object.entries(run.outputs)
    .map(([k, v]) => `<code>${escapeHtml(k)}</code>=${escapeHtml(v)}`)
    .join(', ');
  const timeline = allJobs(run)
    .flatMap((job) =>
      job.steps.length === 0
        ? [
            [
              job.id,
              job.called ? `(calls ${basename(job.called.workflow)})` : '(job skipped)',
              job.result,
              job.durationMs,
            ] as const,
          ]
        : job.steps.map((step) => [job.id, step.name, step.conclusion, step.durationMs] as const),
    )
    .map(
      ([job, name, result, ms]) =>
        `<tr><td>${escapeHtml(job)}</td><td>${escapeHtml(name)}</td><td class="${result}">${MARK[result]} ${result}</td><td>${result === 'skipped' ? '' : seconds(ms)}</td></tr>`,
    )
    .join('');
  return [
    `<h2>${escapeHtml(label)}: <span class="${run.result}">${run.result}</span> (${seconds(run.durationMs)})</h2>`,
    `<table><tr><th>job</th><th>step</th><th>result</th><th>time</th></tr>${timeline}</table>`,
    `<p><code>${escapeHtml(run.name)}</code> on <code>${escapeHtml(run.eventName)}</code>${inputs ? `<br>inputs: ${inputs}` : ''}${outputs ? `<br>outputs: ${outputs}` : ''}</p>`,
    run.notes.length > 0 ? `<p>${run.notes.map(escapeHtml).join('<br>')}</p>` : '',
    ...jobs,
  ].join('\n');
}

export interface ReportFiles {
  dir: string;
  html: string;
  summaries: string[];
}

/** Writes `<dir>/summaries/<run>-<nn>-<job>-<step>.md` for every step with a summary, and `<dir>/index.html`. */
export function writeReport(dir: string, title: string, runs: LabelledRun[], checks: Check[] = []): ReportFiles {
  const summaryDir = join(dir, 'summaries');
  mkdirSync(summaryDir, { recursive: true });
  const summaries: string[] = [];
  runs.forEach(({ label, run }) => {
    let n = 0;
    for (const job of allJobs(run)) {
      for (const step of job.steps) {
        n++;
        if (!step.summary.trim()) continue;
        const file = join(
          summaryDir,
          `${slug(label)}-${String(n).padStart(2, '0')}-${slug(job.id)}-${slug(step.name)}.md`,
        );
        writeFileSync(file, step.summary);
        summaries.push(file);
      }
    }
  });
  const checkList =
    checks.length === 0
      ? ''
      : `<h2>Checks</h2><ul>${checks
          .map(
            (c) =>
              `<li class="${c.ok ? 'success' : 'failure'}">${c.ok ? '✓' : '✗'} ${escapeHtml(c.name)}${c.detail ? `: ${escapeHtml(c.detail)}` : ''}</li>`,
          )
          .join('')}</ul>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${checkList}
${runs.map(runHtml).join('\n')}
</body></html>
`;
  const htmlFile = join(dir, 'index.html');
  writeFileSync(htmlFile, html);
  return { dir, html: htmlFile, summaries };
}
