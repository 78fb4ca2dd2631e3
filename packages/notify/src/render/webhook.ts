import * as z from 'zod';
import { type DeployMessage, STATUSES } from '../message';

const WEBHOOK_SCHEMA = 'deploy-actions/notify@1';

const text = z.string().nullable();

/**
 * The generic webhook body, version 1. Fields are only ever added within a version;
 * absent values are `null`. Text is raw (unescaped): receivers escape for their own output.
 */
export const webhookPayloadSchema = z.object({
  schema: z.literal(WEBHOOK_SCHEMA),
  status: z.enum(STATUSES),
  title: z.string(),
  app: text,
  environment: text,
  version: text,
  image_ref: text,
  release_version: text,
  url: text,
  reason: text,
  message: text,
  actor: text,
  repository: text,
  ref: text,
  commit: z.object({ sha: text, short_sha: text, title: text, url: text }),
  run: z.object({ id: text, attempt: text, url: text }),
  duration_ms: z.number().int().nonnegative().nullable(),
  rollback: z.boolean(),
  timestamp: z.string(),
});

export type WebhookPayload = z.infer<typeof webhookPayloadSchema>;

/** The JSON Schema published as packages/notify/webhook-schema.json (a test keeps the file in step). */
export function webhookJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(webhookPayloadSchema),
    $id: 'urn:deploy-actions:notify:1',
    title: `Generic webhook body of the notify action (${WEBHOOK_SCHEMA})`,
  };
}

export function renderWebhook(m: DeployMessage): WebhookPayload {
  const v = (value: string | undefined) => value ?? null;
  return {
    schema: WEBHOOK_SCHEMA,
    status: m.status,
    title: m.title,
    app: v(m.app),
    environment: v(m.environment),
    version: v(m.version),
    image_ref: v(m.imageRef),
    release_version: v(m.releaseVersion),
    url: v(m.url),
    reason: v(m.reason),
    message: v(m.extra),
    actor: v(m.actor),
    repository: v(m.repository),
    ref: v(m.ref),
    commit: { sha: v(m.sha), short_sha: v(m.sha?.slice(0, 7)), title: v(m.commitTitle), url: v(m.commitUrl) },
    run: { id: v(m.runId), attempt: v(m.runAttempt), url: v(m.runUrl) },
    duration_ms: m.durationMs ?? null,
    rollback: m.status === 'rolled-back',
    timestamp: m.timestamp,
  };
}
