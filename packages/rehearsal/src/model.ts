/** What a rehearsed run produced: the records the timeline, the summaries folder and the HTML page show. */
import type { Annotation } from '@deploy-actions/runner';
import type { ArtifactRecord } from './artifacts';

export type Result = 'success' | 'failure' | 'skipped' | 'cancelled';

export interface StepRecord {
  job: string;
  id: string;
  name: string;
  kind: 'run' | 'action' | 'noop';
  uses?: string;
  /** Before continue-on-error is applied. */
  outcome: Result;
  /** After continue-on-error is applied. */
  conclusion: Result;
  outputs: Record<string, string>;
  startedAt: number;
  durationMs: number;
  /** The step's log, masked. */
  log: string;
  /** The step's GITHUB_STEP_SUMMARY, masked. */
  summary: string;
  annotations: Annotation[];
  /** What the rehearsal did differently from a real runner, or noticed (no-ops, unexpected inputs). */
  notes: string[];
  /** Secrets found unmasked in what the step printed or wrote; a rehearsal with leaks fails. */
  leaks: string[];
  /**
   * Files the step's outputs point to inside RUNNER_TEMP (reports, plans), masked, kept by output
   * name: the folder itself is removed when the job ends, as on a runner.
   */
  files?: Record<string, string>;
}

export interface JobRecord {
  id: string;
  name: string;
  result: Result;
  outputs: Record<string, string>;
  environment?: { name: string; url?: string };
  concurrency?: string;
  steps: StepRecord[];
  /** The run of the reusable workflow this job called (`jobs.<id>.uses`). */
  called?: RunRecord;
  startedAt: number;
  durationMs: number;
  notes: string[];
}

/** Where a run happened, for links to its commit, its run page and a comparison. */
export interface RunPlace {
  serverUrl: string;
  repository: string;
  sha: string;
  ref: string;
  runId: string;
}

export interface RunRecord {
  workflow: string;
  name: string;
  eventName: string;
  result: 'success' | 'failure';
  inputs: Record<string, string | boolean | number>;
  outputs: Record<string, string>;
  jobs: JobRecord[];
  startedAt: number;
  durationMs: number;
  /** Run-level notes and problems (secrets withheld from a fork, a workflow output that failed). */
  notes: string[];
  place?: RunPlace;
  /** What `actions/upload-artifact` steps kept (called workflows included). */
  artifacts?: ArtifactRecord[];
}

/** Every job of the run in execution order, each calling job followed by the jobs it called. */
export function allJobs(run: RunRecord): JobRecord[] {
  return run.jobs.flatMap((job) => [job, ...(job.called ? allJobs(job.called) : [])]);
}

/** Every step of the run, in execution order (called workflows included). */
export function allSteps(run: RunRecord): StepRecord[] {
  return allJobs(run).flatMap((job) => job.steps);
}

/** Every leak found in the run. */
export function allLeaks(run: RunRecord): string[] {
  return allSteps(run).flatMap((step) => step.leaks.map((leak) => `${step.job} / ${step.name}: ${leak}`));
}
