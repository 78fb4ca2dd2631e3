import { APP_NAME, DEFAULT_FLYCTL_VERSION, FLYCTL_VERSION_INPUT } from '@deploy-actions/fly/names';
import { TRACKING_SCHEMA, TRACKING_TABLE } from '@deploy-actions/migrate/names';
import { input } from '@deploy-actions/toolkit';

/** Mirrors pg-migrate/action.yml: the contract test keeps the two equal. */
export const inputs = {
  'database-url': input.url({ secret: true, protocols: ['postgres:', 'postgresql:'] }),
  'migrations-dir': input.string({ default: 'migrations' }),
  direction: input.enum(['up', 'down'] as const, { default: 'up' }),
  target: input.string({ pattern: /^\d+$/, expected: 'a version number (the leading digits of a migration)' }),
  steps: input.integer({ min: 1 }),
  'dry-run': input.boolean({ default: 'false' }),
  schema: input.string({ default: 'public', ...TRACKING_SCHEMA }),
  table: input.string({ default: 'schema_migrations', ...TRACKING_TABLE }),
  'lock-wait': input.duration({ default: '2m', maxMs: 6 * 3_600_000 }),
  'lock-timeout': input.duration({ default: '5s' }),
  'statement-timeout': input.duration({ default: '0' }),
  'lock-retries': input.integer({ default: '3', min: 0, max: 20 }),
  'allow-out-of-order': input.boolean({ default: 'false' }),
  'allow-drift': input.boolean({ default: 'false' }),
  'allow-pooler': input.boolean({ default: 'false' }),
  'app-version': input.string(),
  lint: input.enum(['off', 'warn', 'error'] as const, { default: 'warn' }),
  backup: input.string({ notFlag: true }),
  baseline: input.string({ pattern: /^\d+$/, expected: 'a version number (the leading digits of a migration)' }),
  'fly-postgres-app': input.string({ pattern: APP_NAME, expected: 'a Fly app name' }),
  command: input.string(),
  app: input.string({ pattern: APP_NAME, expected: 'a Fly app name' }),
  'fly-api-token': input.string({ secret: true }),
  'flyctl-version': input.string({ default: DEFAULT_FLYCTL_VERSION, ...FLYCTL_VERSION_INPUT }),
};

export const outputs = [
  'applied',
  'applied-count',
  'pending-count',
  'current-version',
  'previous-version',
  'plan-file',
  'backup-path',
  'lint-findings',
  'classes',
] as const;
