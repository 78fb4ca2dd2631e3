import { createHmac, randomUUID } from 'node:crypto';
import { requestWithRetry } from '@deploy-actions/toolkit';

export interface DeliveryOptions {
  /** Retries after the first attempt. */
  retries: number;
  /** Budget for the channel, retries included. */
  timeoutMs: number;
  baseDelayMs?: number;
  onRetry?: (reason: string, attempt: number, delayMs: number) => void;
}

export interface Delivery {
  status: number;
  attempts: number;
  body: string;
}

/**
 * `sha256=<hex>` HMAC-SHA256 of `<delivery id>.<timestamp>.<body>`, as sent in X-Deploy-Signature.
 * The delivery id and the timestamp are signed with the body (as Standard Webhooks does), so a
 * receiver can refuse old deliveries (5 minutes) and replays (a delivery id seen before).
 */
export function signBody(body: string, secret: string, delivery: string, timestamp: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${delivery}.${timestamp}.${body}`, 'utf8').digest('hex')}`;
}

/** Discord puts its wait in the JSON body (`retry_after`, seconds) as well as the header. */
function retryAfterFromBody(_status: number, _headers: Headers, text: string): number | undefined {
  try {
    const seconds = (JSON.parse(text) as { retry_after?: unknown }).retry_after;
    return typeof seconds === 'number' && seconds >= 0 ? Math.ceil(seconds * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * POSTs a JSON payload to a chat or webhook URL. The URL is a credential: it never
 * appears in messages (they name the service instead).
 */
export async function postJson(
  label: string,
  url: string,
  payload: unknown,
  options: DeliveryOptions,
  extra: { secret?: string; headers?: Record<string, string> } = {},
): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'deploy-actions-notify',
    ...extra.headers,
  };
  if (extra.secret) {
    headers['x-deploy-timestamp'] = String(Math.floor(Date.now() / 1000));
    headers['x-deploy-delivery'] ??= randomUUID();
    headers['x-deploy-signature'] = signBody(
      body,
      extra.secret,
      headers['x-deploy-delivery'],
      headers['x-deploy-timestamp'],
    );
  }
  const result = await requestWithRetry(url, {
    label,
    method: 'POST',
    headers,
    body,
    attempts: options.retries + 1,
    timeoutMs: options.timeoutMs,
    baseDelayMs: options.baseDelayMs,
    requestedDelayMs: retryAfterFromBody,
    onRetry: options.onRetry,
  });
  return { status: result.status, attempts: result.attempts, body: result.text };
}

/** Headers of the generic webhook: what it is and a delivery id receivers can deduplicate on. */
export function webhookHeaders(): Record<string, string> {
  return { 'x-deploy-event': 'notify', 'x-deploy-delivery': randomUUID() };
}
