import { GitHubClient } from '@deploy-actions/deployments';
import { errorMessage, isUserError, log, type RunContext, registerSecret, UserError } from '@deploy-actions/toolkit';
import { buildMessage, commitMessageFromEvent, type DeployMessage, type NotifyStatus } from './message';
import { renderDiscord } from './render/discord';
import { renderEmail } from './render/email';
import { renderSlack } from './render/slack';
import { renderTeams } from './render/teams';
import { renderWebhook } from './render/webhook';
import { parseSmtpUrl, sendEmail } from './send/email';
import { recordDeployment, upsertPrComment } from './send/github';
import { type DeliveryOptions, postJson, webhookHeaders } from './send/http';

const CHANNELS = ['slack', 'teams', 'discord', 'webhook', 'email', 'github-deployment', 'pr-comment'] as const;
export type ChannelName = (typeof CHANNELS)[number];

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

/** The action's inputs, as parsed by its contract. */
export interface NotifyInputs {
  status: NotifyStatus;
  environment?: string;
  app?: string;
  version?: string;
  'image-ref'?: string;
  'release-version'?: string;
  url?: string;
  reason?: string;
  title?: string;
  message?: string;
  'slack-webhook'?: string;
  'teams-webhook'?: string;
  'discord-webhook'?: string;
  'webhook-url'?: string;
  'webhook-secret'?: string;
  'smtp-url'?: string;
  'email-to'?: string[];
  'email-from'?: string;
  'github-deployment': boolean;
  'github-deployment-id'?: number;
  'pr-comment': string;
  'github-token'?: string;
  retries: number;
  timeout: number;
}

