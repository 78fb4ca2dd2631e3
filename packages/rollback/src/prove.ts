import type { LastKnownGood } from '@deploy-actions/deployments';
import { sameLogin } from '@deploy-actions/github';
import type { ReleaseInfo } from './select';

/** What a recorded release must match to be trusted as a rollback target. */
export interface Expected {
  app: string;
  /** `owner/name` of the repository this workflow runs in. */
  repository: string;
  /** The login of the token that reads the records: the workflow's bot, which also wrote them. */
  bot: string | undefined;
}

/**
 * Why a GitHub deployment record cannot be trusted as a rollback target, or undefined when it is
 * proven. Anyone with `deployments: write` can create a deployment and mark it `success`, so the
 * record is only a pointer: the deployment and its success status must come from this workflow's
 * bot and repository, and the image must be a completed release of this app in Fly's own history
 * (the release the record names, when it names one). Nothing the record says is deployed otherwise.
 */
export function refuseUnproven(
  candidate: LastKnownGood,
  releases: readonly ReleaseInfo[],
  expected: Expected,
): string | undefined {
  const { deployment, record, status } = candidate;
  if (!expected.bot) return 'the identity of the token is unknown, so no record can be proven ours';
  if (!sameLogin(deployment.creator, expected.bot)) {
    return `it was created by ${deployment.creator || 'an unknown account'}, not by this workflow's ${expected.bot}`;
  }
  if (!sameLogin(status.creator, expected.bot)) {
    return `its success status was set by ${status.creator || 'an unknown account'}, not by ${expected.bot}`;
  }
  if (record.repository !== expected.repository) {
    return `it records repository ${record.repository ?? '(none)'}, not ${expected.repository}`;
  }
  if (record.app !== expected.app) return `it records app ${record.app}, not ${expected.app}`;
  const runs = releases.filter((r) => r.imageRef === record.image_ref);
  if (runs.length === 0) {
    return `Fly's release history of ${expected.app} has no release of ${record.image_ref}`;
  }
  const named = record.release_version === undefined ? undefined : Number(record.release_version);
  if (named !== undefined) {
    const release = releases.find((r) => r.version === named);
    if (release && release.imageRef !== record.image_ref) {
      return `Fly's release v${named} of ${expected.app} ran ${release.imageRef}, not ${record.image_ref}`;
    }
  }
  if (!runs.some((r) => r.status === 'complete')) {
    return `no release of ${record.image_ref} completed in Fly's history of ${expected.app}`;
  }
  const digest = /@(sha256:[0-9a-f]{64})$/.exec(record.image_ref)?.[1];
  if (record.image_digest && digest && digest !== record.image_digest) {
    return `its image ${record.image_ref} does not carry the recorded digest ${record.image_digest}`;
  }
  return undefined;
}
