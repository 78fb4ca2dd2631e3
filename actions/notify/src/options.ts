import { parseMigrationRecords } from '@deploy-actions/deployments';
import type { NotifyOptions } from '@deploy-actions/notify';
import type { ParsedInputs } from '@deploy-actions/toolkit';
import type { inputs } from './contract';

/** The action's hyphenated inputs as the notify package's message and per-channel configuration. */
export function notifyOptions(
  i: ParsedInputs<typeof inputs> & { status: NonNullable<ParsedInputs<typeof inputs>['status']> },
): NotifyOptions {
  const pr = i['pr-comment'];
  return {
    message: {
      status: i.status,
      title: i.title,
      app: i.app,
      environment: i.environment,
      version: i.version,
      imageRef: i['image-ref'],
      imageDigest: i['image-digest'],
      releaseVersion: i['release-version'],
      url: i.url,
      reason: i.reason,
      extra: i.message,
      migrations: parseMigrationRecords(i.migrations, 'migrations'),
    },
    channels: {
      slack: { webhook: i['slack-webhook'] },
      teams: { webhook: i['teams-webhook'] },
      discord: { webhook: i['discord-webhook'] },
      webhook: { url: i['webhook-url'], secret: i['webhook-secret'] },
      email: { smtpUrl: i['smtp-url'], to: i['email-to'], from: i['email-from'] },
      githubDeployment: { enabled: i['github-deployment'], deploymentId: i['github-deployment-id'] },
      prComment: { pr: pr === 'false' ? undefined : pr === 'true' ? 'current' : Number(pr) },
    },
    githubToken: i['github-token'],
    retries: i.retries,
    timeoutMs: i.timeout,
  };
}
