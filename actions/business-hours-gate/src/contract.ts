import { input } from '@deploy-actions/toolkit';

const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
const HOLIDAY_TYPE = /^(public|bank|optional|school|observance)$/;

/** Mirrors business-hours-gate/action.yml: the contract test keeps the two equal. */
export const inputs = {
  // Zone, days, times, freezes and holidays get their full checks in @deploy-actions/deploy-window.
  timezone: input.string({ default: 'America/Los_Angeles' }),
  days: input.string({ default: 'mon-fri' }),
  start: input.string({ default: '09:00' }),
  end: input.string({ default: '17:00' }),
  holidays: input.string({ default: '' }),
  'holiday-types': input.list({
    default: 'public',
    item: HOLIDAY_TYPE,
    itemExpected: 'public, bank, optional, school or observance',
  }),
  freeze: input.string({ default: '' }),
  mode: input.enum(['block', 'warn'] as const, { default: 'block' }),
  override: input.boolean({ default: 'false' }),
  'override-reason': input.string({ default: '' }),
  'override-actors': input.list({ default: '', item: LOGIN, itemExpected: 'GitHub logins' }),
  now: input.string({ default: '' }),
};

export const outputs = [
  'allowed',
  'reason',
  'message',
  'local-time',
  'next-window',
  'overridden',
  'override-by',
] as const;
