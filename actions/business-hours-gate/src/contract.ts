import { input } from '@deploy-actions/toolkit';

/** Mirrors business-hours-gate/action.yml: the contract test keeps the two equal. */
export const inputs = {
  timezone: input.string({ default: 'America/Los_Angeles' }),
};

export const outputs = ['allowed'] as const;
