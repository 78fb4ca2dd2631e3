import type { GitHubClient } from '@deploy-actions/github';
import {
  type DeploymentPayload,
  type DeploymentPayloadDraft,
  parseDeploymentPayload,
  payloadObject,
  toPayload,
} from './payload';

export type DeploymentState = 'error' | 'failure' | 'inactive' | 'in_progress' | 'queued' | 'pending' | 'success';

/** A GitHub deployment as this package sees it. */
export interface DeploymentInfo {
  id: number;
  environment: string;
  sha: string;
  ref: string;
  task: string;
  createdAt: string;
  production: boolean;
  transient: boolean;
  payload: unknown;
  /** The parsed record when the payload is a complete one of ours. */
  record?: DeploymentPayload;
}

export interface DeploymentStatusInfo {
  id: number;
  state: DeploymentState;
  description: string;
  environmentUrl: string;
  logUrl: string;
  createdAt: string;
}

interface ApiDeployment {
  id: number;
  environment: string;
  sha: string;
  ref: string;
  task: string;
  created_at: string;
  production_environment?: boolean;
  transient_environment?: boolean;
  payload: unknown;
}

interface ApiStatus {
  id: number;
  state: DeploymentState;
  description?: string | null;
  environment_url?: string | null;
  log_url?: string | null;
  target_url?: string | null;
  created_at: string;
}

/** GitHub refuses longer status descriptions. */
export const DESCRIPTION_LIMIT = 140;

function toInfo(d: ApiDeployment): DeploymentInfo {
  return {
    id: d.id,
    environment: d.environment,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    createdAt: d.created_at,
    production: d.production_environment ?? false,
    transient: d.transient_environment ?? false,
    payload: d.payload,
    record: parseDeploymentPayload(d.payload),
  };
}

function toStatus(s: ApiStatus): DeploymentStatusInfo {
  return {
    id: s.id,
    state: s.state,
    description: s.description ?? '',
    environmentUrl: s.environment_url ?? '',
    logUrl: s.log_url ?? s.target_url ?? '',
    createdAt: s.created_at,
  };
}

export function truncateDescription(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > DESCRIPTION_LIMIT ? `${oneLine.slice(0, DESCRIPTION_LIMIT - 3)}...` : oneLine;
}

/** `production`/`prod` (any case, alone or as a prefix such as `production-eu`) is a production environment. */
export function isProductionEnvironment(environment: string): boolean {
  return /^prod(uction)?($|[-_/ .])/i.test(environment);
}

