import { UserError } from '@deploy-actions/toolkit';

/** The parts of a Fly release (`releases --json`) that decide whether it is good to return to. */
export interface ReleaseInfo {
  version: number;
  status: string;
  imageRef: string;
}

/** The newest deployment this suite recorded as verified healthy (from packages/deployments). */
export interface RecordedGood {
  imageRef: string;
  releaseVersion?: number;
  sha?: string;
  deploymentId?: number;
  environment?: string;
  /** The image's digest when the record carries one (`sha256:…`): what the machines must run after the rollback. */
  imageDigest?: string;
}

export interface FailedRelease {
  version?: number;
  imageRef?: string;
}

export type TargetRequest =
  | { kind: 'auto' }
  | { kind: 'image'; imageRef: string }
  | { kind: 'version'; version: number };

/** The `target` input: `auto`, a release version (`42`, `v42`), or an image reference. */
export function parseTarget(target: string): TargetRequest {
  if (target === 'auto') return { kind: 'auto' };
  if (/^v?\d+$/.test(target)) return { kind: 'version', version: Number(target.replace(/^v/, '')) };
  return { kind: 'image', imageRef: target };
}

export type LkgSource = 'auto' | 'github-deployments' | 'fly-releases';

export interface Skipped {
  version: number;
  imageRef: string;
  why: string;
}

export interface RollbackTarget {
  imageRef: string;
  version?: number;
  source: 'github-deployments' | 'fly-releases' | 'input';
  /** The digest the machines must run, when the record that chose the target carries one. */
  digest?: string;
  /** One sentence a person can check: why this release is the one to return to. */
  why: string;
  /** Newer releases passed over, each with its reason. */
  skipped: Skipped[];
}

/**
 * True when `release` re-deployed an image that an older release already ran and
 * that its direct predecessor did not: what a rollback (ours or by hand) looks like
 * in Fly's history, which has no rollback command and no marker of its own.
 */
export function isRollbackRelease(release: ReleaseInfo, releases: readonly ReleaseInfo[]): boolean {
  const older = releases.filter((r) => r.version < release.version).sort((a, b) => b.version - a.version);
  if (older.length === 0 || release.imageRef === '') return false;
  if (older[0].imageRef === release.imageRef) return false;
  return older.slice(1).some((r) => r.imageRef === release.imageRef);
}

/** Images that a later rollback replaced: the release before each rollback was the bad one. */
function rolledBackImages(releases: readonly ReleaseInfo[]): Set<string> {
  const sorted = [...releases].sort((a, b) => b.version - a.version);
  const bad = new Set<string>();
  sorted.forEach((release, i) => {
    const previous = sorted[i + 1];
    if (previous && isRollbackRelease(release, releases)) bad.add(previous.imageRef);
  });
  return bad;
}

/**
 * Chooses what to roll back to. Explicit targets are checked; `auto` prefers the
 * deployment recorded as verified healthy, then Fly's newest complete release older
 * than the failed one with a different image. Refuses to roll back a rollback.
 */
export function chooseTarget(args: {
  failed: FailedRelease;
  releases: readonly ReleaseInfo[];
  recorded?: RecordedGood;
  request: TargetRequest;
  lkgSource: LkgSource;
  /** GitHub records refused as unproven (listed with the releases passed over). */
  refused?: readonly Skipped[];
}): RollbackTarget {
  const releases = [...args.releases].sort((a, b) => b.version - a.version);
  const current = releases[0];
  const failedVersion = args.failed.version ?? current?.version;
  const failedRelease = releases.find((r) => r.version === failedVersion);
  const failedImage = args.failed.imageRef || failedRelease?.imageRef || '';

  if (failedRelease && isRollbackRelease(failedRelease, releases)) {
    throw new UserError(
      `Release v${failedRelease.version} is itself a rollback (it re-deployed ${failedRelease.imageRef}); not rolling back again.`,
      { hint: 'A rollback that fails needs a person: check the app, then deploy a known good image with `target`.' },
    );
  }

  if (args.request.kind === 'image') {
    const { imageRef } = args.request;
    if (imageRef === failedImage) {
      throw new UserError(`target ${imageRef} is the image that failed; choose another image or release.`);
    }
    const match = releases.find((r) => r.imageRef === imageRef);
    return {
      imageRef,
      version: match?.version,
      source: 'input',
      why: 'given as `target`',
      skipped: [],
    };
  }

  if (args.request.kind === 'version') {
    const { version } = args.request;
    const release = releases.find((r) => r.version === version);
    if (!release) {
      throw new UserError(
        `target v${version} is not among the ${releases.length} releases Fly lists for this app (it lists the newest 25).`,
      );
    }
    if (release.status !== 'complete')
      throw new UserError(`target v${version} has status ${release.status}, not complete.`);
    if (release.imageRef === failedImage)
      throw new UserError(`target v${version} runs the image that failed (${failedImage}).`);
    return { imageRef: release.imageRef, version, source: 'input', why: 'given as `target`', skipped: [] };
  }

  const skipped: Skipped[] = [...(args.refused ?? [])];
  if (args.lkgSource !== 'fly-releases' && args.recorded) {
    const recorded = args.recorded;
    if (recorded.imageRef !== failedImage) {
      const where = recorded.environment ? ` in ${recorded.environment}` : '';
      const id = recorded.deploymentId
        ? ` (deployment ${recorded.deploymentId}${recorded.sha ? `, ${recorded.sha.slice(0, 7)}` : ''})`
        : '';
      return {
        imageRef: recorded.imageRef,
        version: recorded.releaseVersion,
        source: 'github-deployments',
        digest: recorded.imageDigest,
        why: `the newest release recorded as verified healthy${where}${id}`,
        skipped,
      };
    }
    skipped.push({
      version: recorded.releaseVersion ?? 0,
      imageRef: recorded.imageRef,
      why: 'recorded as good, but it is the failed image',
    });
  }
  if (args.lkgSource === 'github-deployments') {
    const unproven = skipped.length > 0 ? ` (${skipped.map((s) => s.why).join('; ')})` : '';
    throw new UserError(`No verified deployment is recorded in GitHub deployments to roll back to${unproven}.`, {
      hint: 'Record successful deploys with the notify action (github-deployment: true), or use lkg-source: auto.',
    });
  }

  const bad = rolledBackImages(releases);
  for (const release of releases) {
    if (failedVersion !== undefined && release.version >= failedVersion) continue;
    const why =
      release.status !== 'complete'
        ? `status ${release.status || 'unknown'}`
        : release.imageRef === ''
          ? 'no image'
          : release.imageRef === failedImage
            ? 'same image as the failed release (a config or secrets release)'
            : bad.has(release.imageRef)
              ? 'its image was rolled back before'
              : undefined;
    if (why) {
      skipped.push({ version: release.version, imageRef: release.imageRef, why });
      continue;
    }
    return {
      imageRef: release.imageRef,
      version: release.version,
      source: 'fly-releases',
      why: `the newest complete release before v${failedVersion} with a different image`,
      skipped,
    };
  }
  throw new UserError(
    `No last known good release to roll back to: none of the ${releases.length} releases Fly lists is complete, older than the failed one and on another image.`,
    {
      hint: 'This happens on a first deploy, or when the good release is older than the 25 releases Fly lists. Deploy a known good image with `target: <image ref>`.',
    },
  );
}
