import { errorMessage, InputError, redact, registerSecret, retry, UserError } from '@deploy-actions/toolkit';
import type { RenderedEmail } from '../render/email';
import type { DeliveryOptions } from './http';

export interface SmtpTarget {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (port 465 or smtps://). */
  secure: boolean;
  /** Refuse to go on without STARTTLS (port 587): credentials never cross in clear. */
  requireTLS: boolean;
  user?: string;
  pass?: string;
}

/**
 * Reads `smtp://user:pass@host:port` or `smtps://...`. TLS follows the port: 465 (or smtps)
 * is implicit TLS, 587 requires STARTTLS, others upgrade when the server offers it.
 * The password is registered as a secret before anything can print it.
 */
export function parseSmtpUrl(raw: string, inputName = 'smtp-url'): SmtpTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError([
      {
        input: inputName,
        message: `Invalid input '${inputName}': expected smtp://user:password@host:port or smtps://...`,
      },
    ]);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new InputError([
      {
        input: inputName,
        message: `Invalid input '${inputName}': the scheme must be smtp:// or smtps://, got ${url.protocol}//`,
      },
    ]);
  }
  const pass = url.password ? decodeURIComponent(url.password) : undefined;
  registerSecret(pass);
  if (!url.hostname) {
    throw new InputError([{ input: inputName, message: `Invalid input '${inputName}': no host name` }]);
  }
  const port = url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587;
  const secure = url.protocol === 'smtps:' || port === 465;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    secure,
    requireTLS: !secure && port === 587,
    user: url.username ? decodeURIComponent(url.username) : undefined,
    pass,
  };
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  message?: string;
}

/** Transient SMTP answers (4xx) and dropped connections are worth another try; the rest are not. */
function isTransient(error: unknown): boolean {
  const e = error as SmtpError;
  if (/wrong version number|certificate|self[- ]signed|CERT_|SSL/i.test(e.message ?? '')) return false;
  if (e.responseCode !== undefined) return e.responseCode >= 400 && e.responseCode < 500;
  return ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'ECONNRESET', 'EDNS'].includes(e.code ?? '');
}

/** What to do about the classic SMTP mistakes, in one line. */
export function smtpHint(error: unknown, target: SmtpTarget): string | undefined {
  const e = error as SmtpError;
  const text = e.message ?? '';
  if (/wrong version number|packet length too long|unknown protocol/i.test(text)) {
    return target.secure
      ? `Port ${target.port} does not speak TLS from the first byte: use smtp:// with port 587 (STARTTLS), or smtps:// with port 465.`
      : `The server expects TLS from the first byte: use smtps:// (port 465).`;
  }
  if (/self[- ]signed|unable to verify|unable to get local issuer|CERT_/i.test(text + (e.code ?? ''))) {
    return 'The server certificate is not trusted: to trust a private CA or self-signed certificate, set NODE_EXTRA_CA_CERTS to its PEM file in the step env.';
  }
  if (e.code === 'EAUTH' || e.responseCode === 535) {
    return 'The SMTP server refused the login: check the user and password in smtp-url (Gmail and Office 365 need an app password).';
  }
  return undefined;
}

/** `Name <address>`, `"Name, with comma" <address>` or a bare address, as nodemailer's {name, address}. */
export function senderAddress(from: string): { name: string; address: string } {
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^<>]+)>\s*$/.exec(from);
  if (!m) return { name: '', address: from.trim() };
  return { name: (m[1] ?? m[2] ?? '').replace(/[\r\n]+/g, ' ').trim(), address: m[3].trim() };
}

export interface Mail extends RenderedEmail {
  from: string;
  to: string[];
}

/** Sends one multipart mail with bounded retries; `ca` trusts an extra certificate (tests, private relays). */
export async function sendEmail(
  target: SmtpTarget,
  mail: Mail,
  options: DeliveryOptions & { ca?: string },
): Promise<{ attempts: number; response: string }> {
  const nodemailer = (await import('nodemailer')).default;
  const deadline = Date.now() + options.timeoutMs;
  let attempts = 0;
  try {
    const response = await retry(
      async () => {
        attempts++;
        const remaining = Math.max(1, deadline - Date.now());
        const transport = nodemailer.createTransport({
          host: target.host,
          port: target.port,
          secure: target.secure,
          requireTLS: target.requireTLS,
          auth: target.user ? { user: target.user, pass: target.pass ?? '' } : undefined,
          connectionTimeout: remaining,
          greetingTimeout: remaining,
          socketTimeout: remaining,
          tls: options.ca ? { ca: options.ca } : undefined,
        });
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })),
              remaining,
            );
          });
          const info = await Promise.race([
            transport.sendMail({
              // As name and address: nodemailer quotes a name holding `:` or `,`, which a bare string would turn into a group.
              from: senderAddress(mail.from),
              // RFC 3834: machine-sent mail; auto-responders (out of office) do not answer it.
              headers: { 'Auto-Submitted': 'auto-generated' },
              to: mail.to,
              subject: mail.subject,
              text: mail.text,
              html: mail.html,
            }),
            timeout,
          ]);
          return String(info.response ?? '');
        } finally {
          clearTimeout(timer);
          transport.close();
        }
      },
      {
        attempts: options.retries + 1,
        baseDelayMs: options.baseDelayMs ?? 1000,
        maxDelayMs: 20_000,
        deadline,
        retryable: isTransient,
        onRetry: (error, attempt, delayMs) => options.onRetry?.(errorMessage(error), attempt, delayMs),
      },
    );
    return { attempts, response };
  } catch (error) {
    const e = error as SmtpError;
    const code = e.responseCode ? ` (SMTP ${e.responseCode})` : e.code ? ` (${e.code})` : '';
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    throw Object.assign(
      new UserError(redact(`Email via ${target.host}:${target.port} failed${tries}: ${errorMessage(error)}${code}`), {
        hint: smtpHint(error, target),
      }),
      { attempts },
    );
  }
}
