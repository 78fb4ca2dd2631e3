/**
 * A secret whose text is part of an app name must not turn a finished deploy or rollback into a
 * crash with lost outputs (deploy.yml rolls back only when `release-version` is set, and reads
 * `rolled-back`/`verified` afterwards).
 */
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { runBundle } from '@deploy-actions/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A token that is also part of the app's name: legitimate, if unwise. */
const TOKEN = 'acme-shop';
const APP = 'acme-shop-prod';
let sim: FlySim;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [TOKEN] });
  await sim.seedApp(APP, { releases: ['v1', 'v2'] });
});
afterAll(async () => {
  await sim?.stop();
});

describe('the output guard after the work is done', () => {
  it('fly-deploy: deployed, every output set (the colliding one as ***), a warning names the token', async () => {
    const r = await runBundle('fly-deploy', {
      inputs: { app: APP, image: `registry.fly.io/${APP}:v3` },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs['release-version']).toBe('3');
    // The token was registered after app-name was set: the outputs are checked again when written.
    expect(r.outputs['app-name']).toBe('***-prod');
    expect(r.stdout).not.toContain('Unexpected error');
    const warnings = r.annotations.filter((a) => a.title === 'A secret collides with an output').map((a) => a.message);
    expect(warnings).toContainEqual(expect.stringMatching(/^Output 'app-name' holds the value of the Fly API token/));
  });

  it('auto-rollback: rolled back, rolled-back and verified set, the loop guard exported', async () => {
    const r = await runBundle('auto-rollback', {
      inputs: { app: APP, 'failed-release-version': '3', 'lkg-source': 'fly-releases' },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    });
    expect(r.stdout).not.toContain('Unexpected error');
    expect(r.outputs['rolled-back']).toBe('true');
    expect(r.outputs['to-image']).toBe('registry.fly.io/***-prod:v2');
    expect(r.env.DEPLOY_ACTIONS_ROLLED_BACK).toBeDefined();
  });
});
