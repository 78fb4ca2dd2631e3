/**
 * The preview janitor: finds this repository's preview apps and databases whose pull request is
 * closed (a close event that was missed, or a close job that failed) or that nothing deployed to
 * within the TTL, and removes them as a close would. Only names this repository's previews have
 * are ever candidates: an app is one only when it is exactly `previewAppName(n, repository)`, a
 * database only when its comment names `repository#n` (outsider-chosen names never match).
 * A removed preview's GitHub deployments (environment `pr-<n>`, as preview.yml names it) are
 * marked inactive, as the close job does, so GitHub shows the environment as destroyed.
 */
import { deactivateEnvironment } from '@deploy-actions/deployments';
import { destroyApp, type Fly, listApps, listReleases } from '@deploy-actions/fly';
import type { GitHubClient } from '@deploy-actions/github';
import { escapeMarkdown, formatDuration, log, Summary } from '@deploy-actions/toolkit';
import { isPreviewApp, previewAppName } from './preview';
import { closePreviewDatabase, withServer } from './preview-db';
import { listPreviewDatabases, ownerOf, previewDatabaseName } from './preview-sql';

export interface JanitorRequest {
  repository: string;
  org?: string;
  /** Remove previews nothing deployed to for this long, whatever their pull request's state. */
  ttlMs: number;
  dryRun: boolean;
  serverUrl?: string;
  postgresApp?: string;
  now?: Date;
}

export interface JanitorItem {
  pr: number;
  app?: string;
  database?: string;
  why: string;
  /** What was done: removed, or would be removed (dry run), or the error that stopped it. */
  result: 'removed' | 'would remove' | 'failed';
  error?: string;
  /** GitHub deployments of the preview's environment set to inactive. */
  deployments?: number;
}

/** The GitHub environment preview.yml deploys pull request `pr` to. */
export const previewEnvironment = (pr: number) => `pr-${pr}`;

export interface JanitorReport {
  /** Previews looked at (apps and databases of this repository). */
  seen: number;
  items: JanitorItem[];
}

interface Candidate {
  pr: number;
  app?: string;
  database?: string;
  /** Newest sign of life: the last release, else the database's creation. */
  lastActive?: Date;
}

/** `pr-<n>-...` apps of `repository` and its marked databases, by pull request. */
async function findPreviews(fly: Fly, request: JanitorRequest): Promise<Map<number, Candidate>> {
  const found = new Map<number, Candidate>();
  const entry = (pr: number) => found.get(pr) ?? (found.set(pr, { pr }).get(pr) as Candidate);
  for (const app of await listApps(fly, request.org, { timeoutMs: 120_000 })) {
    const m = /^pr-(\d+)-/.exec(app.Name);
    if (!m || !isPreviewApp(app.Name, Number(m[1]), request.repository)) continue;
    const candidate = entry(Number(m[1]));
    candidate.app = app.Name;
    const releases = await listReleases(fly, app.Name, { timeoutMs: 120_000 }).catch(() => []);
    const newest = releases.map((r) => Date.parse(r.createdAt ?? '')).filter((t) => !Number.isNaN(t));
    if (newest.length) candidate.lastActive = new Date(Math.max(...newest));
  }
  if (request.serverUrl) {
    const prefix = ownerOf(request.repository, 0).replace(/0$/, '');
    const databases = await withServer(fly, request.serverUrl, request.postgresApp, listPreviewDatabases);
    for (const db of databases) {
      if (!db.owner.startsWith(prefix)) continue;
      const pr = Number(db.owner.slice(prefix.length));
      // The database of that pull request's preview app, by name too: a comment alone chooses nothing.
      if (db.name !== previewDatabaseName(previewAppName(pr, request.repository))) continue;
      const candidate = entry(pr);
      candidate.database = db.name;
      candidate.lastActive ??= db.created;
    }
  }
  return found;
}

/**
 * The pull request's state: `closed`, `open`, or `missing` (the API answered 404: pull requests
 * are not deleted, so this is a token that cannot read them; such a preview is kept unless the TTL
 * removes it, never removed on a guess).
 */
