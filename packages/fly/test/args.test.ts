import { describe, expect, it } from 'vitest';
import { describeArgs } from '../src/client';
import { deployArgs, findReleaseByImage, sameImage } from '../src/deploy';
import type { Release } from '../src/schemas';

describe('deployArgs', () => {
  it('builds on the runner only with --local-only --depot=false (v0.4.87 picks Depot otherwise)', () => {
    const args = deployArgs({ app: 'shop', imageLabel: 'v2', remoteOnly: false });
    expect(args).toEqual(['deploy', '--app', 'shop', '--image-label', 'v2', '--local-only', '--depot=false', '--yes']);
    expect(deployArgs({ app: 'shop', imageLabel: 'v2' })).toContain('--remote-only');
    expect(deployArgs({ app: 'shop', image: 'nginx:1', remoteOnly: false })).not.toContain('--local-only');
  });

  it('builds a validated argv', () => {
    expect(
      deployArgs({
        app: 'shop',
        config: 'fly.toml',
        imageLabel: 'main-abc1234',
        strategy: 'canary',
        buildArgs: { NODE_ENV: 'production' },
        buildSecrets: { NPM_TOKEN: 's3cret' },
        env: { LOG_LEVEL: 'debug' },
        regions: ['iad', 'fra'],
        ha: false,
        waitTimeoutMs: 300_000,
      }),
    ).toEqual([
      'deploy',
      '--app',
      'shop',
      '--config',
      'fly.toml',
      '--image-label',
      'main-abc1234',
      '--remote-only',
      '--build-arg',
      'NODE_ENV=production',
      '--build-secret',
      'NPM_TOKEN=s3cret',
      '--strategy',
      'canary',
      '--env',
      'LOG_LEVEL=debug',
      '--regions',
      'iad,fra',
      '--ha=false',
      '--wait-timeout',
      '300s',
      '--yes',
    ]);
  });

  it.each([
    [{ app: '--help' }],
    [{ app: 'shop', config: '--local-only' }],
    [{ app: 'shop', image: '-i' }],
    [{ app: 'shop', imageLabel: '--x' }],
    [{ app: 'shop', regions: ['--x'] }],
    [{ app: 'shop', env: { '-X': 'y' } }],
    [{ app: 'shop', strategy: '--detach' as 'rolling' }],
  ])('refuses anything flyctl could read as a flag: %j', (options) => {
    expect(() => deployArgs(options)).toThrow(/Invalid/);
  });

  it("passes --deploy-retries only when set (unset is flyctl's auto)", () => {
    expect(deployArgs({ app: 'shop', image: 'nginx:1', deployRetries: 2 })).toEqual(
      expect.arrayContaining(['--deploy-retries', '2']),
    );
    expect(deployArgs({ app: 'shop', image: 'nginx:1', deployRetries: 0 })).toEqual(
      expect.arrayContaining(['--deploy-retries', '0']),
    );
    expect(deployArgs({ app: 'shop', image: 'nginx:1' })).not.toContain('--deploy-retries');
    expect(() => deployArgs({ app: 'shop', image: 'nginx:1', deployRetries: -1 })).toThrow(/deploy-retries/);
  });

  it('refuses build-only options next to a built image', () => {
    expect(() => deployArgs({ app: 'shop', image: 'registry.fly.io/shop:v1', buildSecrets: { A: 'b' } })).toThrow(
      /'build-secrets' would be ignored/,
    );
    expect(() =>
      deployArgs({ app: 'shop', image: 'registry.fly.io/shop:v1', imageLabel: 'x', buildArgs: { A: 'b' } }),
    ).toThrow(/'image-label' and 'build-args'/);
  });

  it('hides values of secret-bearing flags when printing a command', () => {
    expect(describeArgs(['deploy', '--build-secret', 'NPM_TOKEN=s3cret', '--env', 'A=b'])).toBe(
      'flyctl deploy --build-secret NPM_TOKEN=*** --env A=***',
    );
  });
});

describe('image references, as given or as the API normalises them', () => {
  it('compares Docker Hub short names, default tags and digests', () => {
    expect(sameImage('nginx:1.25', 'docker.io/library/nginx:1.25')).toBe(true);
    expect(sameImage('nginx', 'index.docker.io/library/nginx:latest')).toBe(true);
    expect(sameImage('acme/api:v2', 'docker.io/acme/api:v2')).toBe(true);
    expect(sameImage('registry.fly.io/shop:v2', 'registry.fly.io/shop:v2@sha256:abc')).toBe(true);
    expect(sameImage('registry.fly.io/shop@sha256:abc', 'registry.fly.io/shop:v2@sha256:abc')).toBe(true);
    expect(sameImage('registry.fly.io/shop:v2', 'registry.fly.io/shop:v3')).toBe(false);
    expect(sameImage('registry.fly.io/shop:v2@sha256:abc', 'registry.fly.io/shop:v2@sha256:def')).toBe(false);
    expect(sameImage('ghcr.io/acme/api:v2', 'docker.io/acme/api:v2')).toBe(false);
    expect(sameImage('', '')).toBe(false);
  });
  it('finds the release of a normalised ref', () => {
    const release = (version: number, imageRef: string) => ({ version, imageRef }) as Release;
    const releases = [release(3, 'docker.io/library/nginx:1.25'), release(2, 'registry.fly.io/shop:v1')];
    expect(findReleaseByImage(releases, { imageRef: 'nginx:1.25' })?.version).toBe(3);
    expect(findReleaseByImage(releases, { imageRef: 'registry.fly.io/shop:v1' })?.version).toBe(2);
    expect(findReleaseByImage(releases, { label: 'v1' })?.version).toBe(2);
  });
});
