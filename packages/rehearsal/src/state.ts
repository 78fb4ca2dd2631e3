/**
 * What a rehearsal is asked to run (RehearsalOptions) and what one run carries from job to job
 * (RunState): the engine creates it, jobs and steps read and extend it.
 */
import type { ArtifactRecord } from './artifacts';
import type { Json } from './expressions';
import type { Masker } from './mask';
import type { JobRecord, RunRecord, StepRecord } from './model';
import type { GitHubOptions, RunIdentity } from './run-context';
import type { ResolvedUses } from './uses';
import type { WorkflowPlan } from './workflow';

export interface RehearsalOptions {
  /** Path of the workflow file to execute. */
  workflow: string;
  eventName: string;
  /** The event payload (`github.event`). */
  event?: Record<string, Json>;
  /** `workflow_call` inputs, checked against `on.workflow_call.inputs`. */
  inputs?: Record<string, string | boolean | number>;
  /** `workflow_call` secrets, checked against `on.workflow_call.secrets`. */
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Secrets and variables of deployment environments, given to jobs that name them in `environment:`. */
  environments?: Record<string, { secrets?: Record<string, string>; vars?: Record<string, string> }>;
  github?: GitHubOptions;
  /** The checked-out repository (GITHUB_WORKSPACE). */
  workspace: string;
  /** Variables every step's process gets (PATH with a flyctl, service URLs). */
  env?: Record<string, string>;
  /** Where `$/x`, `./x` and `<owner>/deploy-actions/x@ref` resolve; this repo by default. */
  repoRoot?: string;
  /** Where called workflows (`.github/workflows/<file>`) are read from instead of `<repoRoot>/.github/workflows`. */
  workflowsDir?: string;
  node?: 'node24' | 'current';
  /** Step timeout when neither the step nor its job sets timeout-minutes. */
  stepTimeoutMs?: number;
  /**
   * Values that are not secrets of the workflow but must never be printed either (parts of a secret,
   * such as one value inside APP_SECRETS or the password inside a URL), by a name for leak reports.
   */
  sensitive?: Record<string, string>;
  /** Where `actions/upload-artifact` keeps artifacts; a folder inside the run's temp folder by default. */
  artifactsDir?: string;
  /** Collects the run's artifacts (shared with the workflows it calls). */
  artifacts?: ArtifactRecord[];
  /** The stage's address of a Fly app (`https://<app>.fly.dev` in action inputs goes there); '' when not deployed. */
  flyAppUrl?: (app: string) => string;
  /** Prefixes job ids in the records (the jobs of a called workflow are shown as `caller / job`). */
  jobPrefix?: string;
  onStep?: (step: StepRecord) => void;
  onJob?: (job: JobRecord) => void;
}

export interface RunState {
  /** Rehearses a called workflow (jobs.<id>.uses). */
  call: (options: RehearsalOptions) => Promise<RunRecord>;
  options: RehearsalOptions;
  plan: WorkflowPlan;
  identity: RunIdentity;
  masker: Masker;
  secrets: Record<string, string>;
  inputs: Record<string, Json>;
  workflowEnv: Record<string, string>;
  uses: Map<string, ResolvedUses>;
  temp: string;
  jobs: Map<string, JobRecord>;
}
