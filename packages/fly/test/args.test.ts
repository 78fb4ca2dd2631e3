import { describe, expect, it } from 'vitest';
import { describeArgs } from '../src/client';
import { deployArgs } from '../src/deploy';

describe('deployArgs', () => {
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
