import type { GitHubClient } from '@deploy-actions/github';
import { cutGraphemes, UserError } from '@deploy-actions/toolkit';
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
  /** The login that created it ('' when GitHub does not say). */
  creator: string;
}

export interface DeploymentStatusInfo {
  id: number;
  state: DeploymentState;
  description: string;
  environmentUrl: string;
  logUrl: string;
  createdAt: string;
  /** The login that created it ('' when GitHub does not say). */
  creator: string;
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
  /** Who created it (REST: `github-actions[bot]` for GITHUB_TOKEN); null for a deleted account. */
  creator?: { login?: string } | null;
}

interface ApiStatus {
  id: number;
  state: DeploymentState;
  description?: string | null;
  environment_url?: string | null;
  log_url?: string | null;
  target_url?: string | null;
  created_at: string;
  creator?: { login?: string } | null;
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
    creator: d.creator?.login ?? '',
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
    creator: s.creator?.login ?? '',
  };
}

export function truncateDescription(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return cutGraphemes(oneLine, DESCRIPTION_LIMIT, '...');
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
  const payload = toPayload(options.record);
  const task = options.record.rollback ? 'deploy:rollback' : 'deploy';
  const body = {
    ref: options.record.sha,
    environment: options.environment,
    task,
    payload,
    description: truncateDescription(options.description ?? ''),
    auto_merge: false,
    required_contexts: [],
    production_environment: options.production ?? isProductionEnvironment(options.environment),
    transient_environment: options.transient ?? isTransientEnvironment(options.environment),
  };
  // After a 5xx the deployment may exist: the same commit, environment, task and payload is ours.
  const find = async () => {
    const same = await client.list<ApiDeployment>(
      '/deployments',
      { environment: options.environment, sha: options.record.sha },
      { maxPages: 1 },
    );
    return same.find((d) => d.task === task && JSON.stringify(payloadObject(d.payload)) === JSON.stringify(payload));
  };
  const created = await client.create<ApiDeployment>('/deployments', body, find);
  if (typeof created?.id !== 'number') {
    // 202 "Auto-merged ... in ..." or another answer without a deployment: nothing was created
    // (docs.github.com/en/rest/deployments/deployments#create-a-deployment, status 202).
    const said = (created as { message?: unknown } | undefined)?.message;
    throw new UserError(
      `GitHub created no deployment${typeof said === 'string' ? `: ${said}` : ' (answered without a deployment id)'}`,
    );
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
  // After a 5xx the status may exist: the newest one saying the same is it (adding it again changes nothing).
  const find = async () => {
    const [latest] = await client.request<ApiStatus[]>('GET', `/deployments/${deploymentId}/statuses`, undefined, {
      per_page: 1,
    });
    return latest?.state === body.state && (latest.description ?? '') === body.description ? latest : undefined;
  };
  return toStatus(await client.create<ApiStatus>(`/deployments/${deploymentId}/statuses`, body, find));
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
  const list = await client.list<ApiDeployment>('/deployments', query, { maxPages: filter.maxPages ?? 1 });
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
  /** Deployments examined, newest first (default 1,000: other tools' deployments and Actions' own share the list). */
  limit?: number;
  /** Checks a candidate before it is taken: why it is refused, or undefined to take it. */
  prove?: (candidate: LastKnownGood) => Promise<string | undefined>;
  /** Told about each refused candidate; the search goes on with older ones. */
  onRefused?: (candidate: LastKnownGood, why: string) => void;
}

/**
 * The newest deployment in an environment whose latest status is `success` and whose
 * payload is a complete record (that `prove` accepts): the last release the pipeline verified.
 * Deployments of other tools, without a record, or of another app are passed over. Pages are
 * read one at a time and the search stops at the first match.
 */
export async function findLastKnownGood(
  client: GitHubClient,
  options: FindLastKnownGoodOptions,
): Promise<LastKnownGood | undefined> {
  const limit = options.limit ?? 1000;
  let found: LastKnownGood | undefined;
  let examined = 0;
  await client.list<ApiDeployment>(
    '/deployments',
    { environment: options.environment },
    {
      maxPages: Math.ceil(limit / 100),
      until: async (api) => {
        if (++examined > limit) return true;
        const deployment = toInfo(api);
        const record = deployment.record;
        if (!record || (options.app && record.app !== options.app)) return false;
        if (options.exclude?.(record, deployment)) return false;
        const status = await latestDeploymentStatus(client, deployment.id);
        if (status?.state !== 'success') return false;
        const candidate = { deployment, record, status };
        const refused = await options.prove?.(candidate);
        if (refused === undefined) {
          found = candidate;
          return true;
        }
        options.onRefused?.(candidate, refused);
        return false;
      },
    },
  );
  return found;
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
  /** Pages of 100 deployments to look through, newest first (default 10). */
  maxPages?: number;
}

export interface Deactivated {
  /** Deployments marked inactive. */
  marked: number[];
  /** Live deployments left as they were because the writes stopped (time or rate limit). */
  left: number[];
  /** Why the writes stopped, when they did. */
  stopped?: string;
}

/**
 * Marks every deployment of `environment` that is still live (newest status success, in
 * progress, queued or pending) inactive: for an environment that is gone, such as a closed
 * pull request's preview app. GitHub does not do it for transient environments (auto_inactive
 * skips them) and shows an inactive transient environment as destroyed. The writes go one at a
 * time at the client's write pace (GitHub allows about 80 content-creating requests a minute);
 * when time or the rate limit stops them, what was left is said, and a re-run finishes the job.
 */
export async function deactivateEnvironment(
  client: GitHubClient,
  environment: string,
  options: DeactivateOptions = {},
): Promise<Deactivated> {
  const deployments = await listDeployments(client, { environment, maxPages: options.maxPages ?? 10 });
  const latest: (DeploymentStatusInfo | undefined)[] = [];
  // Ten at a time: GitHub's secondary rate limits punish bursts of concurrent requests.
  for (let i = 0; i < deployments.length; i += 10) {
    const batch = deployments.slice(i, i + 10);
    latest.push(...(await Promise.all(batch.map((d) => latestDeploymentStatus(client, d.id)))));
  }
  const live = deployments
    .filter((_, i) => {
      const state = latest[i]?.state;
      return state !== undefined && LIVE_STATES.includes(state);
    })
    .map((d) => d.id);
  const marked: number[] = [];
  for (const id of live) {
    try {
      await createDeploymentStatus(client, id, {
        state: 'inactive',
        description: options.description,
        logUrl: options.logUrl,
        autoInactive: false,
      });
    } catch (error) {
      if (marked.length === 0) throw error;
      return { marked, left: live.slice(marked.length), stopped: (error as Error).message };
    }
    marked.push(id);
  }
  return { marked, left: [] };
}
