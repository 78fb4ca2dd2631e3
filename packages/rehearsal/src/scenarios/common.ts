/** What the deploy scenarios share: the app, the caller's inputs, and the deploy window clock. */
import type { RunSpec } from '../scenario';
import type { Stage } from '../stage';

export { APP } from '../stage';

import { APP } from '../stage';

/** Tuesday 10:30 in Los Angeles: inside the Monday-Friday 9:00-17:00 window. */
export const OPEN_NOW = '2026-11-17T10:30:00-08:00';
/** Saturday 11:00 in Los Angeles: the window is closed. */
export const SATURDAY_NOW = '2026-11-21T11:00:00-08:00';

export const SHA_V1 = '1111111111111111111111111111111111111111';
export const SHA_V2 = '2222222222222222222222222222222222222222';

/**
 * A manual production deploy, as examples/deploy-production.yml calls deploy.yml: business hours on,
 * a fixed clock, every notification channel the stage provides.
 */
export function productionDeploy(
  stage: Stage,
  inputs: Record<string, string | boolean | number>,
  sha = SHA_V1,
): RunSpec {
  return {
    workflow: '.github/workflows/deploy.yml',
    eventName: 'workflow_dispatch',
    event: { inputs: { reason: String(inputs.reason ?? '') }, ref: 'refs/heads/main' },
    sha,
    ref: 'refs/heads/main',
    inputs: {
      app: APP,
      environment: 'production',
      'business-hours': true,
      timezone: 'America/Los_Angeles',
      'gate-now': OPEN_NOW,
      'health-timeout': '60s',
      'email-to': 'team@shop.test',
      'email-from': 'deploys@shop.test',
      ...inputs,
    },
    secrets: stage.deploySecrets,
  };
}
