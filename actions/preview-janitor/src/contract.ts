import { APP_NAME, DEFAULT_FLYCTL_VERSION, FLYCTL_VERSION_INPUT, ORG_SLUG } from '@deploy-actions/fly/names';
import { input } from '@deploy-actions/toolkit';

/** Mirrors preview-janitor/action.yml: the contract test keeps the two equal. */
export const inputs = {
  org: input.string({ pattern: ORG_SLUG, expected: 'a Fly organization slug' }),
  ttl: input.duration({ default: '168h', minMs: 3_600_000 }),
  'dry-run': input.boolean({ default: 'false' }),
  'postgres-app': input.string({ pattern: APP_NAME, expected: 'a Fly app name (the Postgres cluster)' }),
  'database-url': input.url({ protocols: ['postgres:', 'postgresql:'], secret: true }),
  'fly-api-token': input.string({ secret: true }),
  'flyctl-version': input.string({ default: DEFAULT_FLYCTL_VERSION, ...FLYCTL_VERSION_INPUT }),
  'github-token': input.string({ runnerDefault: '${{ github.token }}', secret: true }),
};

export const outputs = ['removed', 'found'] as const;
