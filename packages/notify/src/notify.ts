import { GitHubClient } from '@deploy-actions/github';
import { errorMessage, isUserError, log, type RunContext, registerSecret } from '@deploy-actions/toolkit';
import { CHANNELS, type Channel, type ChannelConfigs, type ChannelName, type SendContext } from './channels';
import { buildMessage, commitMessageFromEvent, type DeployMessage, type MessageFields } from './message';
import type { DeliveryOptions } from './send/http';

export interface ChannelResult {
  channel: ChannelName;
  outcome: 'sent' | 'failed' | 'skipped';
  detail: string;
  hint?: string;
  attempts: number;
  durationMs: number;
}

export interface NotifyResult {
  message: DeployMessage;
  results: ChannelResult[];
  sent: ChannelName[];
  failed: ChannelName[];
  deploymentId?: number;
  commentUrl?: string;
}

/** What one notify step sends, where, and within which limits. */
export interface NotifyOptions {
  message: MessageFields;
  channels: ChannelConfigs;
  /** For the GitHub channels and the commit message lookup. */
  githubToken?: string;
  /** Retries per channel after the first attempt. */
  retries: number;
  /** Time budget per channel, retries included. */
  timeoutMs: number;
}

export interface NotifyEnvironment {
  /** When the deploy started (ms since epoch), for the duration; see STARTED_AT_ENV. */
  startedAt?: number;
  /** Extra trusted CA certificate for SMTP (tests); users set NODE_EXTRA_CA_CERTS instead. */
  smtpCa?: string;
  /** First backoff delay (tests shorten it). */
  baseDelayMs?: number;
  /** Time between two GitHub writes (default 1s, GitHub's advice; tests shorten it). */
  githubWriteIntervalMs?: number;
}

/** Set by a `started` notification so later steps of the job can report the duration. */
export const STARTED_AT_ENV = 'DEPLOY_ACTIONS_STARTED_AT';

/** Reads STARTED_AT_ENV (ms since epoch or an ISO time). */
export function startedAtFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[STARTED_AT_ENV]?.trim();
  if (!raw) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Webhook URLs are credentials, and the credential is their path or query (Slack's
 * /services/T…/B…/<token>, Discord's /api/webhooks/<id>/<token>, Teams' `sig=`): each part is
 * registered too, so a service or proxy that echoes only the path cannot print it.
 */
function registerWebhookSecrets(channels: ChannelConfigs): void {
  const urls = [channels.slack?.webhook, channels.teams?.webhook, channels.discord?.webhook, channels.webhook?.url];
  for (const url of urls) {
    registerSecret(url);
    if (!url || !URL.canParse(url)) continue;
    const { pathname, search } = new URL(url);
    registerSecret(`${pathname}${search}`);
    if (pathname.length > 1) registerSecret(pathname);
    if (search.length > 1) registerSecret(search.slice(1));
    for (const part of [...pathname.split('/'), ...search.slice(1).split('&')]) {
      const value = part.replace(/^[^=]*=/, '');
      // Token-like parts only: a word such as `services` or `workflows` must stay readable in the log.
      if (value.length >= 16) registerSecret(decodeURIComponent(value));
    }
  }
}

/** The commit message for the run's sha, from the API when the event does not carry it. Best effort. */
async function fetchCommitMessage(client: GitHubClient, sha: string): Promise<string | undefined> {
  try {
    const commit = await client.request<{ commit?: { message?: string } }>('GET', `/commits/${sha}`);
    return commit?.commit?.message;
  } catch (error) {
    log.debug(`No commit message for ${sha}: ${errorMessage(error)}`);
    return undefined;
  }
}

/** Runs one channel; whatever happens becomes its result, never an exception. */
async function runChannel<C>(
  channel: Channel<C>,
  config: C,
  message: DeployMessage,
  context: SendContext,
): Promise<ChannelResult & { deploymentId?: number; commentUrl?: string }> {
  const started = Date.now();
  try {
    const sent = await channel.send(message, config, context);
    return { channel: channel.name, ...sent, durationMs: Date.now() - started };
  } catch (error) {
    const attempts = (error as { attempts?: number }).attempts ?? 1;
    const hint = isUserError(error) ? error.hint : undefined;
    if (!isUserError(error) && error instanceof Error && error.stack) log.debug(error.stack);
    const detail = isUserError(error) ? error.message : `unexpected error: ${errorMessage(error)}`;
    return { channel: channel.name, outcome: 'failed', detail, hint, attempts, durationMs: Date.now() - started };
  }
}

/**
 * Sends one deploy message to every wanted channel, concurrently. Channels are
 * independent: a failure is recorded in its result and never stops the others.
 */
export async function notify(
  options: NotifyOptions,
  run: RunContext,
  env: NotifyEnvironment = {},
): Promise<NotifyResult> {
  registerWebhookSecrets(options.channels);
  const wanted = CHANNELS.map((channel) => ({ channel, config: channel.wanted(options.channels) })).filter(
    (w) => w.config !== undefined,
  );

  // One client per channel, each within its own time budget; a short best-effort one for the commit message.
  const token = options.githubToken;
  const github = (timeoutMs: number, attempts: number, deadline?: number) =>
    token && run.repository
      ? new GitHubClient({
          token,
          repository: run.repository,
          apiUrl: run.apiUrl,
          attempts,
          timeoutMs,
          baseDelayMs: env.baseDelayMs,
          deadline,
          writeIntervalMs: env.githubWriteIntervalMs,
        })
      : undefined;
  const wantsGitHub = wanted.some((w) => w.channel.name === 'github-deployment' || w.channel.name === 'pr-comment');
  const lookup = wantsGitHub && run.sha ? github(Math.min(options.timeoutMs, 10_000), 2) : undefined;
  const commitMessage = commitMessageFromEvent(run) ?? (lookup ? await fetchCommitMessage(lookup, run.sha) : undefined);
  const message = buildMessage({ ...options.message, commitMessage, startedAt: env.startedAt }, run);

  const contextFor = (name: ChannelName): SendContext => {
    const delivery: DeliveryOptions = {
      retries: options.retries,
      timeoutMs: options.timeoutMs,
      baseDelayMs: env.baseDelayMs,
      onRetry: (reason, attempt, delayMs) =>
        log.info(`${name}: attempt ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)}s`),
    };
    const deadline = Date.now() + options.timeoutMs;
    return {
      run,
      delivery,
      github: () => github(options.timeoutMs, options.retries + 1, deadline),
      smtpCa: env.smtpCa,
    };
  };

  const results = await Promise.all(
    wanted.map((w) => runChannel(w.channel, w.config, message, contextFor(w.channel.name))),
  );
  return {
    message,
    results: results.map(({ deploymentId: _d, commentUrl: _c, ...result }) => result),
    sent: results.filter((r) => r.outcome === 'sent').map((r) => r.channel),
    failed: results.filter((r) => r.outcome === 'failed').map((r) => r.channel),
    deploymentId: results.find((r) => r.deploymentId !== undefined)?.deploymentId,
    commentUrl: results.find((r) => r.commentUrl !== undefined)?.commentUrl,
  };
}
