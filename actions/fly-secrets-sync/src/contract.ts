import { APP_NAME, DEFAULT_FLYCTL_VERSION, FLYCTL_VERSION_INPUT } from '@deploy-actions/fly/names';
import { ENV_PREFIX, ENV_PREFIX_EXPECTED, SECRET_NAME } from '@deploy-actions/secrets-sync';
import { input } from '@deploy-actions/toolkit';

/** Mirrors fly-secrets-sync/action.yml: the contract test keeps the two equal. */
export const inputs = {
  app: input.string({ required: true, pattern: APP_NAME }),
  secrets: input.string({ secret: true, expected: 'dotenv text' }),
  'env-file': input.string(),
  'env-prefix': input.string({ pattern: ENV_PREFIX, expected: ENV_PREFIX_EXPECTED }),
  mode: input.enum(['merge', 'exact'] as const, { default: 'merge' }),
  protected: input.list({ item: SECRET_NAME, itemExpected: 'secret names' }),
  stage: input.boolean({ default: 'true' }),
  deploy: input.boolean({ default: 'false' }),
  rules: input.string(),
  config: input.string({ default: 'fly.toml', notFlag: true }),
  'dry-run': input.boolean({ default: 'false' }),
  'fly-api-token': input.string({ secret: true }),
  'flyctl-version': input.string({ default: DEFAULT_FLYCTL_VERSION, ...FLYCTL_VERSION_INPUT }),
};

export const outputs = ['added', 'changed', 'removed', 'unchanged', 'changes', 'staged'] as const;
