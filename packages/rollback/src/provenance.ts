import type { DeploymentPayload } from '@deploy-actions/deployments';
import { GitHubApiError, type GitHubClient } from '@deploy-actions/github';

/** The fields of a workflow run (components/schemas/workflow-run) that tie a record to it. */
interface WorkflowRun {
  id: number;
  head_sha: string;
  repository?: { full_name?: string };
}

/**
 * Checks that a record's `run_id` is a workflow run of this repository that ran the recorded
 * commit (`GET /repos/{owner}/{repo}/actions/runs/{run_id}`, which answers 404 for another
 * repository's run). Returns a function giving why a record is refused, or undefined; each run is
 * read once.
 *
 * A run that cannot be read proves nothing, so the record is refused and the refusal says why:
 * a run GitHub no longer has (deleted, or past its retention) answers 404 like a stranger's; a token
 * without `actions: read` answers 403, and the job needs that permission.
 */
export function runProvenance(
  github: GitHubClient,
  repository: string,
): (record: DeploymentPayload) => Promise<string | undefined> {
  const runs = new Map<string, Promise<WorkflowRun | string>>();
  const read = (id: string) => {
    let run = runs.get(id);
    if (!run) {
      run = github.request<WorkflowRun>('GET', `/actions/runs/${id}`).catch((error: unknown) => {
        const status = error instanceof GitHubApiError ? error.status : undefined;
        if (status === 404) {
          return `its workflow run ${id} is not a run of ${repository} (GitHub answers 404: another repository's, or deleted)`;
        }
        if (status === 403) {
          return `its workflow run ${id} cannot be read, so where the record came from is unknown: give the job \`permissions: actions: read\``;
        }
        return `its workflow run ${id} could not be read: ${error instanceof Error ? error.message : String(error)}`;
      });
      runs.set(id, run);
    }
    return run;
  };

  return async (record) => {
    if (!record.run_id || !/^\d+$/.test(record.run_id)) {
      return 'it names no workflow run, so it cannot be traced to a run of this repository';
    }
    const run = await read(record.run_id);
    if (typeof run === 'string') return run;
    if (run.repository?.full_name && run.repository.full_name !== repository) {
      return `its workflow run ${record.run_id} belongs to ${run.repository.full_name}, not ${repository}`;
    }
    if (!run.head_sha.startsWith(record.sha)) {
      return `its workflow run ${record.run_id} ran commit ${run.head_sha.slice(0, 7)}, not the recorded ${record.sha.slice(0, 7)}`;
    }
    return undefined;
  };
}
