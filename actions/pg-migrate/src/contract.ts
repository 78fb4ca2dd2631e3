import { input } from '@deploy-actions/toolkit';

/** Mirrors pg-migrate/action.yml: the contract test keeps the two equal. */
export const inputs = {
  'database-url': input.string({ required: true, secret: true }),
};

export const outputs = ['applied'] as const;
