/**
 * The `github` and `runner` contexts of a rehearsed run, and the GITHUB_* / RUNNER_* variables a
 * `run:` step sees (bundles get theirs from packages/runner, from the same values).
 */
import type { Json } from './expressions';

export interface GitHubOptions {
  repository?: string;
  sha?: string;
  ref?: string;
  actor?: string;
  runId?: string;
  serverUrl?: string;
  apiUrl?: string;
  /** Stands in for the run's GITHUB_TOKEN (`secrets.GITHUB_TOKEN`, `github.token`). */
  token?: string;
}

export interface RunIdentity {
  eventName: string;
  event: Record<string, Json>;
  repository: string;
  sha: string;
  ref: string;
  refName: string;
  refType: 'branch' | 'tag';
  actor: string;
  runId: string;
  serverUrl: string;
  apiUrl: string;
  token: string;
  workflow: string;
  workspace: string;
}

export function runIdentity(
  options: GitHubOptions,
  eventName: string,
  event: Record<string, Json>,
  workflow: string,
  workspace: string,
): RunIdentity {
  const ref = options.ref ?? 'refs/heads/main';
  return {
    eventName,
    event,
    repository: options.repository ?? 'acme/shop',
    sha: options.sha ?? '0123456789abcdef0123456789abcdef01234567',
    ref,
    refName: ref.replace(/^refs\/(heads|tags)\//, ''),
    refType: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    actor: options.actor ?? 'octocat',
    runId: options.runId ?? '4242',
    serverUrl: options.serverUrl ?? 'https://github.com',
    apiUrl: options.apiUrl ?? 'https://api.github.com',
    token: options.token ?? 'ghs_rehearsalTokenNotReal0123456789',
    workflow,
    workspace,
  };
}

export function githubContext(id: RunIdentity, job: string): Json {
  const pr = id.event.pull_request as Record<string, Json> | undefined;
  const branch = (side: string) => ((pr?.[side] as Record<string, Json> | undefined)?.ref as string) ?? '';
  return {
    event_name: id.eventName,
    event: id.event,
    repository: id.repository,
    repository_owner: id.repository.split('/')[0],
    sha: id.sha,
    ref: id.ref,
    ref_name: id.refName,
    ref_type: id.refType,
    head_ref: branch('head'),
    base_ref: branch('base'),
    actor: id.actor,
    triggering_actor: id.actor,
    run_id: id.runId,
    run_number: '1',
    run_attempt: '1',
    server_url: id.serverUrl,
    api_url: id.apiUrl,
    workspace: id.workspace,
    workflow: id.workflow,
    job,
    token: id.token,
    action: '',
    action_path: '',
  };
}

export function runnerContext(temp: string): Json {
  return { os: 'Linux', arch: 'X64', name: 'rehearsal', environment: 'self-hosted', temp, tool_cache: temp, debug: '' };
}

/** The variables the runner sets for every step of `job`. */
export function defaultEnv(id: RunIdentity, job: string, temp: string): Record<string, string> {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'rehearsal',
    RUNNER_TEMP: temp,
    RUNNER_TOOL_CACHE: temp,
    GITHUB_WORKSPACE: id.workspace,
    GITHUB_EVENT_NAME: id.eventName,
    GITHUB_REPOSITORY: id.repository,
    GITHUB_REPOSITORY_OWNER: id.repository.split('/')[0],
    GITHUB_SHA: id.sha,
    GITHUB_REF: id.ref,
    GITHUB_REF_NAME: id.refName,
    GITHUB_REF_TYPE: id.refType,
    GITHUB_ACTOR: id.actor,
    GITHUB_RUN_ID: id.runId,
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_WORKFLOW: id.workflow,
    GITHUB_JOB: job,
    GITHUB_SERVER_URL: id.serverUrl,
    GITHUB_API_URL: id.apiUrl,
  };
}
