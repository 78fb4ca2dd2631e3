import { input } from '@deploy-actions/toolkit';

/** Mirrors fly-secrets-sync/action.yml: the contract test keeps the two equal. */
export const inputs = {
  app: input.string({ required: true }),
};

export const outputs = ['changes'] as const;
