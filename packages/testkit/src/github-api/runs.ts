/**
 * Workflow runs, shaped as `components/schemas/workflow-run` (github/rest-api-description, operation
 * actions/get-workflow-run).
 */
import { HttpError, type Route } from './http';
import type { MinimalRepository, SeedRun, WorkflowRun } from './schemas';
import { fakeSha, type Store } from './state';

function minimalRepository(store: Store, fullName: string): MinimalRepository {
  const [owner = '', name = ''] = fullName.split('/');
  const id = 1_296_269 + [...fullName].reduce((n, c) => n + c.charCodeAt(0), 0);
  return {
    id,
    node_id: `R_${id}`,
    name,
    full_name: fullName,
    private: true,
    owner: store.who(owner),
    html_url: `${store.serverUrl}/${fullName}`,
    url: `${store.origin}/repos/${fullName}`,
  };
}

export function createRun(store: Store, seed: SeedRun): WorkflowRun {
  const full = seed.repository ?? store.repository;
  const base = `${store.origin}/repos/${full}/actions/runs/${seed.id}`;
  const workflow = seed.workflow ?? 'deploy.yml';
  const at = store.now();
  const branch = seed.head_branch ?? 'main';
  const repo = minimalRepository(store, full);
  const run: WorkflowRun = {
    id: seed.id,
    name: workflow.replace(/\.ya?ml$/, ''),
    node_id: `WFR_${seed.id}`,
    check_suite_id: seed.id + 1,
    head_branch: branch,
    head_sha: seed.head_sha,
    // "The full path of the workflow", e.g. octocat/octo-repo/.github/workflows/ci.yml@main.
    path: `${full}/.github/workflows/${workflow}@${branch}`,
    display_title: workflow,
    run_number: seed.id % 1000,
    run_attempt: 1,
    event: seed.event ?? 'push',
    status: seed.status ?? 'completed',
    conclusion: seed.conclusion === undefined ? 'success' : seed.conclusion,
    workflow_id: 161_335,
    url: base,
    html_url: `${store.serverUrl}/${full}/actions/runs/${seed.id}`,
    pull_requests: [],
    created_at: at,
    updated_at: at,
    run_started_at: at,
    actor: store.who(seed.actor ?? 'octocat'),
    triggering_actor: store.who(seed.actor ?? 'octocat'),
    jobs_url: `${base}/jobs`,
    logs_url: `${base}/logs`,
    check_suite_url: `${store.origin}/repos/${full}/check-suites/${seed.id + 1}`,
    artifacts_url: `${base}/artifacts`,
    cancel_url: `${base}/cancel`,
    rerun_url: `${base}/rerun`,
    previous_attempt_url: null,
    workflow_url: `${store.origin}/repos/${full}/actions/workflows/161335`,
    head_commit: {
      id: seed.head_sha,
      tree_id: fakeSha(seed.head_sha),
      message: '',
      timestamp: at,
      author: null,
      committer: null,
    },
    repository: repo,
    head_repository: repo,
  };
  store.runs.set(run.id, run);
  return run;
}

export function runRoutes(store: Store): Route[] {
  return [
    [
      'GET',
      /^\/actions\/runs\/(\d+)$/,
      (m) => {
        // A run of another repository is not found under this one (actions/get-workflow-run).
        const run = store.runs.get(Number(m[1]));
        if (!run || run.repository.full_name !== store.repository) throw new HttpError(404, 'Not Found');
        return [200, run];
      },
    ],
  ];
}
