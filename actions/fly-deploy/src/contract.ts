import { input } from '@deploy-actions/toolkit';

/** Mirrors fly-deploy/action.yml: the contract test keeps the two equal. */
export const inputs = {
  app: input.string(),
};

export const outputs = ['release-version'] as const;
