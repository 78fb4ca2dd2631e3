import { renderWebhook } from '../render/webhook';
import { postJson, webhookHeaders } from '../send/http';
import { missingInput } from './missing';
import type { Channel } from './types';

interface WebhookConfig {
  url?: string;
  secret?: string;
}

/** The generic webhook: the versioned JSON body, signed when a secret is set. */
export const webhook: Channel<WebhookConfig> = {
  name: 'webhook',
  wanted: (configs) => (configs.webhook?.url || configs.webhook?.secret ? configs.webhook : undefined),
  async send(message, config, context) {
    if (!config.url) throw missingInput('webhook-url', "'webhook-secret' is set but there is no webhook to sign for");
    const r = await postJson('Webhook', config.url, renderWebhook(message), context.delivery, {
      secret: config.secret,
      headers: webhookHeaders(),
    });
    const signed = config.secret ? ', signed' : '';
    return { outcome: 'sent', detail: `posted (HTTP ${r.status}${signed})`, attempts: r.attempts };
  },
};
