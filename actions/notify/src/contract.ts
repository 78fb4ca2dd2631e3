import { input } from '@deploy-actions/toolkit';

/** Mirrors notify/action.yml: the contract test keeps the two equal. */
export const inputs = {
  status: input.enum(['started', 'success', 'failure', 'cancelled', 'rolled-back', 'skipped'] as const, {
    required: true,
  }),
};

export const outputs = ['sent'] as const;
