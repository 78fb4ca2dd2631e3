/**
 * The Octokit behind GitHubClient, loaded only when a step calls GitHub (it is most of the
 * client's weight). @actions/github brings the runner's proxy settings; the throttling plugin
 * keeps to GitHub's primary and secondary rate limits and paces writes (one a second: "wait at
 * least one second between each request" for mutations, docs.github.com/en/rest/using-the-rest-api/
 * best-practices-for-using-the-rest-api#pause-between-mutative-requests); the retry plugin
 * retries 5xx and network failures of the requests the caller marks as safe to repeat.
 */
import { getOctokit } from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import Bottleneck from 'bottleneck/light.js';

export type Octokit = ReturnType<typeof getOctokit>;

export interface OctokitSettings {
  token: string;
  baseUrl: string;
  /** First retry delay of the retry plugin (it waits n² × this before retry n). */
  baseDelayMs: number;
  /** Retries of a request that failed with a 5xx or a network error. */
  retries: number;
  /** Decides whether a rate-limited request waits `retryAfterS` seconds and tries again. */
  shouldWait: (retryAfterS: number, retryCount: number) => boolean;
  /** Time between two writes; the throttling plugin's own (1 s) when undefined. */
  writeIntervalMs?: number;
  debug: (message: string) => void;
}

/** Write limiters by interval, shared by every client of the process: GitHub counts writes per token. */
const writeGroups = new Map<number, Bottleneck.Group>();

function writeGroup(intervalMs: number): Bottleneck.Group {
  let group = writeGroups.get(intervalMs);
  if (!group) {
    group = new Bottleneck.Group({ id: `deploy-actions-write-${intervalMs}`, maxConcurrent: 1, minTime: intervalMs });
    writeGroups.set(intervalMs, group);
  }
  return group;
}

export function createOctokit(settings: OctokitSettings): Octokit {
  const octokit = getOctokit(
    settings.token,
    {
      baseUrl: settings.baseUrl,
      userAgent: 'deploy-actions',
      log: { debug: settings.debug, info: settings.debug, warn: settings.debug, error: settings.debug },
      retry: { retryAfterBaseValue: settings.baseDelayMs, retries: settings.retries },
      throttle: {
        onRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
          settings.shouldWait(retryAfter, retryCount),
        onSecondaryRateLimit: (retryAfter: number, _options: unknown, _octokit: unknown, retryCount: number) =>
          settings.shouldWait(retryAfter, retryCount),
        ...(settings.writeIntervalMs === undefined ? {} : { write: writeGroup(settings.writeIntervalMs) }),
      },
    },
    throttling,
    retry,
  );
  // The REST API version every request is written against (docs.github.com/en/rest/about-the-rest-api/api-versions).
  octokit.hook.before('request', (options) => {
    options.headers['x-github-api-version'] = '2022-11-28';
    options.headers.accept = 'application/vnd.github+json';
  });
  return octokit;
}
