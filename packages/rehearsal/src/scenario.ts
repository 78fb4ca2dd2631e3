/**
 * A scenario: one or more rehearsed workflow runs on a fresh stage, then checks of what the runs did
 * to the world (database, fly-sim, mails, webhooks, GitHub deployments and comments). Each scenario
 * writes its own report folder; `runScenarios` prints the final pass/fail table.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { REPO_ROOT } from '@deploy-actions/runner';
import type { PgServer } from '@deploy-actions/testkit/postgres';
import { rehearse } from './engine';
import { RehearsalError } from './errors';
import type { Json } from './expressions';
import { escapeHtml } from './markdown';
import { allLeaks, allSteps, type RunRecord, type StepRecord } from './model';
import {
  type Check,
  formatJob,
  formatRunEnd,
  formatStep,
  type LabelledRun,
  type ReportFiles,
  seconds,
  writeReport,
} from './report';
import { type Stage, startStage } from './stage';
import { storyOf } from './story';

export interface RunSpec {
  /** The workflow file, relative to the repo root: `.github/workflows/deploy.yml`, `examples/preview.yml`. */
  workflow: string;
  eventName: string;
  event?: Record<string, Json>;
  inputs: Record<string, string | boolean | number>;
  secrets: Record<string, string>;
  sha?: string;
  ref?: string;
  actor?: string;
  /** The commit message the GitHub API serves for `sha` (notifications quote its first line). */
  commitMessage?: string;
  /** Configuration variables (`vars.NAME`). */
  vars?: Record<string, string>;
}

export interface ScenarioContext {
  stage: Stage;
  /** Rehearses one workflow run, printing its timeline; the run goes into the report. */
  run(label: string, spec: RunSpec): Promise<RunRecord>;
  /** Records a check; a scenario passes when all its checks pass. */
  check(name: string, ok: boolean, detail?: string): void;
  /** A check that `actual` equals `expected`, showing both when it does not. */
  expect(name: string, actual: unknown, expected: unknown): void;
  /** Something the rehearsal did differently from a real run (a placeholder secret); printed and reported. */
  note(text: string): void;
}

export interface Scenario {
  name: string;
  title: string;
  /** A caller's repository checked out on the stage instead of the built-in app. */
  source?: string;
  /**
   * The PostgreSQL major its database runs on (18 by default). A backup needs a pg_dump at least as
   * new as the server; the one on this machine (Debian 12's postgresql-client) is 15.
   */
  postgres?: 15 | 18;
  run(context: ScenarioContext): Promise<void>;
}

export interface ScenarioResult {
  name: string;
  title: string;
  ok: boolean;
  durationMs: number;
  checks: Check[];
  runs: LabelledRun[];
  report?: ReportFiles;
}

/** A step of a run by job id and step id; a missing one is a wiring problem worth naming. */
export function stepOf(run: RunRecord, job: string, id: string): StepRecord {
  const step = allSteps(run).find((s) => s.job === job && s.id === id);
  if (!step) throw new RehearsalError(`${run.name}: no step '${id}' in job '${job}'`);
  return step;
}

export interface RunScenariosOptions {
  outDir: string;
  /** Where progress goes (the terminal for `npm run rehearse`, nowhere in tests). */
  print?: (line: string) => void;
  /** A running PostgreSQL server; one is started (and stopped) when not given. */
  pg?: PgServer;
  /** Where deploy.yml and preview.yml are read from; this repo's .github/workflows by default. */
  workflowsDir?: string;
}

/** A workflow of this repo, or its copy in `workflowsDir` for files under .github/workflows. */
function workflowPath(workflow: string, workflowsDir?: string): string {
  if (isAbsolute(workflow)) return workflow; // a caller's workflow in the stage's checkout
  if (workflowsDir && workflow.startsWith('.github/workflows/')) return join(workflowsDir, basename(workflow));
  return join(REPO_ROOT, workflow);
}

