import type { GitHubClient } from '@deploy-actions/github';
import type { RunContext } from '@deploy-actions/toolkit';
import type { DeployMessage } from '../message';
import type { DeliveryOptions } from '../send/http';

export const CHANNEL_NAMES = [
  'slack',
  'teams',
  'discord',
  'webhook',
  'email',
  'github-deployment',
  'pr-comment',
] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/** Every channel's configuration, as the step gives it; a channel is wanted as soon as one of its values is set. */
export interface ChannelConfigs {
  slack?: { webhook?: string };
  teams?: { webhook?: string };
  discord?: { webhook?: string };
  webhook?: { url?: string; secret?: string };
  email?: { smtpUrl?: string; to?: string[]; from?: string };
  /** Record the run as a GitHub deployment, or add the status to `deploymentId`. */
  githubDeployment?: { enabled?: boolean; deploymentId?: number };
  /** `current`: the run's pull request; a number: that pull request. */
  prComment?: { pr?: 'current' | number };
}

/** What every channel may use while sending. */
export interface SendContext {
  run: RunContext;
  /** Retries and time budget of this channel; retries are logged under its name. */
  delivery: DeliveryOptions;
  /** A GitHub client within this channel's budget, or undefined without a token. */
  github(): GitHubClient | undefined;
  /** Extra trusted CA certificate for SMTP (tests); users set NODE_EXTRA_CA_CERTS instead. */
  smtpCa?: string;
}

export interface Sent {
  outcome: 'sent' | 'skipped';
  detail: string;
  attempts: number;
  deploymentId?: number;
  commentUrl?: string;
}

/**
 * One way of telling people about a deploy. `wanted` picks this channel's configuration out of
 * the step's (undefined when the step does not ask for it); `send` delivers the message or throws
 * a UserError saying why not. A new channel is one file here plus its entry in CHANNELS.
 */
export interface Channel<Config = unknown> {
  readonly name: ChannelName;
  wanted(configs: ChannelConfigs): Config | undefined;
  send(message: DeployMessage, config: Config, context: SendContext): Promise<Sent>;
}
