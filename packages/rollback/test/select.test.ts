import { describe, expect, it } from 'vitest';
import { chooseTarget, isRollbackRelease, type ReleaseInfo } from '../src/select';

const rel = (version: number, imageRef: string, status = 'complete'): ReleaseInfo => ({ version, imageRef, status });
const img = (tag: string) => `registry.fly.io/shop:${tag}`;

describe('chooseTarget with Fly releases', () => {
  it('skips a failed previous release and a config release on the same image', () => {
    const releases = [rel(5, img('bad')), rel(4, img('bad')), rel(3, img('worse'), 'failed'), rel(2, img('good'))];
    const target = chooseTarget({ failed: { version: 5 }, releases, request: { kind: 'auto' }, lkgSource: 'auto' });
    expect(target).toMatchObject({ imageRef: img('good'), version: 2, source: 'fly-releases' });
    expect(target.skipped.map((s) => [s.version, s.why])).toEqual([
      [4, 'same image as the failed release (a config or secrets release)'],
      [3, 'status failed'],
    ]);
  });

  it('does not return to an image a rollback already replaced', () => {
    // v3 rolled back from v2's image to v1's; v4 failed: v3 (image a) is good, v2 (image b) is not.
    const releases = [rel(4, img('d')), rel(3, img('a')), rel(2, img('b')), rel(1, img('a'))];
    expect(isRollbackRelease(releases[1], releases)).toBe(true);
    const target = chooseTarget({
      failed: { version: 4 },
      releases,
      request: { kind: 'auto' },
      lkgSource: 'fly-releases',
    });
    expect(target).toMatchObject({ imageRef: img('a'), version: 3 });
  });

  it('refuses to roll back a rollback', () => {
    const releases = [rel(3, img('a')), rel(2, img('b')), rel(1, img('a'))];
    expect(() => chooseTarget({ failed: {}, releases, request: { kind: 'auto' }, lkgSource: 'auto' })).toThrow(
      /v3 is itself a rollback/,
    );
  });

  it('says what to do when there is no candidate', () => {
    expect(() =>
      chooseTarget({
        failed: { version: 1 },
        releases: [rel(1, img('first'))],
        request: { kind: 'auto' },
        lkgSource: 'auto',
      }),
    ).toThrow(/No last known good release/);
  });
});

describe('chooseTarget with a recorded deployment', () => {
  const releases = [rel(7, img('new')), rel(6, img('unverified')), rel(5, img('verified'))];

  it('prefers the verified record over a newer, never verified Fly release', () => {
    const target = chooseTarget({
      failed: { version: 7 },
      releases,
      recorded: {
        imageRef: img('verified'),
        releaseVersion: 5,
        deploymentId: 12,
        sha: 'abcdef1234',
        environment: 'production',
      },
      request: { kind: 'auto' },
      lkgSource: 'auto',
    });
    expect(target).toMatchObject({ imageRef: img('verified'), version: 5, source: 'github-deployments' });
    expect(target.why).toBe('the newest release recorded as verified healthy in production (deployment 12, abcdef1)');
  });

  it('falls back to Fly when the record is the failed image, and fails when only records were allowed', () => {
    const recorded = { imageRef: img('new'), releaseVersion: 7 };
    expect(
      chooseTarget({ failed: { version: 7 }, releases, recorded, request: { kind: 'auto' }, lkgSource: 'auto' })
        .version,
    ).toBe(6);
    expect(() =>
      chooseTarget({ failed: { version: 7 }, releases, request: { kind: 'auto' }, lkgSource: 'github-deployments' }),
    ).toThrow(/No verified deployment is recorded/);
  });
});

describe('explicit targets', () => {
  const releases = [rel(3, img('c')), rel(2, img('b'), 'failed'), rel(1, img('a'))];
  it('accepts a release version or image, and refuses the failed image or a failed release', () => {
    const base = { failed: { version: 3 }, releases, lkgSource: 'auto' as const };
    expect(chooseTarget({ ...base, request: { kind: 'version', version: 1 } }).imageRef).toBe(img('a'));
    expect(chooseTarget({ ...base, request: { kind: 'image', imageRef: img('z') } })).toMatchObject({
      imageRef: img('z'),
      source: 'input',
    });
    expect(() => chooseTarget({ ...base, request: { kind: 'image', imageRef: img('c') } })).toThrow(
      /is the image that failed/,
    );
    expect(() => chooseTarget({ ...base, request: { kind: 'version', version: 2 } })).toThrow(/status failed/);
    expect(() => chooseTarget({ ...base, request: { kind: 'version', version: 99 } })).toThrow(
      /not among the 3 releases/,
    );
  });
});
