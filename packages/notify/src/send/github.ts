import {
  createDeployment,
  createDeploymentStatus,
  type DeploymentInfo,
  type DeploymentPayloadDraft,
  type DeploymentState,
  deactivateEnvironment,
  findRunDeployment,
  getDeployment,
  isProductionEnvironment,
  retireEarlier,
} from '@deploy-actions/deployments';
import { type GitHubClient, sameLogin } from '@deploy-actions/github';
import { errorMessage, log, UserError } from '@deploy-actions/toolkit';
import { oneLine } from '../escape';
import type { DeployMessage, NotifyStatus } from '../message';
import { isOwnComment, markerApp, renderPrComment } from '../render/github';

const STATE: Record<NotifyStatus, DeploymentState> = {
  started: 'in_progress',
  success: 'success',
  failure: 'failure',
  // `inactive` on a transient environment shows as "destroyed": a cancelled deploy is an error instead.
  cancelled: 'error',
  'rolled-back': 'success',
  skipped: 'inactive',
  destroyed: 'inactive',
};

function describe(m: DeployMessage): string {
  const what = m.imageRef ?? m.version ?? m.sha?.slice(0, 7) ?? '';
  const reason = m.reason ? `: ${oneLine(m.reason)}` : '';
  switch (m.status) {
    case 'started':
      return `Deploying ${what}`;
    case 'success':
      return `Deployed ${what}`;
    case 'failure':
      return `Deploy failed${reason}`;
    case 'cancelled':
      return `Deploy cancelled${reason}`;
    case 'rolled-back':
      return `Rolled back to ${what}${reason}`;
    case 'skipped':
      return `Deploy skipped${reason}`;
    case 'destroyed':
      return `Environment destroyed${reason}`;
  }
}

export interface DeploymentTarget {
  runId: string;
  /** Fallback app name for the record when the `app` input is not set. */
  repoName: string;
  /** An existing deployment to add the status to, instead of finding or creating one. */
  deploymentId?: number;
}

export interface DeploymentOutcome {
  deploymentId?: number;
  state?: DeploymentState;
  detail: string;
  skipped?: boolean;
}

function draftOf(m: DeployMessage, target: DeploymentTarget, rollback: boolean): DeploymentPayloadDraft {
  return {
    app: m.app ?? target.repoName,
    sha: m.sha ?? '',
    image_ref: m.imageRef,
    release_version: m.releaseVersion,
    version: m.version,
    run_id: target.runId,
    rollback,
    // Who wrote it and what exactly ran: auto-rollback trusts only records it can prove (its own repository's).
    repository: m.repository,
    // The digest the deploy step read from the machines, else the one a digest ref names.
    image_digest: m.imageDigest ?? /@(sha256:[0-9a-f]{64})$/.exec(m.imageRef ?? '')?.[1],
    // Classes of the migrations it applied: what auto-rollback weighs before bringing an older image back.
    migrations: m.migrations,
  };
}

/** True when the stored payload already says everything the draft says. */
function recordsAll(existing: DeploymentInfo, draft: DeploymentPayloadDraft): boolean {
  const payload = (typeof existing.payload === 'object' && existing.payload !== null ? existing.payload : {}) as Record<
    string,
    unknown
  >;
  return (
    (['app', 'image_ref', 'image_digest', 'release_version', 'version', 'repository'] as const).every(
      (key) => draft[key] === undefined || payload[key] === draft[key],
    ) &&
    (!draft.migrations?.length || JSON.stringify(payload.migrations) === JSON.stringify(draft.migrations))
  );
}

/**
 * Finds this run's deployment or creates it, so a re-run or a later step updates the same
 * one. A payload cannot be edited: when this step knows more (the image, once deployed),
 * a new deployment carries the full record and the earlier one is marked inactive.
 */
async function ensureDeployment(
  client: GitHubClient,
  m: DeployMessage,
  target: DeploymentTarget,
  rollback: boolean,
  create: boolean,
): Promise<{ deployment?: DeploymentInfo; created: boolean }> {
  const draft = draftOf(m, target, rollback);
  const environment = m.environment!;
  const existing = await findRunDeployment(client, { environment, sha: draft.sha, runId: target.runId, rollback });
  if (existing && recordsAll(existing, draft)) return { deployment: existing, created: false };
  if (!create && !existing) return { created: false };
  const deployment = await createDeployment(client, { environment, record: draft, description: describe(m) });
  if (existing) {
    await createDeploymentStatus(client, existing.id, {
      state: 'inactive',
      description: `Superseded by deployment ${deployment.id} (complete record)`,
      autoInactive: false,
    });
  }
  return { deployment, created: true };
}

