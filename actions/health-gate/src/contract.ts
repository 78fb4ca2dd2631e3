import { APP_NAME, FLYCTL_VERSION_INPUT } from '@deploy-actions/fly/names';
import { input } from '@deploy-actions/toolkit';
import { trafficInputs } from './traffic';

/** Mirrors health-gate/action.yml: the contract test keeps the two equal. */
export const inputs = {
  check: input.enum(['auto', 'http', 'machines', 'both'] as const, { default: 'auto' }),
  url: input.list({ itemExpected: 'http:// or https:// URLs' }),
  'checks-file': input.string({ notFlag: true }),
  'base-url': input.url(),
  secrets: input.nameValues({ secret: true }),
  method: input.string({ default: 'GET', pattern: /^[A-Za-z]+$/ }),
  headers: input.string(),
  'expected-status': input.string({ default: '200' }),
  'expected-version': input.string(),
  'version-field': input.string({ default: 'version', pattern: /^[$A-Za-z0-9_.[\]-]+$/ }),
  'version-header': input.string({ pattern: /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/ }),
  timeout: input.duration({ default: '5m', minMs: 1_000, maxMs: 6 * 3_600_000 }),
  'request-timeout': input.duration({ default: '10s', minMs: 100, maxMs: 600_000 }),
  interval: input.duration({ default: '1s', minMs: 10, maxMs: 600_000 }),
  'max-interval': input.duration({ default: '3s', minMs: 10, maxMs: 3_600_000 }),
  'success-threshold': input.integer({ default: '3', min: 1, max: 1000 }),
  'failure-threshold': input.integer({ default: '5', min: 1, max: 1000 }),
  soak: input.duration({ default: '0', maxMs: 6 * 3_600_000 }),
  'max-error-rate': input.string({
    default: '5',
    pattern: /^(100|\d{1,2})(\.\d+)?$/,
    expected: 'a percentage from 0 to 100',
  }),
  'max-p95-ms': input.integer({ min: 1 }),
  'fly-app': input.string({ pattern: APP_NAME, expected: 'a Fly app name' }),
  'fly-release-version': input.string({ pattern: /^v?\d+$/, expected: 'a release number such as 42 or v42' }),
  'per-machine': input.boolean({ default: 'false' }),
  'follow-redirects': input.boolean({ default: 'false' }),
  insecure: input.boolean({ default: 'false' }),
  'fly-api-token': input.string({ secret: true }),
  'flyctl-version': input.string(FLYCTL_VERSION_INPUT),
  // The traffic analysis (traffic.ts): off unless `analysis: traffic`.
  ...trafficInputs,
};

export const outputs = [
  'healthy',
  'attempts',
  'elapsed-ms',
  'observed-version',
  'last-status',
  'error-rate',
  'p95-ms',
  'report-file',
  'traffic-verdict',
] as const;
