import { findLastKnownGood } from '@deploy-actions/deployments';
import type { GitHubClient } from '@deploy-actions/github';
import { log } from '@deploy-actions/toolkit';
import { refuseUnproven } from './prove';
import type { LkgSource, RecordedGood, ReleaseInfo, Skipped } from './select';

export interface RecordSearch {
  github?: GitHubClient;
  lkgSource: LkgSource;
  environment: string;
  app: string;
  /** `owner/name` of the repository this workflow runs in. */
  repository: string;
}

/**
 * The newest release recorded as verified healthy in GitHub deployments that is proven ours
 * (see refuseUnproven), and the records refused on the way: each is a warning annotation, and
 * the search goes on with older records.
 */
export async function recordedGood(
  search: RecordSearch,
  releases: readonly ReleaseInfo[],
  failedImage: string,
): Promise<{ recorded?: RecordedGood; refused: Skipped[] }> {
  const refused: Skipped[] = [];
  if (!search.github || search.lkgSource === 'fly-releases') return { refused };
  const bot = await search.github.viewer();
  const found = await findLastKnownGood(search.github, {
    environment: search.environment,
    app: search.app,
    exclude: (record) => record.image_ref === failedImage,
    prove: async (candidate) =>
      refuseUnproven(candidate, releases, { app: search.app, repository: search.repository, bot }),
    onRefused: (candidate, why) => {
      const version = Number(candidate.record.release_version);
      const what = `GitHub deployment ${candidate.deployment.id} names ${candidate.record.image_ref}`;
      log.warning(`${what} as verified, but it is not proven: ${why}. Not rolling back to it.`, {
        title: 'auto-rollback: unproven deployment record refused',
      });
      refused.push({
        version: Number.isInteger(version) && version > 0 ? version : 0,
        imageRef: candidate.record.image_ref,
        why: `deployment ${candidate.deployment.id} refused, not proven: ${why}`,
      });
    },
  });
  if (!found) return { refused };
  const version = Number(found.record.release_version);
  return {
    recorded: {
      imageRef: found.record.image_ref,
      releaseVersion: Number.isInteger(version) && version > 0 ? version : undefined,
      sha: found.record.sha,
      deploymentId: found.deployment.id,
      environment: search.environment,
    },
    refused,
  };
}
