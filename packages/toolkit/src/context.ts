import { readFileSync } from 'node:fs';

/**
 * The workflow run as the runner describes it in `GITHUB_*` variables and the
 * event payload. Read lazily and cheaply: no octokit needed for this.
 */
export interface RunContext {
  eventName: string;
  // biome-ignore lint/suspicious/noExplicitAny: event payloads differ per event
  event: Record<string, any>;
  repository: string;
  owner: string;
  repo: string;
  sha: string;
  ref: string;
  refName: string;
  refType: string;
  actor: string;
  runId: string;
  runAttempt: string;
  workflow: string;
  job: string;
  serverUrl: string;
  apiUrl: string;
  /** Link to this run in the GitHub UI. */
  runUrl: string;
  /** The pull request number for pull_request events, else undefined. */
  pullRequest?: number;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  let event: Record<string, unknown> = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
    } catch {
      event = {};
    }
  }
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner = '', repo = ''] = repository.split('/');
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runId = env.GITHUB_RUN_ID ?? '';
  const pr = (event.pull_request as { number?: number } | undefined)?.number ?? (event.number as number | undefined);
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    event,
    repository,
    owner,
    repo,
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    refName: env.GITHUB_REF_NAME ?? '',
    refType: env.GITHUB_REF_TYPE ?? '',
    actor: env.GITHUB_ACTOR ?? '',
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    workflow: env.GITHUB_WORKFLOW ?? '',
    job: env.GITHUB_JOB ?? '',
    serverUrl,
    apiUrl: env.GITHUB_API_URL ?? 'https://api.github.com',
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : '',
    pullRequest: typeof pr === 'number' ? pr : undefined,
  };
}

/**
 * The prefixes of the runner's own variables: its runtime, cache and OIDC tokens
 * (ACTIONS_RUNTIME_TOKEN, ACTIONS_ID_TOKEN_REQUEST_TOKEN), the GITHUB_* context (and a
 * GITHUB_TOKEN a step sets), RUNNER_*, and every action's inputs (INPUT_*).
 * https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables
 */
export const RUNNER_VARIABLE_PREFIXES = ['ACTIONS_', 'GITHUB_', 'RUNNER_', 'INPUT_'] as const;

/** True for a variable the runner sets for its own use: never data an action should copy elsewhere. */
export function isRunnerVariable(name: string): boolean {
  return RUNNER_VARIABLE_PREFIXES.some((prefix) => name.startsWith(prefix));
}
