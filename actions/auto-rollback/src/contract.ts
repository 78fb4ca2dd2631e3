import { APP_NAME, DEFAULT_FLYCTL_VERSION, FLYCTL_VERSION_INPUT, IMAGE_REF } from '@deploy-actions/fly/names';
import { TRACKING_SCHEMA, TRACKING_TABLE } from '@deploy-actions/migrate/names';
import { input } from '@deploy-actions/toolkit';

/** A job runs for at most 6 hours: https://docs.github.com/en/actions/reference/limits */
const JOB_LIMIT_MS = 6 * 3_600_000;

/** Mirrors auto-rollback/action.yml: the contract test keeps the two equal. */
export const inputs = {
  app: input.string({ required: true, notFlag: true }),
  'failed-release-version': input.string({ pattern: /^v?\d+$/, expected: 'a release version such as 42 or v42' }),
  'failed-image-ref': input.string({ notFlag: true }),
  // `auto` and release numbers match IMAGE_REF too; a dry run refuses what the real run refuses.
  target: input.string({
    default: 'auto',
    notFlag: true,
    pattern: IMAGE_REF,
    expected: 'auto, a release version such as 42 or v42, or an image reference such as registry.fly.io/my-app:v1',
  }),
  'lkg-source': input.enum(['auto', 'github-deployments', 'fly-releases'] as const, { default: 'auto' }),
  environment: input.string({ default: 'production' }),
  'github-token': input.string({ runnerDefault: '${{ github.token }}', secret: true }),
  strategy: input.enum(['immediate', 'rolling', 'canary', 'bluegreen'] as const, { default: 'immediate' }),
  'wait-timeout': input.duration({ default: '5m', minMs: 1_000, maxMs: JOB_LIMIT_MS }),
  check: input.enum(['http', 'machines', 'both'] as const, { default: 'http' }),
  'health-url': input.list(),
  'checks-file': input.string(),
  secrets: input.nameValues({ secret: true }),
  'expected-version': input.string(),
  'version-from': input.enum(['none', 'image-label'] as const, { default: 'none' }),
  'version-field': input.string({ default: 'version', pattern: /^[$A-Za-z0-9_.[\]-]+$/ }),
  'version-header': input.string({ pattern: /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/ }),
  timeout: input.duration({ default: '3m', minMs: 1_000, maxMs: JOB_LIMIT_MS }),
  'rollback-migrations': input.boolean({ default: 'false' }),
  'database-url': input.string({ secret: true }),
  'migrations-dir': input.string({ default: 'migrations' }),
  'migrations-schema': input.string({ default: 'public', ...TRACKING_SCHEMA }),
  'migrations-table': input.string({ default: 'schema_migrations', ...TRACKING_TABLE }),
  'allow-pooler': input.boolean({ default: 'false' }),
  'fly-postgres-app': input.string({ pattern: APP_NAME, expected: 'a Fly app name' }),
  'migrate-to': input.string({ pattern: /^\d+$/, expected: 'a migration version (its leading digits)' }),
  'applied-migrations': input.string(),
  'rollback-past-contract': input.boolean({ default: 'false' }),
  'dry-run': input.boolean({ default: 'false' }),
  'fly-api-token': input.string({ secret: true }),
  'flyctl-version': input.string({ default: DEFAULT_FLYCTL_VERSION, ...FLYCTL_VERSION_INPUT }),
};

export const outputs = [
  'rolled-back',
  'from-image',
  'to-image',
  'to-release-version',
  'new-release-version',
  'verified',
  'reason',
  'refused',
] as const;
