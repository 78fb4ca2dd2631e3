import type { MigrationRecord } from '@deploy-actions/deployments';
import { formatDuration, type RunContext } from '@deploy-actions/toolkit';
import { oneLine } from './escape';

export const STATUSES = ['started', 'success', 'failure', 'cancelled', 'rolled-back', 'skipped', 'destroyed'] as const;
export type NotifyStatus = (typeof STATUSES)[number];

/**
 * One deploy event, described once and rendered per channel. Every string here may be
 * user-controlled (commit messages, branch names, reasons): renderers escape them.
 */
export interface DeployMessage {
  status: NotifyStatus;
  title: string;
  app?: string;
  environment?: string;
  version?: string;
  imageRef?: string;
  /** The image's content digest (`sha256:…`), when the deploy step reported one. */
  imageDigest?: string;
  releaseVersion?: string;
  /** The environment URL. */
  url?: string;
  reason?: string;
  /** Extra Markdown from the workflow author. */
  extra?: string;
  /** Migrations the release applied, with their classes (recorded in the GitHub deployment). */
  migrations?: MigrationRecord[];
  actor?: string;
  repository?: string;
  /** Branch or tag name. */
  ref?: string;
  sha?: string;
  commitTitle?: string;
  commitUrl?: string;
  runUrl?: string;
  runId?: string;
  runAttempt?: string;
  durationMs?: number;
  /** ISO time the message was built. */
  timestamp: string;
}

interface StatusStyle {
  emoji: string;
  /** Verb phrase for titles: "Deployed", "Deploy failed for". */
  headline: string;
  /** Hex colour without `#`. */
  color: string;
  /** Adaptive Card text colour. */
  teamsColor: 'Good' | 'Attention' | 'Warning' | 'Accent' | 'Default';
}

export const STATUS_STYLE: Record<NotifyStatus, StatusStyle> = {
  started: { emoji: '🚀', headline: 'Deploying', color: '1f6feb', teamsColor: 'Accent' },
  success: { emoji: '✅', headline: 'Deployed', color: '2da44e', teamsColor: 'Good' },
  failure: { emoji: '❌', headline: 'Deploy failed for', color: 'cf222e', teamsColor: 'Attention' },
  cancelled: { emoji: '⚪', headline: 'Deploy cancelled for', color: '6e7781', teamsColor: 'Default' },
  'rolled-back': { emoji: '↩️', headline: 'Rolled back', color: 'bf8700', teamsColor: 'Warning' },
  skipped: { emoji: '⏭️', headline: 'Deploy skipped for', color: '6e7781', teamsColor: 'Default' },
  // The environment is gone (a closed pull request's preview app).
  destroyed: { emoji: '🗑️', headline: 'Destroyed', color: '6e7781', teamsColor: 'Default' },
};

/**
 * What a step says about a deploy: the parts of a DeployMessage that do not come from the
 * run itself. Absent values are unknown; the title defaults from status, app and environment.
 */
export type MessageFields = Pick<DeployMessage, 'status'> &
  Partial<
    Pick<
      DeployMessage,
      | 'title'
      | 'app'
      | 'environment'
      | 'version'
      | 'imageRef'
      | 'imageDigest'
      | 'releaseVersion'
      | 'url'
      | 'reason'
      | 'extra'
      | 'migrations'
    >
  > & {
    /** The first line is used when the run context has no message for the commit. */
    commitMessage?: string;
    /** When the deploy started (ms since epoch), for the duration. */
    startedAt?: number;
    now?: number;
  };

/** The commit message the event carries for `sha` (push events), if any. */
export function commitMessageFromEvent(context: RunContext): string | undefined {
  const event = context.event;
  const head = event.head_commit as { id?: string; message?: string } | undefined;
  if (head?.message && (!head.id || head.id === context.sha)) return head.message;
  const commits = Array.isArray(event.commits) ? (event.commits as { id?: string; message?: string }[]) : [];
  return commits.find((c) => c.id === context.sha)?.message;
}

/** The branch being deployed: the PR's head branch for pull requests, else the ref name. */
function branchOf(context: RunContext): string | undefined {
  const head = (context.event.pull_request as { head?: { ref?: string } } | undefined)?.head?.ref;
  return head || context.refName || undefined;
}

function defaultTitle(status: NotifyStatus, app: string | undefined, environment: string | undefined): string {
  const what = app ?? 'the app';
  const where = environment
    ? ` ${status === 'rolled-back' || status === 'destroyed' ? 'in' : 'to'} ${environment}`
    : '';
  return `${STATUS_STYLE[status].headline} ${what}${where}`;
}

export function buildMessage(input: MessageFields, context: RunContext): DeployMessage {
  const now = input.now ?? Date.now();
  const commitMessage = input.commitMessage ?? commitMessageFromEvent(context);
  const sha = context.sha || undefined;
  return {
    status: input.status,
    title: oneLine(
      input.title ?? defaultTitle(input.status, input.app ?? (context.repo || undefined), input.environment),
    ),
    app: input.app,
    environment: input.environment,
    version: input.version,
    imageRef: input.imageRef,
    imageDigest: input.imageDigest,
    releaseVersion: input.releaseVersion,
    url: input.url,
    reason: input.reason,
    extra: input.extra,
    migrations: input.migrations,
    actor: context.actor || undefined,
    repository: context.repository || undefined,
    ref: branchOf(context),
    sha,
    commitTitle: commitMessage ? oneLine(commitMessage.split(/\r?\n/)[0]) || undefined : undefined,
    commitUrl: sha && context.repository ? `${context.serverUrl}/${context.repository}/commit/${sha}` : undefined,
    runUrl: context.runUrl || undefined,
    runId: context.runId || undefined,
    runAttempt: context.runAttempt || undefined,
    durationMs: input.startedAt !== undefined && input.startedAt <= now ? now - input.startedAt : undefined,
    timestamp: new Date(now).toISOString(),
  };
}

/** A labelled value shown by every renderer, in this order; `code` values render monospaced. */
export interface Fact {
  label: string;
  value: string;
  code?: boolean;
  url?: string;
}

export function facts(m: DeployMessage): Fact[] {
  const list: (Fact | undefined)[] = [
    { label: 'Status', value: m.status },
    m.app ? { label: 'App', value: m.app } : undefined,
    m.environment ? { label: 'Environment', value: m.environment, url: m.url } : undefined,
    m.version ? { label: 'Version', value: m.version } : undefined,
    m.releaseVersion ? { label: 'Release', value: m.releaseVersion } : undefined,
    m.imageRef ? { label: 'Image', value: m.imageRef, code: true } : undefined,
    m.ref ? { label: 'Branch', value: m.ref } : undefined,
    m.sha ? { label: 'Commit', value: m.sha.slice(0, 7), code: true, url: m.commitUrl } : undefined,
    m.actor ? { label: 'Actor', value: m.actor } : undefined,
    m.durationMs !== undefined ? { label: 'Duration', value: formatDuration(m.durationMs) } : undefined,
  ];
  return list.filter((f): f is Fact => f !== undefined);
}

/** What a rollback put back, in words (for the rolled-back status). */
export function rollbackLine(m: DeployMessage): string | undefined {
  if (m.status !== 'rolled-back') return undefined;
  const to = [m.version, m.releaseVersion ? `release ${m.releaseVersion}` : undefined, m.imageRef]
    .filter(Boolean)
    .join(', ');
  return to ? `Rolled back to ${to}` : 'Rolled back to the last known good release';
}
