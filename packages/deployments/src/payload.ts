import { UserError } from '@deploy-actions/toolkit';
import * as z from 'zod';

/** Marks payloads written by this suite; bumped only on an incompatible change. */
export const RECORD_SCHEMA = 'deploy-actions/deployment@1';

/**
 * A migration the release applied, with its compatibility class (pg-migrate's `classes` output):
 * auto-rollback reads these to decide whether the image of an older release may come back.
 */
export const migrationRecordSchema = z.object({
  version: z.string().regex(/^\d+$/),
  name: z.string(),
  class: z.enum(['expand', 'contract', 'breaking', 'data']),
  classes: z.array(z.enum(['expand', 'contract', 'breaking', 'data'])).default([]),
  /** `code@line` reasons, e.g. `drop-column@3`. */
  reasons: z.array(z.string()).default([]),
  /** A down migration exists for it. */
  down: z.boolean(),
  /** The reason given by an override comment, when its author set the class. */
  override: z.string().optional(),
});

export type MigrationRecord = z.infer<typeof migrationRecordSchema>;

/**
 * Reads a JSON list of migration records (an action input): a clear error naming `input` when
 * it is not one. Empty text is no migrations.
 */
export function parseMigrationRecords(text: string | undefined, input: string): MigrationRecord[] {
  if (!text?.trim()) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UserError(`Input '${input}' is not JSON: expected pg-migrate's \`classes\` output (a JSON list)`);
  }
  const parsed = z.array(migrationRecordSchema).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `Input '${input}' is not a list of migration classes (at ${issue.path.join('.') || 'top'}: ${issue.message}); expected pg-migrate's \`classes\` output`,
    );
  }
  return parsed.data;
}

/**
 * What a GitHub deployment's `payload` records about the release it deployed: the one
 * definition shared by notify (writes it) and auto-rollback (reads it as last known good).
 */
export const deploymentPayloadSchema = z.object({
  schema: z.literal(RECORD_SCHEMA),
  /** Fly app name. */
  app: z.string().min(1),
  /** The image that runs, e.g. registry.fly.io/shop@sha256:...; what a rollback redeploys. */
  image_ref: z.string().min(1),
  /** Fly release version (`v42` shows as `42`), when known. */
  release_version: z.string().min(1).optional(),
  /** The commit that was deployed. */
  sha: z.string().regex(/^[0-9a-f]{7,40}$/),
  /** A person-facing version label (tag, semver), when given. */
  version: z.string().min(1).optional(),
  /** True when this deployment put an earlier release back (never roll back to a rollback blindly). */
  rollback: z.boolean(),
  /** The workflow run that deployed it. */
  run_id: z.string().optional(),
  /** The repository (`owner/name`) whose workflow wrote the record; a rollback trusts only its own. */
  repository: z.string().optional(),
  /** The image's content digest when known (`sha256:<64 hex>`): what the image was when it was verified. */
  image_digest: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/)
    .optional(),
  /** Migrations the release applied, with their compatibility classes. */
  migrations: z.array(migrationRecordSchema).optional(),
});

export type DeploymentPayload = z.infer<typeof deploymentPayloadSchema>;

/** A record being written: the image may be unknown yet (a deployment created when a deploy starts). */
export type DeploymentPayloadDraft = Omit<DeploymentPayload, 'schema' | 'image_ref' | 'rollback'> & {
  image_ref?: string;
  rollback?: boolean;
};

/** The payload to store for a draft; fields without a value are left out. */
export function toPayload(draft: DeploymentPayloadDraft): Record<string, unknown> {
  const payload: Record<string, unknown> = { schema: RECORD_SCHEMA, ...draft, rollback: draft.rollback ?? false };
  for (const key of Object.keys(payload)) if (payload[key] === undefined || payload[key] === '') delete payload[key];
  if (Array.isArray(payload.migrations) && payload.migrations.length === 0) delete payload.migrations;
  return payload;
}

/** A payload as an object: GitHub returns it as sent, which may be a JSON string. */
export function payloadObject(payload: unknown): Record<string, unknown> {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return {};
    }
  }
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/**
 * The record in a deployment payload, or undefined when the payload is not a complete
 * record of ours (another tool's deployment, or one whose image was never recorded).
 * GitHub returns the payload as sent: an object, or a JSON string.
 */
export function parseDeploymentPayload(payload: unknown): DeploymentPayload | undefined {
  const parsed = deploymentPayloadSchema.safeParse(payloadObject(payload));
  return parsed.success ? parsed.data : undefined;
}
