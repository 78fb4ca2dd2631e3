import { renderSlack } from '../render/slack';
import { chatChannel } from './chat';

export const slack = chatChannel('slack', 'Slack', renderSlack);
