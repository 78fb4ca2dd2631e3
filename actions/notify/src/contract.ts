import { input } from '@deploy-actions/toolkit';

/** An address, or a display name (plain, or quoted to hold `,` or `:`) and an address; never CR or LF. */
const EMAIL = /^(?:[^<>,\s"]+@[^<>,\s"]+|(?:"[^"\r\n]*"|[^<>,"\r\n]*)<[^<>,\s"]+@[^<>,\s"]+>)$/;

/** Mirrors notify/action.yml: the contract test keeps the two equal. */
export const inputs = {
  // Required unless `report` is set (checked in main).
  status: input.enum(['started', 'success', 'failure', 'cancelled', 'rolled-back', 'skipped', 'destroyed'] as const),
  report: input.enum(['dora'] as const),
  'report-days': input.integer({ default: '7', min: 1, max: 366 }),
  'report-until': input.string({
    pattern: /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?Z)?$/,
    expected: 'a UTC date or time such as 2026-12-07 or 2026-12-07T09:00:00Z',
  }),
  'report-environments': input.list(),
  environment: input.string(),
  app: input.string(),
  version: input.string(),
  'image-ref': input.string(),
  'image-digest': input.string({
    pattern: /^sha256:[0-9a-f]{64}$/,
    expected: "a content digest such as sha256:<64 hex digits> (fly-deploy's image-digest output)",
  }),
  'release-version': input.string(),
  url: input.url(),
  reason: input.string(),
  title: input.string(),
  message: input.string(),
  migrations: input.string(),
  'slack-webhook': input.url({ secret: true, protocols: ['https:', 'http:'] }),
  'teams-webhook': input.url({ secret: true, protocols: ['https:', 'http:'] }),
  'discord-webhook': input.url({ secret: true, protocols: ['https:', 'http:'] }),
  'webhook-url': input.url({ secret: true, protocols: ['https:', 'http:'] }),
  'webhook-secret': input.string({ secret: true }),
  'smtp-url': input.url({ secret: true, protocols: ['smtp:', 'smtps:'] }),
  'email-to': input.list({ item: EMAIL, itemExpected: 'email addresses' }),
  'email-from': input.string({ pattern: EMAIL }),
  'github-deployment': input.boolean({ default: 'false' }),
  'github-deployment-id': input.integer({ min: 1 }),
  'pr-comment': input.string({
    default: 'false',
    pattern: /^(true|false|[1-9]\d*)$/,
    expected: '`true`, `false` or a pull request number',
  }),
  'github-token': input.string({ runnerDefault: '${{ github.token }}', secret: true }),
  'fail-on-error': input.boolean({ default: 'false' }),
  retries: input.integer({ default: '3', min: 0, max: 10 }),
  timeout: input.duration({ default: '30s', minMs: 1_000, maxMs: 600_000 }),
};

export const outputs = ['sent', 'failed', 'deployment-id', 'comment-url', 'report-file', 'report'] as const;
