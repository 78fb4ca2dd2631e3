import { type AppStatus, type Fly, getStatus, listReleases, type Release, type RunOptions } from '@deploy-actions/fly';

/** The release an app runs now. */
export interface CurrentRelease {
  id: string;
  version: number;
  imageRef: string;
  status: string;
}

/**
 * The app's current release: the version `status` reports, with its image from
 * `releases` (newest complete one when status says 0 or the version is not among the
 * newest 25). Undefined for an app that never had a release.
 */
export async function currentRelease(fly: Fly, app: string, options?: RunOptions): Promise<CurrentRelease | undefined> {
  return (await currentState(fly, app, options)).current;
}

/** The app's status, current release and newest release version, read in parallel. */
export async function currentState(
  fly: Fly,
  app: string,
  options?: RunOptions,
): Promise<{ status: AppStatus; current?: CurrentRelease; newestVersion: number }> {
  const [status, releases] = await Promise.all([getStatus(fly, app, options), listReleases(fly, app, options)]);
  // The newest release of any status: a deploy's release is newer than this one.
  const newestVersion = Math.max(status.Version, ...releases.map((r) => r.version), 0);
  return { status, current: pickCurrent(status, releases), newestVersion };
}

function pickCurrent(status: AppStatus, releases: Release[]): CurrentRelease | undefined {
  const pick = (r: Release): CurrentRelease => ({
    id: r.id,
    version: r.version,
    imageRef: r.imageRef,
    status: r.status,
  });
  const byVersion = status.Version > 0 ? releases.find((r) => r.version === status.Version) : undefined;
  if (byVersion) return pick(byVersion);
  const complete = releases.find((r) => r.status === 'complete');
  if (complete) return pick(complete);
  return status.Version > 0 ? { id: '', version: status.Version, imageRef: '', status: '' } : undefined;
}
