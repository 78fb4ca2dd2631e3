/**
 * The resources the local GitHub API serves, shaped as the schemas of GitHub's OpenAPI description
 * (github/rest-api-description, components/schemas/...): the fields the project reads, and the
 * ones tests assert on.
 */

export const DEPLOYMENT_STATES = [
  'error',
  'failure',
  'inactive',
  'in_progress',
  'queued',
  'pending',
  'success',
] as const;
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

export interface Deployment {
  id: number;
  url: string;
  sha: string;
  ref: string;
  task: string;
  payload: unknown;
  environment: string;
  original_environment: string;
  description: string | null;
  node_id: string;
  creator: Actor;
  created_at: string;
  updated_at: string;
  statuses_url: string;
  repository_url: string;
  transient_environment: boolean;
  production_environment: boolean;
  /** As sent (GitHub does not return these; kept for assertions). */
  required_contexts?: string[];
  auto_merge?: boolean;
}

export interface DeploymentStatus {
  id: number;
  deployment_id: number;
  url: string;
  state: DeploymentState;
  description: string;
  environment: string;
  environment_url: string;
  log_url: string;
  target_url: string;
  node_id: string;
  deployment_url: string;
  repository_url: string;
  creator: Actor;
  created_at: string;
  updated_at: string;
  /** As sent, for assertions. */
  auto_inactive?: boolean;
}

export interface IssueComment {
  id: number;
  issue_number: number;
  body: string;
  html_url: string;
  url: string;
  node_id: string;
  issue_url: string;
  user: Actor;
  author_association: string;
  performed_via_github_app: null;
  created_at: string;
  updated_at: string;
}

/** A simple-user: bots' logins end in `[bot]` and their type is `Bot`. */
export interface Actor {
  login: string;
  id: number;
  node_id: string;
  type: 'Bot' | 'User';
  site_admin: boolean;
  avatar_url: string;
  html_url: string;
  url: string;
}

/** components/schemas/check-run, the fields a gate reads (checks/list-for-ref). */
export interface CheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion:
    | 'success'
    | 'failure'
    | 'neutral'
    | 'cancelled'
    | 'skipped'
    | 'timed_out'
    | 'action_required'
    | 'stale'
    | null;
  started_at: string;
  completed_at: string | null;
  details_url: string;
  html_url: string;
  app: { slug: string };
}

/** components/schemas/simple-commit-status, the fields a gate reads. */
export interface CommitStatus {
  id: number;
  context: string;
  state: 'error' | 'failure' | 'pending' | 'success';
  description: string | null;
  target_url: string | null;
  created_at: string;
  updated_at: string;
}

export interface Commit {
  sha: string;
  message: string;
  author: { name: string; email: string; login: string };
  /** The default branch moved on: creating a deployment auto-merges it unless `auto_merge: false`. */
  behindDefault?: boolean;
  /** Contexts of successful commit statuses (required checks pass only with one). */
  successfulContexts?: string[];
  /** Author date (ISO); default: when it is read. */
  date?: string;
  /** Parent shas (the first is followed by compare). */
  parents?: string[];
}

/**
 * A workflow run, shaped as `components/schemas/workflow-run` in GitHub's OpenAPI description
 * (github/rest-api-description, operation actions/get-workflow-run); the fields no test reads are kept
 * to the shape, not to meaning.
 */
export interface WorkflowRun {
  id: number;
  name: string;
  node_id: string;
  check_suite_id: number;
  head_branch: string | null;
  head_sha: string;
  path: string;
  display_title: string;
  run_number: number;
  run_attempt: number;
  event: string;
  status: string | null;
  conclusion: string | null;
  workflow_id: number;
  url: string;
  html_url: string;
  pull_requests: unknown[];
  created_at: string;
  updated_at: string;
  run_started_at: string;
  actor: Actor;
  triggering_actor: Actor;
  jobs_url: string;
  logs_url: string;
  check_suite_url: string;
  artifacts_url: string;
  cancel_url: string;
  rerun_url: string;
  previous_attempt_url: string | null;
  workflow_url: string;
  head_commit: { id: string; tree_id: string; message: string; timestamp: string; author: null; committer: null };
  repository: MinimalRepository;
  head_repository: MinimalRepository;
}

/** `components/schemas/minimal-repository`, the fields a run carries. */
export interface MinimalRepository {
  id: number;
  node_id: string;
  name: string;
  full_name: string;
  private: boolean;
  owner: Actor;
  html_url: string;
  url: string;
}

export interface SeedRun {
  id: number;
  head_sha: string;
  /** The repository the run belongs to (default: this API's): a run of another one answers 404 here. */
  repository?: string;
  /** Workflow file under .github/workflows (default deploy.yml). */
  workflow?: string;
  event?: string;
  head_branch?: string;
  status?: string;
  conclusion?: string | null;
  actor?: string;
}
