import { input } from '@deploy-actions/toolkit';

/** Mirrors require-checks/action.yml: the contract test keeps the two equal. */
export const inputs = {
  checks: input.list(),
  ref: input.string({ notFlag: true, pattern: /^[A-Za-z0-9._/-]+$/, expected: 'a commit SHA, branch or tag name' }),
  timeout: input.duration({ default: '10m', maxMs: 6 * 3_600_000 }),
  interval: input.duration({ default: '15s', minMs: 1_000, maxMs: 600_000 }),
  'github-token': input.string({ runnerDefault: '${{ github.token }}', secret: true }),
};

export const outputs = ['passed', 'failed', 'pending'] as const;