/** `preview`, `pr-12`, `review/...` environments are transient: they are destroyed when the PR closes. */
export function isTransientEnvironment(environment: string): boolean {
  return /^(preview|review|pr)($|[-_/ .#]|\d)/i.test(environment);
}

export interface CreateDeploymentOptions {
  environment: string;
  /** What is deployed; `sha` is also the deployment's ref. */
  record: DeploymentPayloadDraft;
  description?: string;
  /** Defaults from the environment name (isProductionEnvironment / isTransientEnvironment). */
  production?: boolean;
  transient?: boolean;
}

/**
 * Creates a deployment of `record.sha` in an environment, with the record as payload.
 * No commit-status checks (`required_contexts: []`) and no auto-merge: the pipeline has
 * already decided to deploy.
 */
export async function createDeployment(
  client: GitHubClient,
  options: CreateDeploymentOptions,
): Promise<DeploymentInfo> {
  const created = await client.request<ApiDeployment>('POST', '/deployments', {
    ref: options.record.sha,
    environment: options.environment,
    task: options.record.rollback ? 'deploy:rollback' : 'deploy',
    payload: toPayload(options.record),
    description: truncateDescription(options.description ?? ''),
    auto_merge: false,
    required_contexts: [],
    production_environment: options.production ?? isProductionEnvironment(options.environment),
    transient_environment: options.transient ?? isTransientEnvironment(options.environment),
  });
  if (typeof created?.id !== 'number') {
    // A 202 with a message instead of a deployment (e.g. an auto-merge): nothing was created.
    throw new Error('GitHub created no deployment (answered without a deployment id)');
  }
  return toInfo(created);
}

export interface StatusOptions {
  state: DeploymentState;
  description?: string;
  environmentUrl?: string;
  /** Where to read what happened: the workflow run. */
  logUrl?: string;
  /** Marks earlier successful deployments of this environment inactive (GitHub's default: true). */
  autoInactive?: boolean;
}

export async function createDeploymentStatus(
  client: GitHubClient,
  deploymentId: number,
  options: StatusOptions,
): Promise<DeploymentStatusInfo> {
  const body: Record<string, unknown> = {
    state: options.state,
    description: truncateDescription(options.description ?? ''),
    auto_inactive: options.autoInactive ?? true,
  };
  if (options.environmentUrl) body.environment_url = options.environmentUrl;
  if (options.logUrl) body.log_url = options.logUrl;
  return toStatus(await client.request<ApiStatus>('POST', `/deployments/${deploymentId}/statuses`, body));
}

export async function getDeployment(client: GitHubClient, id: number): Promise<DeploymentInfo> {
  return toInfo(await client.request<ApiDeployment>('GET', `/deployments/${id}`));
}

/** Deployments newest first, optionally filtered by environment and sha. */
export async function listDeployments(
  client: GitHubClient,
  filter: { environment?: string; sha?: string; maxPages?: number } = {},
): Promise<DeploymentInfo[]> {
  const query: Record<string, string> = {};
  if (filter.environment) query.environment = filter.environment;
  if (filter.sha) query.sha = filter.sha;
  const list = await client.list<ApiDeployment>('/deployments', query, filter.maxPages ?? 1);
  return list.map(toInfo);
}

/** The newest status of a deployment (GitHub lists statuses newest first). */
export async function latestDeploymentStatus(
  client: GitHubClient,
  deploymentId: number,
): Promise<DeploymentStatusInfo | undefined> {
  const [latest] = await client.request<ApiStatus[]>('GET', `/deployments/${deploymentId}/statuses`, undefined, {
    per_page: 1,
  });
  return latest ? toStatus(latest) : undefined;
}

export interface LastKnownGood {
  deployment: DeploymentInfo;
  record: DeploymentPayload;
  status: DeploymentStatusInfo;
}

export interface FindLastKnownGoodOptions {
  environment: string;
  /** Only records of this Fly app. */
  app?: string;
  /** Skip candidates this returns true for (e.g. the failing image). */
  exclude?: (record: DeploymentPayload, deployment: DeploymentInfo) => boolean;
  /** Deployments examined, newest first (default 100). */
  limit?: number;
  /** The environment's deployments, newest first, when the caller listed them already. */
  deployments?: DeploymentInfo[];
}

/**
 * The newest deployment in an environment whose latest status is `success` and whose
 * payload is a complete record: the last release the pipeline verified. Deployments of
 * other tools, without a record, or of another app are passed over.
 */
export async function findLastKnownGood(
  client: GitHubClient,
  options: FindLastKnownGoodOptions,
): Promise<LastKnownGood | undefined> {
  const limit = options.limit ?? 100;
  const deployments =
    options.deployments ??
    (await listDeployments(client, { environment: options.environment, maxPages: Math.ceil(limit / 100) }));
  for (const deployment of deployments.slice(0, limit)) {
    const record = deployment.record;
    if (!record) continue;
    if (options.app && record.app !== options.app) continue;
    if (options.exclude?.(record, deployment)) continue;
    const status = await latestDeploymentStatus(client, deployment.id);
    if (status?.state === 'success') return { deployment, record, status };
  }
  return undefined;
}

/**
 * The deployment an earlier step of this run created for this environment and commit
 * (matched by the run id in its payload), so a re-run or a later status updates it
 * instead of creating another.
 */
export async function findRunDeployment(
  client: GitHubClient,
  match: { environment: string; sha: string; runId: string; rollback: boolean; app?: string },
): Promise<DeploymentInfo | undefined> {
  const deployments = await listDeployments(client, { environment: match.environment, sha: match.sha });
  return deployments.find((d) => {
    const p = payloadObject(d.payload);
    return (
      p.run_id === match.runId &&
      (p.rollback ?? false) === match.rollback &&
      (match.app === undefined || p.app === match.app)
    );
  });
}

/** A deployment whose newest status is one of these still claims its environment. */
const LIVE_STATES: readonly DeploymentState[] = ['success', 'in_progress', 'queued', 'pending'];

export interface DeactivateOptions {
  description?: string;
  /** Where to read what happened: the workflow run. */
  logUrl?: string;
  /** Pages of 100 deployments to look through, newest first (default 3). */
  maxPages?: number;
}

/**
 * Marks every deployment of `environment` that is still live (newest status success, in
 * progress, queued or pending) inactive: for an environment that is gone, such as a closed
 * pull request's preview app. GitHub does not do it for transient environments (auto_inactive
 * skips them) and shows an inactive transient environment as destroyed. Returns the ids
 * marked; none when nothing was live (a re-run).
 */
export async function deactivateEnvironment(
  client: GitHubClient,
  environment: string,
  options: DeactivateOptions = {},
): Promise<number[]> {
  const deployments = await listDeployments(client, { environment, maxPages: options.maxPages ?? 3 });
  const latest: (DeploymentStatusInfo | undefined)[] = [];
  // Ten at a time: GitHub's secondary rate limits punish bursts of concurrent requests.
  for (let i = 0; i < deployments.length; i += 10) {
    const batch = deployments.slice(i, i + 10);
    latest.push(...(await Promise.all(batch.map((d) => latestDeploymentStatus(client, d.id)))));
  }
  const live = deployments.filter((_, i) => {
    const state = latest[i]?.state;
    return state !== undefined && LIVE_STATES.includes(state);
  });
  // One at a time: GitHub limits how fast content is created.
  for (const d of live) {
    await createDeploymentStatus(client, d.id, {
      state: 'inactive',
      description: options.description,
      logUrl: options.logUrl,
      autoInactive: false,
    });
  }
  return live.map((d) => d.id);
}
