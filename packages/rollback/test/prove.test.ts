import type { LastKnownGood } from '@deploy-actions/deployments';
import { describe, expect, it } from 'vitest';
import { refuseUnproven } from '../src/prove';
import type { ReleaseInfo } from '../src/select';

const BOT = 'github-actions[bot]';
const img = (tag: string) => `registry.fly.io/shop:${tag}`;
const releases: ReleaseInfo[] = [
  { version: 3, imageRef: img('c'), status: 'failed' },
  { version: 2, imageRef: img('b'), status: 'complete' },
  { version: 1, imageRef: img('a'), status: 'complete' },
];

function candidate(
  over: { creator?: string; statusBy?: string; record?: Record<string, unknown> } = {},
): LastKnownGood {
  const record = {
    schema: 'deploy-actions/deployment@1' as const,
    app: 'shop',
    image_ref: img('b'),
    release_version: '2',
    sha: 'a'.repeat(40),
    rollback: false,
    repository: 'acme/shop',
    ...over.record,
  };
  return {
    deployment: {
      id: 7,
      environment: 'production',
      sha: record.sha,
      ref: record.sha,
      task: 'deploy',
      createdAt: '',
      production: true,
      transient: false,
      payload: record,
      record,
      creator: over.creator ?? BOT,
    },
    record,
    status: {
      id: 8,
      state: 'success',
      description: '',
      environmentUrl: '',
      logUrl: '',
      createdAt: '',
      creator: over.statusBy ?? BOT,
    },
  } as LastKnownGood;
}

const expected = { app: 'shop', repository: 'acme/shop', bot: BOT };

describe('a recorded rollback target is proven, not trusted', () => {
  it("accepts this workflow's record of a completed release of the app", () => {
    expect(refuseUnproven(candidate(), releases, expected)).toBeUndefined();
    // GraphQL may name the bot without [bot].
    expect(refuseUnproven(candidate(), releases, { ...expected, bot: 'github-actions' })).toBeUndefined();
  });

  it('refuses a record written, or marked successful, by anyone else', () => {
    expect(refuseUnproven(candidate({ creator: 'mallory' }), releases, expected)).toMatch(/created by mallory/);
    expect(refuseUnproven(candidate({ statusBy: 'mallory' }), releases, expected)).toMatch(/status was set by mallory/);
    expect(refuseUnproven(candidate(), releases, { ...expected, bot: undefined })).toMatch(/identity of the token/);
  });

  it('refuses a record of another repository or app, or one that names no repository', () => {
    expect(refuseUnproven(candidate({ record: { repository: 'partner/shop' } }), releases, expected)).toMatch(
      /records repository partner\/shop/,
    );
    expect(refuseUnproven(candidate({ record: { repository: undefined } }), releases, expected)).toMatch(
      /records repository \(none\)/,
    );
    expect(refuseUnproven(candidate({ record: { app: 'admin' } }), releases, expected)).toMatch(/records app admin/);
  });

  it("refuses an image that is not a completed release in Fly's history of the app", () => {
    const outside = candidate({
      record: { image_ref: 'docker.io/attacker/backdoor:latest', release_version: undefined },
    });
    expect(refuseUnproven(outside, releases, expected)).toMatch(
      /has no release of docker.io\/attacker\/backdoor:latest/,
    );
    expect(
      refuseUnproven(candidate({ record: { image_ref: img('c'), release_version: '3' } }), releases, expected),
    ).toMatch(/no release of .* completed/);
    expect(
      refuseUnproven(candidate({ record: { image_ref: img('a'), release_version: '2' } }), releases, expected),
    ).toMatch(/release v2 of shop ran registry.fly.io\/shop:b/);
  });

  it('refuses an image whose digest is not the recorded one', () => {
    const pinned = `registry.fly.io/shop@sha256:${'1'.repeat(64)}`;
    const withDigest = [...releases, { version: 4, imageRef: pinned, status: 'complete' }];
    const record = { image_ref: pinned, release_version: '4', image_digest: `sha256:${'2'.repeat(64)}` };
    expect(refuseUnproven(candidate({ record }), withDigest, expected)).toMatch(/does not carry the recorded digest/);
    expect(
      refuseUnproven(
        candidate({ record: { ...record, image_digest: `sha256:${'1'.repeat(64)}` } }),
        withDigest,
        expected,
      ),
    ).toBeUndefined();
  });
});
