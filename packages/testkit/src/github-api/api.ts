/** What a test holds of the local GitHub API: its options, its handle, and what it records. */
import type { PermissionLevel, PermissionScope } from './permissions';
import type {
  CheckRun,
  Commit,
  CommitStatus,
  Deployment,
  DeploymentState,
  DeploymentStatus,
  IssueComment,
  SeedRun,
  WorkflowRun,
} from './schemas';

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  authorization: string | undefined;
  status: number;
  receivedAt: number;
}

export interface Fault {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Handle the request first, then answer the fault (a proxy's 502 after GitHub did the write). */
  afterHandling?: boolean;
}

export interface GitHubApiOptions {
  repository?: string;
  token?: string;
  /** Where html_url links point (default https://github.com). */
  serverUrl?: string;
  /** Login recorded as creator/comment author (default github-actions[bot]). */
  login?: string;
  /** Requests an hour (default 1,000: GITHUB_TOKEN's limit per repository). */
  rateLimit?: number;
  /** Content-creating requests allowed per minute and per hour (default 80 and 500). */
  secondaryLimit?: { perMinute: number; perHour: number };
  /** The length of "a minute" for the secondary limit (tests shorten it; default 60 s). */
  secondaryWindowMs?: number;
  /** `retry-after` seconds sent with a secondary-limit answer (GitHub may send none: default). */
  secondaryRetryAfter?: number;
}

export interface SeedDeployment {
  environment: string;
  sha?: string;
  ref?: string;
  task?: string;
  payload?: unknown;
  description?: string;
  transient_environment?: boolean;
  production_environment?: boolean;
  created_at?: string;
  /** Statuses to add in order (the last one is the latest). */
  states?: DeploymentState[];
  /** Who created it (default: the token's login). */
  creator?: string;
}

export interface GitHubApi {
  readonly url: string;
  readonly repository: string;
  readonly token: string;
  readonly state: { deployments: Deployment[]; statuses: DeploymentStatus[]; comments: IssueComment[] };
  readonly requests: ApiRequest[];
  seedDeployment(seed: SeedDeployment): Deployment;
  addStatus(deploymentId: number, state: DeploymentState, extra?: Partial<DeploymentStatus>): DeploymentStatus;
  /** A comment on issue/PR `issue`; `login` another author (ending in [bot] for a bot). */
  seedComment(issue: number, body: string, login?: string): IssueComment;
  /** A workflow run of this repository (or, with `repository`, of another one: 404 here). */
  seedRun(run: SeedRun): WorkflowRun;
  /** A pull request of this repository, as GET /pulls/{n} serves it. */
  seedPull(number: number, state: 'open' | 'closed', options?: { merged?: boolean; title?: string }): void;
  /** What the token may do in one scope (default: write everywhere). `reset()` restores the default. */
  setPermission(scope: PermissionScope, level: PermissionLevel): void;
  seedCommit(commit: {
    sha: string;
    message: string;
    branch?: string;
    author?: Partial<Commit['author']>;
    behindDefault?: boolean;
    successfulContexts?: string[];
    date?: string;
    parents?: string[];
  }): void;
  /** A check run on `sha` (a later one of the same name supersedes it under filter=latest). */
  seedCheckRun(run: {
    sha: string;
    name: string;
    status?: CheckRun['status'];
    conclusion?: CheckRun['conclusion'];
    details_url?: string;
  }): CheckRun;
  /** Moves a check run on (a pending check finishing while a gate waits). */
  updateCheckRun(id: number, patch: Partial<Pick<CheckRun, 'status' | 'conclusion'>>): void;
  /** A commit status on `sha` for `context` (the newest per context counts). */
  seedCommitStatus(status: {
    sha: string;
    context: string;
    state: CommitStatus['state'];
    description?: string;
  }): CommitStatus;
  /** The primary rate limit: requests left in the current hour, and when it resets. */
  readonly rate: { limit: number; remaining: number; resetAt: number };
  /** Sets what is left of the primary rate limit (and optionally when it resets). */
  setRate(remaining: number, resetInMs?: number): void;
  /** The newest status of a deployment, if any. */
  latestStatus(deploymentId: number): DeploymentStatus | undefined;
  /** Answers the next `times` matching requests with `fault` instead of handling them. */
  failNext(fault: Fault, match?: { times?: number; method?: string; path?: RegExp }): void;
  reset(): void;
  close(): Promise<void>;
}
