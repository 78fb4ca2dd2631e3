import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunContext } from '@deploy-actions/toolkit';
import { describe, expect, it } from 'vitest';
import { parseFlyToml } from '../src/flytoml';
import { previewAppName } from '../src/preview';
import { deployReason, locateConfig, resolveTarget } from '../src/target';

const ctx = (over: Partial<RunContext>): RunContext =>
  ({ eventName: 'push', event: {}, repository: 'acme/shop', ...over }) as RunContext;

describe('resolveTarget', () => {
  it('names preview apps after the pull request, also for comments on one', () => {
    expect(
      resolveTarget({ preview: true, destroy: false }, ctx({ eventName: 'pull_request', pullRequest: 7 })),
    ).toEqual({ app: previewAppName(7, 'acme/shop'), destroy: false, why: '' });
    const comment = ctx({ eventName: 'issue_comment', event: { issue: { number: 9, pull_request: {} } } });
    expect(resolveTarget({ preview: true, destroy: false }, comment).app).toBe(previewAppName(9, 'acme/shop'));
  });

  it('destroys a preview when its pull request closes, but never a non-preview app', () => {
    const closed = ctx({ eventName: 'pull_request', pullRequest: 7, event: { action: 'closed' } });
    expect(resolveTarget({ preview: true, destroy: false }, closed)).toMatchObject({ destroy: true });
    expect(resolveTarget({ app: 'prod', preview: false, destroy: false }, closed)).toMatchObject({ destroy: false });
    expect(resolveTarget({ app: 'prod', preview: false, destroy: true }, ctx({}))).toMatchObject({ destroy: true });
  });

  it('in preview mode, a closed pull request never destroys an app named by hand', () => {
    const closed = ctx({ eventName: 'pull_request', pullRequest: 12, event: { action: 'closed' } });
    expect(() => resolveTarget({ app: 'shop-production', preview: true, destroy: false }, closed)).toThrow(
      /Refusing to destroy shop-production: a closed pull request destroys only its preview app \(pr-12-shop-[0-9a-f]{6}\)/,
    );
    // Another pull request's preview is not this one's either.
    const other = previewAppName(11, 'acme/shop');
    expect(() => resolveTarget({ app: other, preview: true, destroy: false }, closed)).toThrow(/Refusing to destroy/);
    // Its own preview app, named or derived, is destroyed.
    const own = previewAppName(12, 'acme/shop');
    expect(resolveTarget({ app: own, preview: true, destroy: false }, closed)).toMatchObject({
      app: own,
      destroy: true,
    });
    expect(resolveTarget({ preview: true, destroy: false }, closed)).toMatchObject({ app: own, destroy: true });
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
    expect(toml).toEqual({
      app: 'shop',
      primaryRegion: 'fra',
      strategy: 'bluegreen',
      env: { LOG: 'debug' },
      hasServices: true,
    });
  });

  it('tells an app with a service from a worker with none', () => {
    expect(parseFlyToml('app = "web"\n[http_service]\n  internal_port = 8080\n').hasServices).toBe(true);
    expect(parseFlyToml('app = "api"\n[[services]]\n  internal_port = 8080\n').hasServices).toBe(true);
    const worker = 'app = "worker"\n[processes]\n  worker = "bin/worker"\n[[vm]]\n  memory = "512mb"\n';
    expect(parseFlyToml(worker).hasServices).toBe(false);
  });

  it('needs an explicitly named config file to exist, but not the default one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fly-config-'));
    expect(locateConfig(dir, 'fly.toml', true)).toEqual({});
    expect(() => locateConfig(dir, 'fly.production.toml', false)).toThrow(/Invalid input 'config'/);
    expect(() => locateConfig(join(dir, 'nope'), 'fly.toml', true)).toThrow(/Invalid input 'working-directory'/);
    // A file where the folder should be: a clear input error, not `spawn ENOTDIR` later.
    writeFileSync(join(dir, 'hostname'), 'x\n');
    expect(() => locateConfig(join(dir, 'hostname'), 'fly.toml', true)).toThrow(
      /Invalid input 'working-directory': .*hostname is a file; expected the folder that holds fly.toml/,
    );
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
