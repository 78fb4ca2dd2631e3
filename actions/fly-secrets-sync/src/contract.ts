import { APP_NAME } from '@deploy-actions/fly';
import { SECRET_NAME } from '@deploy-actions/secrets-sync';
import { input } from '@deploy-actions/toolkit';

/** Mirrors fly-secrets-sync/action.yml: the contract test keeps the two equal. */
export const inputs = {
  app: input.string({ required: true, pattern: APP_NAME, notFlag: true }),
  secrets: input.string({ secret: true, expected: 'dotenv text' }),
  'env-file': input.string(),
  'env-prefix': input.string({ pattern: SECRET_NAME }),
  mode: input.enum(['merge', 'exact'] as const, { default: 'merge' }),
  protected: input.list({ item: SECRET_NAME, itemExpected: 'secret names' }),
  stage: input.boolean({ default: 'true' }),
  deploy: input.boolean({ default: 'false' }),
  rules: input.string(),
  'dry-run': input.boolean({ default: 'false' }),
  'fly-api-token': input.string({ secret: true }),
  'flyctl-version': input.string({ default: '0.4.87' }),
};

export const outputs = ['added', 'changed', 'removed', 'unchanged', 'changes', 'staged'] as const;
