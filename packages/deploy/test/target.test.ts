import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunContext } from '@deploy-actions/toolkit';
import { describe, expect, it } from 'vitest';
import { parseFlyToml } from '../src/flytoml';
import { deployReason, locateConfig, resolveTarget } from '../src/target';

const ctx = (over: Partial<RunContext>): RunContext =>
  ({ eventName: 'push', event: {}, repository: 'acme/shop', ...over }) as RunContext;

describe('resolveTarget', () => {
  it('names preview apps after the pull request, also for comments on one', () => {
    expect(
      resolveTarget({ preview: true, destroy: false }, ctx({ eventName: 'pull_request', pullRequest: 7 })),
    ).toEqual({ app: 'pr-7-shop', destroy: false, why: '' });
    const comment = ctx({ eventName: 'issue_comment', event: { issue: { number: 9, pull_request: {} } } });
    expect(resolveTarget({ preview: true, destroy: false }, comment).app).toBe('pr-9-shop');
  });

  it('destroys a preview when its pull request closes, but never a non-preview app', () => {
    const closed = ctx({ eventName: 'pull_request', pullRequest: 7, event: { action: 'closed' } });
    expect(resolveTarget({ preview: true, destroy: false }, closed)).toMatchObject({ destroy: true });
    expect(resolveTarget({ app: 'prod', preview: false, destroy: false }, closed)).toMatchObject({ destroy: false });
    expect(resolveTarget({ app: 'prod', preview: false, destroy: true }, ctx({}))).toMatchObject({ destroy: true });
  });

  it('falls back to the config file, and says what is missing', () => {
    expect(resolveTarget({ preview: false, destroy: false, configApp: 'from-toml' }, ctx({})).app).toBe('from-toml');
    expect(() => resolveTarget({ preview: false, destroy: false }, ctx({}))).toThrow(/app/);
    expect(() => resolveTarget({ preview: false, destroy: false, configApp: '-x' }, ctx({}))).toThrow(
      /Invalid app name/,
    );
    // The action's pattern lets a trailing dash through; the message names where the name came from.
    expect(() => resolveTarget({ app: 'shop-', preview: false, destroy: false }, ctx({}))).toThrow(
      /Invalid input 'app' "shop-"/,
    );
  });
});

describe('config', () => {
  it('reads app, primary region, strategy and env from fly.toml', () => {
    const toml = parseFlyToml(
      'app = "shop" # name\nprimary_region = \'fra\'\n\n[deploy]\n  strategy = "bluegreen"\n\n[env]\n  LOG = "debug"\n\n[[services]]\n  strategy = "no"\n',
    );
    expect(toml).toEqual({ app: 'shop', primaryRegion: 'fra', strategy: 'bluegreen', env: { LOG: 'debug' } });
  });

  it('needs an explicitly named config file to exist, but not the default one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fly-config-'));
    expect(locateConfig(dir, 'fly.toml', true)).toEqual({});
    expect(() => locateConfig(dir, 'fly.production.toml', false)).toThrow(/Invalid input 'config'/);
    expect(() => locateConfig(join(dir, 'nope'), 'fly.toml', true)).toThrow(/Invalid input 'working-directory'/);
    mkdirSync(join(dir, 'web'));
    writeFileSync(join(dir, 'web', 'fly.toml'), 'app = "web-app"\n');
    expect(locateConfig(join(dir, 'web'), 'fly.toml', true)).toMatchObject({
      arg: 'fly.toml',
      toml: { app: 'web-app' },
    });
  });
});

describe('deployReason', () => {
  it('prefers a dispatch reason, then the commit message, then the PR title', () => {
    expect(deployReason(ctx({ event: { inputs: { reason: 'hotfix' }, head_commit: { message: 'x' } } }))).toBe(
      'hotfix',
    );
    expect(deployReason(ctx({ event: { head_commit: { message: 'Fix login\n\nlong body' } } }))).toBe('Fix login');
    expect(deployReason(ctx({ event: { pull_request: { title: 'Add cart' } } }))).toBe('Add cart');
  });
});
