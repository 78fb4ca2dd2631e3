import type { NotifyOptions, NotifyStatus } from '../src/index';

/** One notify step in a test: the message and the channels, flat like the action's inputs. */
export interface Spec {
  status?: NotifyStatus;
  app?: string;
  environment?: string;
  version?: string;
  imageRef?: string;
  imageDigest?: string;
  releaseVersion?: string;
  url?: string;
  reason?: string;
  title?: string;
  message?: string;
  slack?: string;
  teams?: string;
  discord?: string;
  webhook?: string;
  webhookSecret?: string;
  smtpUrl?: string;
  emailTo?: string[];
  emailFrom?: string;
  githubDeployment?: boolean;
  deploymentId?: number;
  prComment?: 'true' | 'false' | string;
  githubToken?: string;
  retries?: number;
  timeout?: number;
}

export function options(spec: Spec): NotifyOptions {
  const pr = spec.prComment ?? 'false';
  return {
    message: {
      status: spec.status ?? 'success',
      title: spec.title,
      app: spec.app,
      environment: spec.environment,
      version: spec.version,
      imageRef: spec.imageRef,
      imageDigest: spec.imageDigest,
      releaseVersion: spec.releaseVersion,
      url: spec.url,
      reason: spec.reason,
      extra: spec.message,
    },
    channels: {
      slack: { webhook: spec.slack },
      teams: { webhook: spec.teams },
      discord: { webhook: spec.discord },
      webhook: { url: spec.webhook, secret: spec.webhookSecret },
      email: { smtpUrl: spec.smtpUrl, to: spec.emailTo, from: spec.emailFrom },
      githubDeployment: { enabled: spec.githubDeployment, deploymentId: spec.deploymentId },
      prComment: { pr: pr === 'false' ? undefined : pr === 'true' ? 'current' : Number(pr) },
    },
    githubToken: spec.githubToken,
    retries: spec.retries ?? 3,
    timeoutMs: spec.timeout ?? 5_000,
  };
}
