import type { DeployMessage } from '../message';
import { postJson } from '../send/http';
import type { Channel, ChannelConfigs, SendContext } from './types';

/** A chat service reached by one JSON POST to a webhook URL, with the message rendered for it. */
export function chatChannel(
  name: 'slack' | 'teams' | 'discord',
  label: string,
  render: (message: DeployMessage) => unknown,
  describe: (status: number) => string = (status) => `posted (HTTP ${status})`,
): Channel<string> {
  return {
    name,
    wanted: (configs: ChannelConfigs) => configs[name]?.webhook || undefined,
    async send(message: DeployMessage, url: string, context: SendContext) {
      const r = await postJson(label, url, render(message), context.delivery);
      return { outcome: 'sent', detail: describe(r.status), attempts: r.attempts };
    },
  };
}