/** Creates or updates the GitHub deployment of this run and adds the status for `m.status`. */
export async function recordDeployment(
  client: GitHubClient,
  m: DeployMessage,
  target: DeploymentTarget,
): Promise<DeploymentOutcome> {
  if (!m.environment && target.deploymentId === undefined) {
    throw new UserError("Input 'environment' is empty: github-deployment needs the GitHub environment to deploy to");
  }
  if (m.status === 'destroyed' && target.deploymentId === undefined) {
    // Not this run's deployment: every one still live in the environment, whichever run made it.
    const environment = m.environment!;
    if (isProductionEnvironment(environment)) {
      // Its success statuses are what auto-rollback reads as the last known good release.
      throw new UserError(
        `status 'destroyed' would mark every deployment of ${environment} inactive; it is for environments that are gone (a closed pull request's preview), not production`,
      );
    }
    const { marked, left, stopped } = await deactivateEnvironment(client, environment, {
      description: describe(m),
      logUrl: m.runUrl,
    });
    if (left.length > 0) {
      throw new UserError(
        `${marked.length} of ${marked.length + left.length} live deployment(s) in ${environment} set to inactive; ${left.length} left: ${stopped}`,
        { hint: 'Re-run the job to retire the rest: it picks up where this one stopped.' },
      );
    }
    if (marked.length === 0) return { skipped: true, detail: `no live deployment in ${environment}` };
    return {
      deploymentId: marked[0],
      state: 'inactive',
      detail: `${marked.length} deployment(s) in ${environment} set to inactive`,
    };
  }
  if (!m.sha || !/^[0-9a-f]{7,40}$/.test(m.sha)) {
    throw new UserError('github-deployment needs the commit sha (GITHUB_SHA), which this run does not have.');
  }
  const state = STATE[m.status];
  const status = {
    state,
    description: describe(m),
    environmentUrl: m.status === 'failure' || m.status === 'cancelled' || m.status === 'destroyed' ? undefined : m.url,
    logUrl: m.runUrl,
    autoInactive: true,
  };

  if (target.deploymentId !== undefined) {
    const deployment = await getDeployment(client, target.deploymentId);
    await createDeploymentStatus(client, deployment.id, status);
    return { deploymentId: deployment.id, state, detail: `deployment ${deployment.id} set to ${state}` };
  }

  if (m.status === 'rolled-back') {
    // The run's own deployment failed; the release put back gets a deployment of its own, marked as a rollback.
    const own = await findRunDeployment(client, {
      environment: m.environment!,
      sha: m.sha,
      runId: target.runId,
      rollback: false,
    });
    if (own) {
      await createDeploymentStatus(client, own.id, {
        state: 'failure',
        description: `Failed and rolled back${m.reason ? `: ${oneLine(m.reason)}` : ''}`,
        logUrl: m.runUrl,
      });
    }
    const { deployment } = await ensureDeployment(client, m, target, true, true);
    await createDeploymentStatus(client, deployment!.id, status);
    const failed = own ? `; deployment ${own.id} set to failure` : '';
    return {
      deploymentId: deployment!.id,
      state,
      detail: `rollback deployment ${deployment!.id} set to ${state}${failed}`,
    };
  }

  // A skipped deploy creates nothing; it only closes a deployment an earlier step opened.
  const { deployment, created } = await ensureDeployment(client, m, target, false, m.status !== 'skipped');
  if (!deployment) return { skipped: true, detail: 'nothing deployed, so no deployment to record' };
  await createDeploymentStatus(client, deployment.id, status);
  const detail = `${created ? 'created' : 'updated'} deployment ${deployment.id} in ${m.environment}: ${state}`;
  const retired = state === 'success' && deployment.transient ? await retire(client, deployment.id, m) : '';
  return { deploymentId: deployment.id, state, detail: `${detail}${retired}` };
}

/**
 * A new preview supersedes the earlier ones of its environment: they are marked inactive now, so a
 * pull request's `destroyed` has little left to do. Best effort: the new status is recorded
 * whatever happens here, and what is left stays for the next deploy or the destroy.
 */
async function retire(client: GitHubClient, id: number, m: DeployMessage): Promise<string> {
  try {
    const { marked, left, stopped } = await retireEarlier(client, m.environment!, id, { logUrl: m.runUrl });
    const done = marked.length > 0 ? `; ${marked.length} earlier deployment(s) set to inactive` : '';
    return left.length > 0
      ? `${done}; ${left.length} left live (${stopped}), for the next deploy or the destroy`
      : done;
  } catch (error) {
    log.debug(`Earlier deployments of ${m.environment} not retired: ${errorMessage(error)}`);
    return `; earlier deployments left live (${errorMessage(error)}), for the next deploy or the destroy`;
  }
}

interface Comment {
  id: number;
  body?: string;
  html_url: string;
  user?: { login?: string } | null;
}

/**
 * Our comment on a pull request: the first with our marker that this token's own identity
 * wrote. Anyone can paste the marker into a comment; only ours are ever edited. Comments are
 * listed oldest first ("ordered by ascending ID", GitHub's REST reference), every page of them.
 */
async function findOwnComment(
  client: GitHubClient,
  pr: number,
  m: DeployMessage,
  me: string | undefined,
): Promise<Comment | undefined> {
  let found: Comment | undefined;
  await client.list<Comment>(
    `/issues/${pr}/comments`,
    {},
    {
      until: (c) => {
        if (sameLogin(c.user?.login, me) && isOwnComment(c.body ?? '', m.app, m.environment)) found = c;
        return found !== undefined;
      },
    },
  );
  return found;
}

/** Creates the PR comment, or updates the one this token wrote that carries the same hidden marker. */
export async function upsertPrComment(
  client: GitHubClient,
  pr: number,
  m: DeployMessage,
): Promise<{ url: string; created: boolean }> {
  const me = await client.viewer();
  if (!me)
    throw new UserError('GitHub did not say which account the token acts as, so no comment can be told apart as ours.');
  const existing = await findOwnComment(client, pr, m, me);
  const body = renderPrComment(m, m.app ?? markerApp(existing?.body ?? ''));
  if (existing) {
    const updated = await client.request<Comment>('PATCH', `/issues/comments/${existing.id}`, { body });
    return { url: updated.html_url, created: false };
  }
  // After a 5xx the comment may exist: look for it before posting again.
  const created = await client.create<Comment>(`/issues/${pr}/comments`, { body }, () =>
    findOwnComment(client, pr, m, me),
  );
  return { url: created.html_url, created: true };
}
