import { APP_NAME, DEFAULT_FLYCTL_VERSION, FLYCTL_VERSION_INPUT } from '@deploy-actions/fly/names';
import { input } from '@deploy-actions/toolkit';

const RELATIVE = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$)).+$/;
const relative = (dflt: string) =>
  input.string({ default: dflt, pattern: RELATIVE, expected: 'a path inside the checkout, without ..' });

/** Mirrors deploy-plan/action.yml: the contract test keeps the two equal. */
export const inputs = {
  'base-path': input.string({ required: true, notFlag: true }),
  'head-path': input.string({ default: '.', notFlag: true }),
  'migrations-dir': relative('migrations'),
  'fly-config': relative('fly.toml'),
  'secret-names-file': relative(''),
  app: input.string({ pattern: APP_NAME }),
  'secrets-mode': input.enum(['merge', 'exact'] as const, { default: 'merge' }),
  'fly-api-token': input.string({ secret: true }),
  'flyctl-version': input.string({ default: DEFAULT_FLYCTL_VERSION, ...FLYCTL_VERSION_INPUT }),
  'business-hours': input.boolean({ default: 'false' }),
  timezone: input.string({ default: 'America/Los_Angeles' }),
  days: input.string({ default: 'mon-fri' }),
  start: input.string({ default: '09:00' }),
  end: input.string({ default: '17:00' }),
  holidays: input.string({ default: '' }),
  freeze: input.string({ default: '' }),
  'merge-at': input.string({ default: '' }),
  'pg-version': input.integer({ default: '17', min: 10, max: 99 }),
  lint: input.boolean({ default: 'true' }),
  'lock-timeout': input.boolean({ default: 'true' }),
  'pr-number': input.integer({ min: 1 }),
  comment: input.boolean({ default: 'true' }),
  'github-token': input.string({ runnerDefault: '${{ github.token }}', secret: true }),
};

export const outputs = ['comment-url', 'migrations', 'classes', 'blocking'] as const;
