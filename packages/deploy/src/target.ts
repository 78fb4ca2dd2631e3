import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { appExists, assertAppName, createApp, type Fly, type RunOptions } from '@deploy-actions/fly';
import { type RunContext, UserError } from '@deploy-actions/toolkit';
import { type FlyToml, parseFlyToml } from './flytoml';
import { isPreviewApp, previewAppName } from './preview';

export interface FlyConfig {
  /** The `--config` value to pass (relative to the working directory), or undefined when there is no file. */
  arg?: string;
  toml?: FlyToml;
}

/**
 * Finds fly.toml in the working directory. A missing file is fine for the default name
 * (flyctl then uses the app's remote config with `--image`), but an explicitly named
 * one must exist.
 */
export function locateConfig(workdir: string, config: string, isDefault: boolean): FlyConfig {
  if (!existsSync(workdir)) {
    throw new UserError(`Invalid input 'working-directory': ${workdir} does not exist`, {
      hint: 'Check out the repository first (actions/checkout) or fix the path.',
    });
  }
  if (!statSync(workdir).isDirectory()) {
    throw new UserError(
      `Invalid input 'working-directory': ${workdir} is a file; expected the folder that holds fly.toml`,
      {
        hint: 'Give the folder, and name the file with the `config` input if it is not fly.toml.',
      },
    );
  }
  const path = isAbsolute(config) ? config : join(workdir, config);
  if (!existsSync(path)) {
    if (isDefault) return {};
    throw new UserError(`Invalid input 'config': ${JSON.stringify(config)} does not exist in ${workdir}`);
  }
  const arg = isAbsolute(config) ? relative(workdir, path) || config : config;
  return { arg, toml: parseFlyToml(readFileSync(path, 'utf8')) };
}

export interface Target {
  app: string;
  /** Destroy instead of deploy: asked for, or a preview whose pull request closed. */
  destroy: boolean;
  why: string;
}

/** The pull request a run belongs to (pull_request events, or comments on a pull request). */
export function pullRequestNumber(ctx: RunContext): number | undefined {
  if (ctx.pullRequest) return ctx.pullRequest;
  const issue = ctx.event.issue as { number?: number; pull_request?: unknown } | undefined;
  return issue?.pull_request && typeof issue.number === 'number' ? issue.number : undefined;
}

/** Which app this run acts on, and whether it destroys it. */
export function resolveTarget(
  options: { app?: string; preview: boolean; destroy: boolean; configApp?: string },
  ctx: RunContext,
): Target {
  const prEvent = ctx.eventName === 'pull_request' || ctx.eventName === 'pull_request_target';
  const prClosed = prEvent && ctx.event.action === 'closed';
  let app = options.app;
  if (!app && options.preview) {
    const pr = pullRequestNumber(ctx);
    if (!pr) {
      throw new UserError(`Preview mode needs a pull request event (this is a ${ctx.eventName || 'unknown'} event)`, {
        hint: 'Run it on pull_request, or give the `app` input.',
      });
    }
    app = previewAppName(pr, ctx.repository);
  }
  app ??= options.configApp;
  if (!app) {
    throw new UserError('Input required and not supplied: app (no `app` in the config file either)', {
      hint: 'Set the `app` input, or `app = "name"` in fly.toml.',
    });
  }
  assertAppName(app, app === options.app ? "input 'app'" : 'app name in the config file');
  if (options.destroy) return { app, destroy: true, why: 'the `destroy` input is true' };
  if (options.preview && prClosed) {
    // A closed pull request destroys its own preview app, never an app named by hand (a production app
    // given as `app` would go with it).
    const pr = pullRequestNumber(ctx);
    if (!pr || !isPreviewApp(app, pr, ctx.repository)) {
      const expected = pr ? previewAppName(pr, ctx.repository) : 'pr-<number>-<repo>-<hash>';
      throw new UserError(
        `Refusing to destroy ${app}: a closed pull request destroys only its preview app (${expected}), and ${app} is not it`,
        {
          hint: 'Leave `app` empty in preview mode (the preview name is derived from the pull request), or destroy the app yourself with `destroy: true`.',
        },
      );
    }
    return { app, destroy: true, why: 'the pull request was closed' };
  }
  return { app, destroy: false, why: '' };
}

/** Creates the app when it does not exist; true when it was created now. */
export async function ensureApp(
  fly: Fly,
  app: string,
  org: string | undefined,
  options?: RunOptions,
): Promise<boolean> {
  if (await appExists(fly, app, options)) return false;
  if (!org) {
    throw new UserError(`App ${app} does not exist and cannot be created: input 'org' is not set`, {
      hint: 'Set `org` to your Fly organization slug (creating apps needs an org token).',
    });
  }
  await createApp(fly, app, org, options);
  return true;
}

/** Why this deploy happens, for records: a dispatch `reason` input, the commit message, or the PR title. */
export function deployReason(ctx: RunContext): string {
  const inputs = ctx.event.inputs as Record<string, unknown> | undefined;
  const reason = typeof inputs?.reason === 'string' ? inputs.reason : '';
  const commit = (ctx.event.head_commit as { message?: string } | undefined)?.message ?? '';
  const title = (ctx.event.pull_request as { title?: string } | undefined)?.title ?? '';
  return (reason || commit.split('\n')[0] || title).slice(0, 200);
}
