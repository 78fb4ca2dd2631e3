/**
 * Deployments and deployment statuses (docs.github.com/en/rest/deployments/deployments and
 * /statuses): create and list deployments, add and list statuses, `auto_inactive`.
 */
import type { SeedDeployment } from './api';
import { HttpError, type Reply, type Route, str, validationFailed } from './http';
import { DEPLOYMENT_STATES, type Deployment, type DeploymentState, type DeploymentStatus } from './schemas';
import { fakeSha, SHA, type Store } from './state';

export function createDeployment(store: Store, seed: SeedDeployment): Deployment {
  const id = store.nextId();
  const ref = seed.ref ?? seed.sha ?? 'main';
  const sha = seed.sha ?? (SHA.test(ref) ? ref : (store.commits.get(ref)?.sha ?? fakeSha(ref)));
  const at = seed.created_at ?? store.now();
  const repoUrl = store.repoUrl();
  const deployment: Deployment = {
    id,
    url: `${repoUrl}/deployments/${id}`,
    sha,
    ref,
    task: seed.task ?? 'deploy',
    payload: seed.payload ?? {},
    environment: seed.environment,
    original_environment: seed.environment,
    description: seed.description ?? null,
    node_id: `DE_${id}`,
    creator: store.who(seed.creator ?? store.login),
    created_at: at,
    updated_at: at,
    statuses_url: `${repoUrl}/deployments/${id}/statuses`,
    repository_url: repoUrl,
    transient_environment: seed.transient_environment ?? false,
    production_environment: seed.production_environment ?? seed.environment === 'production',
  };
  store.state.deployments.push(deployment);
  return deployment;
}

export function latestStatus(store: Store, deploymentId: number): DeploymentStatus | undefined {
  return store.state.statuses.filter((s) => s.deployment_id === deploymentId).at(-1);
}

export function addStatus(
  store: Store,
  deploymentId: number,
  st: DeploymentState,
  extra: Partial<DeploymentStatus> = {},
): DeploymentStatus {
  const deployment = store.state.deployments.find((d) => d.id === deploymentId);
  if (!deployment) throw new HttpError(404, 'Not Found');
  const id = store.nextId();
  const at = store.now();
  const status: DeploymentStatus = {
    id,
    deployment_id: deploymentId,
    url: `${deployment.url}/statuses/${id}`,
    state: st,
    description: '',
    environment: deployment.environment,
    environment_url: '',
    log_url: '',
    target_url: '',
    node_id: `DES_${id}`,
    deployment_url: deployment.url,
    repository_url: store.repoUrl(),
    creator: store.who(store.login),
    created_at: at,
    updated_at: at,
    ...extra,
  };
  store.state.statuses.push(status);
  deployment.updated_at = at;
  if (st === 'success' && extra.auto_inactive !== false) markPriorInactive(store, deployment);
  return status;
}

/** `auto_inactive`: earlier success deployments of the environment become inactive. */
function markPriorInactive(store: Store, deployment: Deployment): void {
  for (const other of store.state.deployments) {
    // "all prior ... deployments" (create-a-deployment-status, auto_inactive): older ones only.
    if (other.id >= deployment.id || other.environment !== deployment.environment) continue;
    if (other.transient_environment || other.production_environment) continue;
    if (latestStatus(store, other.id)?.state !== 'success') continue;
    addStatus(store, other.id, 'inactive', { description: '', environment_url: '', log_url: '', target_url: '' });
  }
}

/** POST /deployments (repos/create-deployment). */
function postDeployment(store: Store, body: Record<string, unknown>): Reply {
  const ref = str(body.ref);
  if (!ref) throw new HttpError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
  const environment = str(body.environment) ?? 'production';
  // repos/create-deployment: 202 "Merged branch" when auto_merge (default true) merged the
  // default branch into the ref; nothing is deployed then.
  const commit = store.commits.get(ref);
  if (commit?.behindDefault && body.auto_merge !== false) {
    return [202, { message: `Auto-merged main into ${ref} on deployment.` }];
  }
  // 409 when the required contexts (every status context, when `required_contexts` is omitted) did not pass.
  const required = Array.isArray(body.required_contexts) ? (body.required_contexts as string[]) : undefined;
  const passed = commit?.successfulContexts ?? [];
  if (
    required === undefined ? commit !== undefined && passed.length === 0 : required.some((c) => !passed.includes(c))
  ) {
    throw new HttpError(409, `Conflict: Commit status checks failed for ${ref}.`);
  }
  const d = createDeployment(store, {
    ref,
    environment,
    task: str(body.task),
    payload: body.payload,
    description: str(body.description),
    transient_environment: body.transient_environment === true,
    production_environment:
      typeof body.production_environment === 'boolean' ? body.production_environment : environment === 'production',
  });
  if (required) d.required_contexts = required;
  if (typeof body.auto_merge === 'boolean') d.auto_merge = body.auto_merge;
  return [201, d];
}

/** POST /deployments/{id}/statuses (repos/create-deployment-status). */
function postStatus(store: Store, deploymentId: number, body: Record<string, unknown>): Reply {
  const st = str(body.state) as DeploymentState | undefined;
  if (!st || !DEPLOYMENT_STATES.includes(st)) throw validationFailed('DeploymentStatus', 'state', 'invalid');
  const description = str(body.description) ?? '';
  // repos/create-deployment-status: description maxLength 140.
  if (description.length > 140) {
    throw validationFailed(
      'DeploymentStatus',
      'description',
      'custom',
      'description is too long (maximum is 140 characters)',
    );
  }
  const extra: Partial<DeploymentStatus> = {
    description,
    environment_url: str(body.environment_url) ?? '',
    log_url: str(body.log_url) ?? str(body.target_url) ?? '',
    target_url: str(body.log_url) ?? str(body.target_url) ?? '',
  };
  if (typeof body.auto_inactive === 'boolean') extra.auto_inactive = body.auto_inactive;
  if (str(body.environment)) {
    const d = store.state.deployments.find((x) => x.id === deploymentId);
    if (d) d.environment = str(body.environment)!;
  }
  return [201, addStatus(store, deploymentId, st, extra)];
}

function findDeployment(store: Store, id: number): Deployment {
  const d = store.state.deployments.find((x) => x.id === id);
  if (!d) throw new HttpError(404, 'Not Found');
  return d;
}

export function deploymentRoutes(store: Store): Route[] {
  return [
    ['POST', /^\/deployments$/, (_m, body) => postDeployment(store, body)],
    [
      'GET',
      /^\/deployments$/,
      // Newest first; filters sha, ref, task, environment (paged by the server).
      (_m, _b, q) => [
        200,
        store.state.deployments
          .filter((d) => ['sha', 'ref', 'task', 'environment'].every((k) => !q.has(k) || q.get(k) === d[k as 'sha']))
          .sort((a, b) => b.id - a.id),
      ],
    ],
    ['GET', /^\/deployments\/(\d+)$/, (m) => [200, findDeployment(store, Number(m[1]))]],
    ['POST', /^\/deployments\/(\d+)\/statuses$/, (m, body) => postStatus(store, Number(m[1]), body)],
    [
      'GET',
      /^\/deployments\/(\d+)\/statuses$/,
      (m) => {
        findDeployment(store, Number(m[1]));
        return [200, store.state.statuses.filter((s) => s.deployment_id === Number(m[1])).reverse()];
      },
    ],
  ];
}
