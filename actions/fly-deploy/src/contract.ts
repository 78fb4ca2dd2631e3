import {
  APP_NAME,
  DEFAULT_FLYCTL_VERSION,
  FLYCTL_VERSION_INPUT,
  IMAGE_LABEL,
  IMAGE_REF,
  ORG_SLUG,
  REGION,
  STRATEGIES,
} from '@deploy-actions/fly/names';
import { input } from '@deploy-actions/toolkit';

/** Mirrors fly-deploy/action.yml: the contract test keeps the two equal. */
export const inputs = {
  app: input.string({ pattern: APP_NAME, expected: 'a Fly app name (lower-case letters, digits, dashes)' }),
  config: input.string({ default: 'fly.toml', notFlag: true }),
  'working-directory': input.string({ notFlag: true }),
  image: input.string({ pattern: IMAGE_REF, expected: 'an image reference such as registry.fly.io/my-app:v1' }),
  'image-label': input.string({ pattern: IMAGE_LABEL, expected: 'a Docker tag (letters, digits, _ . -)' }),
  strategy: input.enum(STRATEGIES),
  'build-args': input.nameValues(),
  'build-secrets': input.nameValues({ secret: true }),
  env: input.nameValues(),
  regions: input.list({ item: REGION, itemExpected: 'region codes such as iad' }),
  ha: input.boolean(),
  'wait-timeout': input.duration({ default: '5m', minMs: 1_000, maxMs: 6 * 3_600_000 }),
  'remote-only': input.boolean({ default: 'true' }),
  'flyctl-version': input.string({ default: DEFAULT_FLYCTL_VERSION, ...FLYCTL_VERSION_INPUT }),
  'fly-api-token': input.string({ secret: true }),
  'create-app': input.boolean({ default: 'false' }),
  org: input.string({ pattern: ORG_SLUG, expected: 'a Fly organization slug' }),
  ipv6: input.enum(['none', 'public', 'private'] as const, { default: 'none' }),
  preview: input.boolean({ default: 'false' }),
  destroy: input.boolean({ default: 'false' }),
  timeout: input.duration({ default: '30m', minMs: 10_000, maxMs: 6 * 3_600_000 }),
  retries: input.integer({ default: '2', min: 0, max: 10 }),
};

export const outputs = [
  'app-name',
  'app-url',
  'release-id',
  'release-version',
  'image-ref',
  'image-label',
  'previous-release-version',
  'previous-image-ref',
  'convergence',
  'machines',
  'deployment-file',
  'duration-ms',
  'has-services',
  'ipv6-address',
] as const;
