/**
 * Everything a scenario deploys against, all local and real: fly-sim as `flyctl`, an embedded
 * PostgreSQL database, an SMTP server, a webhook sink and a GitHub REST API, plus a fresh checkout of
 * the scenario app (fly.toml and three migrations). One stage per scenario; the PostgreSQL server is
 * shared (a database per stage) because it is the slow one to start.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { type HttpSink, startHttpSink } from '@deploy-actions/testkit/http-sink';
import type { PgDatabase, PgServer } from '@deploy-actions/testkit/postgres';
import { startSmtpServer, type TestSmtpServer } from '@deploy-actions/testkit/smtp';
import { type FlyStage, startFly } from './fly';
import { type RepoApp, repoApps } from './repo-apps';
import type { GitHubOptions } from './run-context';

export const REPOSITORY = 'acme/shop';
/** The production app of the deploy scenarios. */
export const APP = 'shop-api';
export const APP_DIR = join(import.meta.dirname, '..', 'app');

/** Stand-in credentials: they only open the local servers, and the leak checks look for each. */
export const FLY_TOKEN = 'FlyV1 fm2_rehearsalTokenNotReal_8d1c0f';
export const GITHUB_TOKEN = 'ghs_rehearsalGitHubToken0000000000000000';
export const WEBHOOK_SECRET = 'whsec_rehearsalSigningKey_4f1e';
export const SMTP_USER = 'deploys@shop.test';
export const SMTP_PASS = 'smtp-rehearsal-pass-71c2';
export const APP_SECRETS = [
  'STRIPE_API_KEY=sk_test_rehearsalStripeKey_91ab',
  'SESSION_SECRET=rehearsal-session-secret-3f9d0c',
].join('\n');

export interface Stage {
  /** The app checkout (GITHUB_WORKSPACE). */
  workspace: string;
  /** Variables every step gets: fly-sim first on PATH, its state folder, the SMTP CA. */
  env: Record<string, string>;
  github: GitHubOptions;
  database: PgDatabase;
  pg: PgServer;
  fly: FlyStage;
  smtp: TestSmtpServer;
  hooks: HttpSink;
  api: GitHubApi;
  /** The secrets deploy.yml is called with (its declared names). */
  deploySecrets: Record<string, string>;
  /** Parts of those secrets that must not be printed either (each app secret's value, passwords in URLs). */
  sensitive: Record<string, string>;
  /** Where the runs' `actions/upload-artifact` steps keep artifacts (removed with the stage). */
  artifactsDir: string;
  /** The Fly apps of a caller's repository (from its fly.toml files); empty for the built-in app. */
  apps: RepoApp[];
  close(): Promise<void>;
}

export interface StageOptions {
  /** A caller's repository to check out instead of the built-in app: its fly.toml files name the apps. */
  source?: string;
}

/** What a checkout of a caller's repository leaves out: installed packages and git's own folder. */
const NOT_CHECKED_OUT = /(^|\/)(node_modules|\.git|target)(\/|$)/;

export async function startStage(pg: PgServer, name: string, options: StageOptions = {}): Promise<Stage> {
  const workspace = mkdtempSync(join(tmpdir(), `rehearsal-${name}-app-`));
  const source = options.source ?? APP_DIR;
  cpSync(source, workspace, {
    recursive: true,
    filter: (path) => !NOT_CHECKED_OUT.test(path.slice(source.length)),
  });
  const artifactsDir = mkdtempSync(join(tmpdir(), `rehearsal-${name}-artifacts-`));
  const database = await pg.createDatabase(name.replace(/[^a-z0-9]/g, '_'));
  const fly = await startFly(FLY_TOKEN, ['personal', 'acme']);
  const apps = options.source ? repoApps(workspace) : [];
  // The apps exist before their first deploy, as `fly apps create` left them; each one of a caller's
  // repository answers requests with its own program (its Dockerfile's CMD) when it has one.
  if (apps.length === 0) await fly.sim.seedApp(APP, { org: 'acme' });
  for (const app of apps) {
    await fly.sim.seedApp(app.name, { org: 'personal' });
    // `flyctl ssh console -C` runs in the image's working directory: here, the build context.
    if (app.serve) await fly.sim.configureApp(app.name, { serve: app.serve, console: { cwd: app.serve.cwd } });
  }
  const smtp = await startSmtpServer({ tls: 'starttls', auth: { user: SMTP_USER, pass: SMTP_PASS } });
  const hooks = await startHttpSink();
  const api = await startGitHubApi({ repository: REPOSITORY, token: GITHUB_TOKEN });
  const env = {
    ...fly.env,
    PATH: [fly.binDir, process.env.PATH ?? '/usr/bin:/bin'].join(delimiter),
    // The SMTP server's self-signed certificate, trusted the way a runner would trust a CA.
    NODE_EXTRA_CA_CERTS: smtp.certFile,
  };
  return {
    workspace,
    env,
    github: { repository: REPOSITORY, apiUrl: api.url, token: GITHUB_TOKEN, actor: 'octocat' },
    database,
    pg,
    fly,
    smtp,
    hooks,
    api,
    apps,
    artifactsDir,
    deploySecrets: {
      FLY_API_TOKEN: FLY_TOKEN,
      DATABASE_URL: database.url,
      APP_SECRETS,
      WEBHOOK_URL: hooks.url('/deploys'),
      WEBHOOK_SECRET,
      SMTP_URL: smtp.url,
    },
    sensitive: {
      ...Object.fromEntries(
        APP_SECRETS.split('\n')
          .map((line) => line.split('='))
          .map(([k, v]) => [`APP_SECRETS ${k}`, v]),
      ),
      'SMTP password': SMTP_PASS,
      'PostgreSQL password': pg.password,
    },
    async close() {
      await Promise.allSettled([fly.close(), smtp.close(), hooks.close(), api.close()]);
      rmSync(workspace, { recursive: true, force: true });
      rmSync(artifactsDir, { recursive: true, force: true });
    },
  };
}
