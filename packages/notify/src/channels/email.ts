import { renderEmail } from '../render/email';
import { parseSmtpUrl, sendEmail } from '../send/email';
import { missingInput } from './missing';
import type { Channel } from './types';

interface EmailConfig {
  smtpUrl?: string;
  to?: string[];
  from?: string;
}

/** The sender address: `from`, else the SMTP user when it is an address. */
function senderOf(from: string | undefined, smtpUser: string | undefined): string {
  if (from) return from;
  if (smtpUser?.includes('@')) return `deploy-actions <${smtpUser}>`;
  throw missingInput('email-from', 'the SMTP user is not an email address, so say who the mail is from');
}

/** A multipart mail through the team's SMTP server. */
export const email: Channel<EmailConfig> = {
  name: 'email',
  wanted: (configs) => (configs.email?.smtpUrl || configs.email?.to?.length ? configs.email : undefined),
  async send(message, config, context) {
    if (!config.smtpUrl) throw missingInput('smtp-url', "'email-to' is set but no SMTP server is given");
    const to = config.to ?? [];
    if (to.length === 0) throw missingInput('email-to', "'smtp-url' is set but there is no recipient");
    const smtp = parseSmtpUrl(config.smtpUrl);
    const from = senderOf(config.from, smtp.user);
    const r = await sendEmail(smtp, { ...renderEmail(message), from, to }, { ...context.delivery, ca: context.smtpCa });
    return {
      outcome: 'sent',
      detail: `sent to ${to.length} recipient(s) via ${smtp.host}:${smtp.port}`,
      attempts: r.attempts,
    };
  },
};