export interface NotifyEnvironment {
  /** When the deploy started (ms since epoch), for the duration; see STARTED_AT_ENV. */
  startedAt?: number;
  /** Extra trusted CA certificate for SMTP (tests); users set NODE_EXTRA_CA_CERTS instead. */
  smtpCa?: string;
  /** First backoff delay (tests shorten it). */
  baseDelayMs?: number;
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
 * A channel is requested as soon as one of its inputs is set. When the rest of its
 * configuration is missing it fails on its own, naming the input, like any other channel
 * failure: a half-configured email must not stop the Slack message (or fail the deploy).
 */
function missing(input: string, why: string): UserError {
  return new UserError(`Input '${input}' is empty: ${why}`);
}

/** The sender address: `email-from`, else the SMTP user when it is an address. */
function senderOf(inputs: NotifyInputs, smtpUser: string | undefined): string {
  if (inputs['email-from']) return inputs['email-from'];
  if (smtpUser?.includes('@')) return `deploy-actions <${smtpUser}>`;
  throw missing('email-from', 'the SMTP user is not an email address, so say who the mail is from');
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

async function timed(channel: ChannelName, fn: () => Promise<Omit<ChannelResult, 'channel' | 'durationMs'>>) {
  const started = Date.now();
  try {
    return { channel, ...(await fn()), durationMs: Date.now() - started };
  } catch (error) {
    const attempts = (error as { attempts?: number }).attempts ?? 1;
    const hint = isUserError(error) ? error.hint : undefined;
    if (!isUserError(error) && error instanceof Error && error.stack) log.debug(error.stack);
    const detail = isUserError(error) ? error.message : `unexpected error: ${errorMessage(error)}`;
    return { channel, outcome: 'failed' as const, detail, hint, attempts, durationMs: Date.now() - started };
  }
}

/**
 * Sends one deploy message to every configured channel, concurrently. Channels are
 * independent: a failure is recorded in its result and never stops the others.
 */
export async function notify(
  inputs: NotifyInputs,
  context: RunContext,
  env: NotifyEnvironment = {},
): Promise<NotifyResult> {
  for (const name of ['slack-webhook', 'teams-webhook', 'discord-webhook', 'webhook-url'] as const) {
    registerSecret(inputs[name]);
  }

  // One client per channel, each within its own time budget; a short best-effort one for the commit message.
  const token = inputs['github-token'];
  const github = (timeoutMs: number, attempts: number, deadline?: number) =>
    token && context.repository
      ? new GitHubClient({
          token,
          repository: context.repository,
          apiUrl: context.apiUrl,
          attempts,
          timeoutMs,
          baseDelayMs: env.baseDelayMs,
          deadline,
        })
      : undefined;
  const wantsGitHub =
    inputs['github-deployment'] || inputs['github-deployment-id'] !== undefined || inputs['pr-comment'] !== 'false';
  const fromEvent = commitMessageFromEvent(context);
  const lookup = wantsGitHub && context.sha ? github(Math.min(inputs.timeout, 10_000), 2) : undefined;
  const commitMessage = fromEvent ?? (lookup ? await fetchCommitMessage(lookup, context.sha) : undefined);

  const message = buildMessage(
    {
      status: inputs.status,
      title: inputs.title,
      app: inputs.app,
      environment: inputs.environment,
      version: inputs.version,
      imageRef: inputs['image-ref'],
      releaseVersion: inputs['release-version'],
      url: inputs.url,
      reason: inputs.reason,
      message: inputs.message,
      commitMessage,
      startedAt: env.startedAt,
    },
    context,
  );

  const delivery: DeliveryOptions = {
    retries: inputs.retries,
    timeoutMs: inputs.timeout,
    baseDelayMs: env.baseDelayMs,
  };
  const retrying = (channel: ChannelName): DeliveryOptions => ({
    ...delivery,
    onRetry: (reason, attempt, delayMs) =>
      log.info(`${channel}: attempt ${attempt} failed (${reason}); retrying in ${(delayMs / 1000).toFixed(1)}s`),
  });

  let deploymentId: number | undefined;
  let commentUrl: string | undefined;
  const tasks: Promise<ChannelResult>[] = [];

  // Chat webhooks: one JSON POST each, rendered for that service.
  const postChat = (channel: ChannelName, label: string, url: string | undefined, payload: () => unknown) => {
    if (!url) return;
    tasks.push(
      timed(channel, async () => {
        const r = await postJson(label, url, payload(), retrying(channel));
        const detail =
          channel === 'teams' && r.status === 202
            ? 'accepted (HTTP 202): the Teams workflow runs later, so delivery to the channel is not confirmed'
            : `posted (HTTP ${r.status})`;
        return { outcome: 'sent', detail, attempts: r.attempts };
      }),
    );
  };
  postChat('slack', 'Slack', inputs['slack-webhook'], () => renderSlack(message));
  postChat('teams', 'Teams', inputs['teams-webhook'], () => renderTeams(message));
  postChat('discord', 'Discord', inputs['discord-webhook'], () => renderDiscord(message));
  const webhookUrl = inputs['webhook-url'];
  if (webhookUrl || inputs['webhook-secret']) {
    tasks.push(
      timed('webhook', async () => {
        if (!webhookUrl) throw missing('webhook-url', "'webhook-secret' is set but there is no webhook to sign for");
        const r = await postJson('Webhook', webhookUrl, renderWebhook(message), retrying('webhook'), {
          secret: inputs['webhook-secret'],
          headers: webhookHeaders(),
        });
        const signed = inputs['webhook-secret'] ? ', signed' : '';
        return { outcome: 'sent', detail: `posted (HTTP ${r.status}${signed})`, attempts: r.attempts };
      }),
    );
  }
  if (inputs['smtp-url'] || inputs['email-to']?.length) {
    tasks.push(
      timed('email', async () => {
        if (!inputs['smtp-url']) throw missing('smtp-url', "'email-to' is set but no SMTP server is given");
        const to = inputs['email-to'] ?? [];
        if (to.length === 0) throw missing('email-to', "'smtp-url' is set but there is no recipient");
        const smtp = parseSmtpUrl(inputs['smtp-url']);
        const from = senderOf(inputs, smtp.user);
        const r = await sendEmail(
          smtp,
          { ...renderEmail(message), from, to },
          { ...retrying('email'), ca: env.smtpCa },
        );
        return {
          outcome: 'sent',
          detail: `sent to ${to.length} recipient(s) via ${smtp.host}:${smtp.port}`,
          attempts: r.attempts,
        };
      }),
    );
  }
  const noToken = () => missing('github-token', 'GitHub deployments and PR comments need a token');
  const deploymentClient = github(inputs.timeout, inputs.retries + 1, Date.now() + inputs.timeout);
  if (inputs['github-deployment'] || inputs['github-deployment-id'] !== undefined) {
    tasks.push(
      timed('github-deployment', async () => {
        if (!deploymentClient) throw noToken();
        const r = await recordDeployment(deploymentClient, message, {
          runId: context.runId,
          repoName: context.repo,
          deploymentId: inputs['github-deployment-id'],
        });
        deploymentId = r.deploymentId;
        return { outcome: r.skipped ? 'skipped' : 'sent', detail: r.detail, attempts: 1 };
      }),
    );
  }
  const commentClient = github(inputs.timeout, inputs.retries + 1, Date.now() + inputs.timeout);
  if (inputs['pr-comment'] !== 'false') {
    const pr = inputs['pr-comment'] === 'true' ? context.pullRequest : Number(inputs['pr-comment']);
    tasks.push(
      timed('pr-comment', async () => {
        if (!commentClient) throw noToken();
        if (pr === undefined) {
          return { outcome: 'skipped', detail: 'this run is not for a pull request: no comment to write', attempts: 0 };
        }
        const r = await upsertPrComment(commentClient, pr, message);
        commentUrl = r.url;
        return { outcome: 'sent', detail: `${r.created ? 'created' : 'updated'} the comment on #${pr}`, attempts: 1 };
      }),
    );
  }

  const results = await Promise.all(tasks);
  return {
    message,
    results,
    sent: results.filter((r) => r.outcome === 'sent').map((r) => r.channel),
    failed: results.filter((r) => r.outcome === 'failed').map((r) => r.channel),
    deploymentId,
    commentUrl,
  };
}
