/**
 * What flyctl accepts, checked before anything reaches its argv. Every check also
 * refuses a leading `-`, so no value can be read by flyctl as a flag. No imports: action
 * contracts that load flyctl code only on use import this module alone
 * (`@deploy-actions/fly/names`).
 */

/** Fly app names: lower-case letters, digits and dashes, starting with a letter or digit, at most 63. */
export const APP_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Fly region codes (`iad`, `fra`, `syd`...). */
export const REGION = /^[a-z]{3}$/;
/** Organization slugs. */
export const ORG_SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Environment-style names for `--env`, `--build-arg`, `--build-secret` and secrets. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Image references: registry/repository[:tag][@digest], no spaces or leading dash. */
export const IMAGE_REF = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;
/** Docker tag rules: at most 128 of letters, digits, `_`, `.`, `-`, not starting with `.` or `-`. */
export const IMAGE_LABEL = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export const STRATEGIES = ['rolling', 'canary', 'bluegreen', 'immediate'] as const;

/** The flyctl release the suite is tested against; bumped deliberately. */
export const DEFAULT_FLYCTL_VERSION = '0.4.87';
/** What a `flyctl-version` input accepts (`parseVersionRequest` reads it), for action contracts. */
export const FLYCTL_VERSION_REQUEST = /^(latest|>=\s*v?\d+\.\d+\.\d+|v?\d+\.\d+\.\d+)$/;
/** How contracts describe FLYCTL_VERSION_REQUEST in their errors. */
export const FLYCTL_VERSION_EXPECTED = 'a flyctl version such as 0.4.87, a minimum such as >=0.4.56, or latest';
/** The check of every `flyctl-version` input: `input.string({ default: ..., ...FLYCTL_VERSION_INPUT })`. */
export const FLYCTL_VERSION_INPUT = { pattern: FLYCTL_VERSION_REQUEST, expected: FLYCTL_VERSION_EXPECTED };
export type Strategy = (typeof STRATEGIES)[number];

export function isAppName(value: string): boolean {
  return APP_NAME.test(value) && !value.endsWith('-');
}

/**
 * An image label from a git ref: the tag name on tag refs, else `<branch>-<sha7>`,
 * folded into Docker's tag alphabet.
 */
export function defaultImageLabel(ref: string, sha: string): string {
  const sha7 = sha.slice(0, 7);
  let label: string;
  if (ref.startsWith('refs/tags/')) label = ref.slice('refs/tags/'.length);
  else {
    const branch = ref.replace(/^refs\/(heads|pull)\//, '');
    label = branch ? `${branch}-${sha7}` : sha7;
  }
  const clean = label
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
  return clean === '' ? sha7 || 'deployment' : clean;
}

/** The tag of an image reference (`registry.fly.io/app:tag@sha256:...` -> `tag`), or ''. */
export function imageTag(ref: string): string {
  const noDigest = ref.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? '' : noDigest.slice(colon + 1);
}