async function pullState(github: GitHubClient, pr: number): Promise<'open' | 'closed' | 'missing'> {
  try {
    const pull = await github.request<{ state: string }>('GET', `/pulls/${pr}`);
    return pull.state === 'open' ? 'open' : 'closed';
  } catch (error) {
    if ((error as { status?: number }).status === 404) return 'missing';
    throw error;
  }
}

/** Looks at every preview of the repository and removes (or lists, in a dry run) the ones to go. */
export async function runJanitor(fly: Fly, github: GitHubClient, request: JanitorRequest): Promise<JanitorReport> {
  const now = request.now ?? new Date();
  const previews = [...(await findPreviews(fly, request)).values()].sort((a, b) => a.pr - b.pr);
  const items: JanitorItem[] = [];
  for (const preview of previews) {
    const state = await pullState(github, preview.pr);
    const idle = preview.lastActive ? now.getTime() - preview.lastActive.getTime() : 0;
    let why: string | undefined;
    if (state === 'closed') why = 'pull request closed';
    else if (idle > request.ttlMs)
      why = `nothing deployed for ${formatDuration(idle)} (TTL ${formatDuration(request.ttlMs)})`;
    if (!why) {
      if (state === 'missing') log.warning(`Pull request #${preview.pr} could not be read (404): its preview is kept`);
      continue;
    }
    const item: JanitorItem = {
      pr: preview.pr,
      app: preview.app,
      database: preview.database,
      why,
      result: 'would remove',
    };
    items.push(item);
    if (request.dryRun) continue;
    try {
      const app = preview.app ?? previewAppName(preview.pr, request.repository);
      await destroyApp(fly, app, { timeoutMs: 300_000 });
      if (request.serverUrl) {
        await closePreviewDatabase(fly, {
          app,
          repository: request.repository,
          pr: preview.pr,
          serverUrl: request.serverUrl,
          postgresApp: request.postgresApp,
        });
      }
      log.info(`Removed the preview of #${preview.pr} (${why})`);
      // After the removal: the app and database cost money, a live-looking deployment does not.
      // Once gone, a later run no longer finds this preview, so a failure here fails the item.
      const environment = previewEnvironment(preview.pr);
      const { marked, left, stopped } = await deactivateEnvironment(github, environment, {
        description: `Preview removed by the janitor: ${why}`,
      }).catch((error: Error) => {
        throw new Error(
          `app and database removed; GitHub deployments of ${environment} not marked inactive: ${error.message}`,
        );
      });
      item.deployments = marked.length;
      if (left.length) {
        throw new Error(
          `app and database removed; ${left.length} GitHub deployment(s) of ${environment} left live: ${stopped}`,
        );
      }
      item.result = 'removed';
    } catch (error) {
      item.result = 'failed';
      item.error = (error as Error).message;
      log.warning(`Could not remove the preview of #${preview.pr}: ${item.error}`);
    }
  }
  return { seen: previews.length, items };
}

export function janitorSummary(report: JanitorReport, dryRun: boolean): Summary {
  const count = (result: JanitorItem['result']) => report.items.filter((i) => i.result === result).length;
  const failed = count('failed');
  const summary = new Summary().heading(
    dryRun
      ? `Preview janitor (dry run): ${report.items.length} of ${report.seen} previews would be removed`
      : `Preview janitor: ${count('removed')} of ${report.seen} previews removed${failed ? `, ${failed} failed` : ''}`,
  );
  if (report.items.length === 0) return summary.text('Every preview belongs to an open pull request within the TTL.');
  return summary.table(
    ['Pull request', 'App', 'Database', 'Why', 'Result', 'GitHub deployments'],
    report.items.map((i) => [
      `#${i.pr}`,
      i.app ?? '-',
      i.database ?? '-',
      i.why,
      i.error ? `${i.result}: ${escapeMarkdown(i.error)}` : i.result,
      i.deployments === undefined ? '-' : `${i.deployments} set to inactive`,
    ]),
  );
}
