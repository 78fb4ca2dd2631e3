import { input } from '@deploy-actions/toolkit';

/** Mirrors health-gate/action.yml: the contract test keeps the two equal. */
export const inputs = {
  url: input.list(),
};

export const outputs = ['healthy'] as const;
