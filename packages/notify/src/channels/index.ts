import { discord } from './discord';
import { email } from './email';
import { githubDeployment } from './github-deployment';
import { prComment } from './pr-comment';
import { slack } from './slack';
import { teams } from './teams';
import type { Channel } from './types';
import { webhook } from './webhook';

/** Every channel, in the order results are reported. */
export const CHANNELS: readonly Channel[] = [slack, teams, discord, webhook, email, githubDeployment, prComment];

export type { Channel, ChannelConfigs, ChannelName, SendContext, Sent } from './types';