export async function runScenario(
  scenario: Scenario,
  pg: PgServer,
  options: RunScenariosOptions,
): Promise<ScenarioResult> {
  const print = options.print ?? (() => {});
  const started = Date.now();
  const checks: Check[] = [];
  const runs: LabelledRun[] = [];
  print(`\n== ${scenario.name}: ${scenario.title}`);
  const stage = await startStage(pg, scenario.name, { source: scenario.source });
  const notes: string[] = [];
  // Checks are named after the run they follow, so "the run succeeded" says which run.
  let current = '';
  const check = (text: string, ok: boolean, detail?: string) => {
    const name = current && !text.startsWith(current) ? `${current}: ${text}` : text;
    checks.push({ name, ok, ...(detail ? { detail } : {}) });
    // Passed checks are counted at the end; a failed one is shown as it happens.
    if (!ok) print(`  ✗ ${name}${detail ? `: ${detail}` : ''}`);
  };
  const context: ScenarioContext = {
    stage,
    check,
    expect(name, actual, expected) {
      const ok = JSON.stringify(actual) === JSON.stringify(expected);
      check(name, ok, ok ? undefined : `expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    },
    note(text) {
      if (notes.includes(text)) return;
      notes.push(text);
      print(`  note: ${text}`);
    },
    async run(label, spec) {
      print(`\n  -- ${label} (${spec.workflow}, ${spec.eventName})`);
      if (spec.sha) {
        stage.api.seedCommit({ sha: spec.sha, message: spec.commitMessage ?? `${label}\n\nRehearsal commit.` });
        // The run exists on GitHub's side too: auto-rollback traces deployment records to their run.
        stage.api.seedRun({ id: 7100 + runs.length, head_sha: spec.sha, event: spec.eventName });
      }
      const run = await rehearse({
        workflow: workflowPath(spec.workflow, options.workflowsDir),
        workflowsDir: options.workflowsDir,
        eventName: spec.eventName,
        event: spec.event,
        inputs: spec.inputs,
        secrets: spec.secrets,
        vars: spec.vars,
        // Every workflow run has its own id (auto-rollback's loop guard tells runs apart by it).
        github: {
          ...stage.github,
          sha: spec.sha,
          ref: spec.ref,
          actor: spec.actor ?? stage.github.actor,
          runId: String(7100 + runs.length),
        },
        workspace: stage.workspace,
        artifactsDir: stage.artifactsDir,
        env: stage.env,
        sensitive: stage.sensitive,
        flyAppUrl: (app) => stage.fly.sim.appUrl(app),
        stepTimeoutMs: 5 * 60_000,
        onStep: (step) => print(formatStep(step)),
        onJob: (job) => print(formatJob(job)),
      });
      print(`\n${formatRunEnd(run, storyOf(run, runs.at(-1)?.run.place?.sha)).replace(/^/gm, '  ')}`);
      runs.push({ label, run });
      current = label;
      const leaks = allLeaks(run);
      check('no secret printed or written by any step', leaks.length === 0, leaks.join('; '));
      return run;
    },
  };
  try {
    await scenario.run(context);
  } catch (err) {
    const message =
      err instanceof RehearsalError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    check('the scenario ran to the end', false, message);
  } finally {
    await stage.close();
  }
  const durationMs = Date.now() - started;
  const dir = join(options.outDir, scenario.name);
  rmSync(dir, { recursive: true, force: true }); // an earlier report's files must not mix with this one's
  const about = [scenario.title, ...notes.map((n) => `Note: ${n}`)].join('\n');
  const report = writeReport(dir, `Rehearsal: ${scenario.name}`, runs, checks, { about, durationMs });
  const ok = checks.length > 0 && checks.every((c) => c.ok);
  const passed = checks.filter((c) => c.ok).length;
  print(`\n  ${ok ? '✓' : '✗'} ${scenario.name}: ${passed} of ${checks.length} checks passed`);
  return { name: scenario.name, title: scenario.title, ok, durationMs, checks, runs, report };
}

/** The final pass/fail table. */
export function formatResults(results: ScenarioResult[]): string {
  const rows = [['SCENARIO', 'RESULT', 'TIME', 'CHECKS', 'REPORT']];
  for (const r of results) {
    const passed = r.checks.filter((c) => c.ok).length;
    rows.push([
      r.name,
      r.ok ? 'pass' : 'FAIL',
      seconds(r.durationMs),
      `${passed}/${r.checks.length}`,
      r.report?.html ?? '',
    ]);
  }
  const width = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) =>
    row
      .map((cell, c) => cell.padEnd(width[c]))
      .join('  ')
      .trimEnd(),
  );
  const failed = results.flatMap((r) =>
    r.checks
      .filter((c) => !c.ok)
      .map((c) => `  ${r.name}: ${c.name}${c.detail ? ` (${c.detail.replace(/\s*\n\s*/g, ' ').slice(0, 300)})` : ''}`),
  );
  return [...lines, ...(failed.length > 0 ? ['', 'Failed checks:', ...failed] : [])].join('\n');
}

/** `<outDir>/index.html`: every scenario's result, linking to its own page. */
export function writeIndex(outDir: string, results: ScenarioResult[]): string {
  const rows = results
    .map((r) => {
      const passed = r.checks.filter((c) => c.ok).length;
      const failed = r.checks
        .filter((c) => !c.ok)
        .map((c) => `<li>${escapeHtml(c.name)}${c.detail ? `: ${escapeHtml(c.detail)}` : ''}</li>`);
      return (
        `<tr><td><a href="${escapeHtml(r.name)}/index.html">${escapeHtml(r.name)}</a></td><td>${escapeHtml(r.title)}</td>` +
        `<td class="${r.ok ? 'success' : 'failure'}">${r.ok ? 'pass' : 'FAIL'}</td><td>${seconds(r.durationMs)}</td>` +
        `<td>${passed}/${r.checks.length}${failed.length > 0 ? `<ul>${failed.join('')}</ul>` : ''}</td>` +
        `<td><ol>${r.runs.map(({ label, run }, i) => `<li>${escapeHtml(label)}: ${escapeHtml(storyOf(run, r.runs[i - 1]?.run.place?.sha).verdict)}</li>`).join('')}</ol></td></tr>`
      );
    })
    .join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rehearsal</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px}table{border-collapse:collapse}
td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}.success{color:#1a7f37}.failure{color:#cf222e}</style>
</head><body><h1>Rehearsal</h1>
<table><tr><th>scenario</th><th>what</th><th>result</th><th>time</th><th>checks</th><th>runs</th></tr>
${rows}
</table></body></html>
`;
  const file = join(outDir, 'index.html');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(file, html);
  return file;
}

export async function runScenarios(scenarios: Scenario[], options: RunScenariosOptions): Promise<ScenarioResult[]> {
  // One server per PostgreSQL major the scenarios ask for, started when first needed.
  const servers = new Map<number, PgServer>();
  const own: PgServer[] = [];
  if (options.pg) servers.set(options.pg.version, options.pg);
  const serverFor = async (version: 15 | 18) => {
    let pg = servers.get(version);
    if (!pg) {
      const { startPostgres } = await import('@deploy-actions/testkit/postgres');
      pg = await startPostgres({ version });
      servers.set(version, pg);
      own.push(pg);
    }
    return pg;
  };
  try {
    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const pg = await serverFor(scenario.postgres ?? 18);
      results.push(await runScenario(scenario, pg, options));
    }
    writeIndex(options.outDir, results);
    return results;
  } finally {
    await Promise.all(own.map((pg) => pg.stop()));
  }
}
