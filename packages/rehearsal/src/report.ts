/**
 * What a person reads after a rehearsal: on the terminal, each step once as it ends and then the
 * run's story; on disk, every step's summary as a file, the files step outputs pointed to in
 * RUNNER_TEMP, and one HTML page per scenario (page.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { allJobs, type JobRecord, type Result, type RunRecord, type StepRecord } from './model';
import { type Check, type PageRun, scenarioPage, seconds, stepResult } from './page';
import { type Story, storyOf } from './story';

export { type Check, clock, seconds } from './page';

export interface LabelledRun {
  label: string;
  run: RunRecord;
}

const MARK: Record<Result, string> = { success: '✓', failure: '✗', skipped: '-', cancelled: '⊘' };

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

/** The end of a run on the terminal: its result, its story and the outputs it set (its steps were printed as they ended). */
export function formatRunEnd(run: RunRecord, story: Story = storyOf(run)): string {
  const outputs = Object.entries(run.outputs)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `  output ${k} = ${v}`);
  const notes = run.notes.map((n) => `  note: ${n}`);
  const head = `${run.name} (${run.eventName}): ${run.result} in ${seconds(run.durationMs)} — ${story.verdict}`;
  return [head, `  ${story.headline}`, ...notes, ...outputs].join('\n');
}

/** The whole run as a table (job, step, result, time), for tools and tests that want every step at once. */
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

export interface ReportFiles {
  dir: string;
  html: string;
  summaries: string[];
  /** Files step outputs pointed to in RUNNER_TEMP, kept under `<dir>/files/`. */
  kept: string[];
}

export interface ReportOptions {
  /** One sentence under the title: what the scenario is about. */
  about?: string;
  /** The scenario's duration; the runs' total when not given. */
  durationMs?: number;
}

/** `<run>-<nn>-<job>-<step>`: a step's name in the report folder, in run order (`run`: already a slug). */
function stepFileBase(run: string, n: number, job: string, step: string): string {
  return `${run}-${String(n).padStart(2, '0')}-${slug(job)}-${slug(step)}`;
}

/**
 * Writes `<dir>/summaries/<run>-<nn>-<job>-<step>.md` for every step with a summary, the files its
 * outputs pointed to as `<dir>/files/<run>-<nn>-<job>-<step>-<output><ext>`, and `<dir>/index.html`.
 */
export function writeReport(
  dir: string,
  title: string,
  runs: LabelledRun[],
  checks: Check[] = [],
  options: ReportOptions = {},
): ReportFiles {
  mkdirSync(join(dir, 'summaries'), { recursive: true });
  const summaries: string[] = [];
  const kept: string[] = [];
  // Labels that slug alike (long ones cut at 40 characters) get the run's number, so no run's files
  // overwrite another's.
  const runNames = new Set<string>();
  const pages: PageRun[] = runs.map(({ label, run }, i) => {
    const page: PageRun = { label, run, story: storyOf(run, runs[i - 1]?.run.place?.sha), kept: new Map() };
    const runName = runNames.has(slug(label)) ? `${slug(label)}-run${i + 1}` : slug(label);
    runNames.add(runName);
    let n = 0;
    for (const job of allJobs(run)) {
      for (const step of job.steps) {
        const base = stepFileBase(runName, ++n, job.id, step.name);
        if (step.summary.trim()) {
          const file = join(dir, 'summaries', `${base}.md`);
          writeFileSync(file, step.summary);
          summaries.push(file);
        }
        for (const [output, content] of Object.entries(step.files ?? {})) {
          const name = `${base}-${slug(output)}${extname(step.outputs[output] ?? '') || '.txt'}`;
          mkdirSync(join(dir, 'files'), { recursive: true });
          writeFileSync(join(dir, 'files', name), content);
          kept.push(join(dir, 'files', name));
          page.kept.set(step, { ...page.kept.get(step), [output]: `files/${name}` });
        }
      }
    }
    return page;
  });
  const duration = options.durationMs ?? runs.reduce((sum, { run }) => sum + run.durationMs, 0);
  const html = join(dir, 'index.html');
  writeFileSync(html, scenarioPage(title, options.about ?? '', pages, checks, duration));
  return { dir, html, summaries, kept };
}
