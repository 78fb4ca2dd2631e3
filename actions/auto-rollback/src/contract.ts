import { input } from '@deploy-actions/toolkit';

/** Mirrors auto-rollback/action.yml: the contract test keeps the two equal. */
export const inputs = {
  app: input.string({ required: true }),
};

export const outputs = ['rolled-back'] as const;
