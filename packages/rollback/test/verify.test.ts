import { Fly } from '@deploy-actions/fly';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollback } from '../src/index';

/**
 * A rollback is verified by the health gate's own judgement of the machines: the release rolled
 * back to is judged as Fly leaves it (autostopped machines are idle, a crash is fatal).
 */
const TOKEN = 'fm2_rollback-verify-7c41d9e2';
let sim: FlySim;
let fly: Fly;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [TOKEN] });
  fly = new Fly({ token: TOKEN, bin: sim.flyctl, env: { ...process.env, ...sim.env } });
});
afterAll(async () => {
  await sim?.stop();
});

function rollBack(app: string) {
  return rollback({
    fly,
    app,
    failed: {},
    request: { kind: 'version', version: 1 },
    lkgSource: 'fly-releases',
    environment: 'production',
    run: { id: '1', sha: 'a'.repeat(40), repository: 'acme/shop', alreadyRolledBack: [] },
    strategy: 'immediate',
    waitTimeoutMs: 60_000,
    verify: { urls: [`${sim.appUrl(app)}/health`], timeoutMs: 60_000 },
    dryRun: false,
  });
}

describe('rollback verification', () => {
  it('machines the proxy autostops right after the rollback are idle: the rollback is verified', async () => {
    await sim.seedApp('shop-idle', { releases: ['v1', 'v2-unhealthy'] });
    await sim.configureApp('shop-idle', { knobs: { autostopAfterMs: 0 } });
    const result = await rollBack('shop-idle');
    expect(result.rolledBack).toBe(true);
    expect(result.verified).toBe(true);
    expect(result.verification?.report.machines?.map((m) => m.outcome).sort()).toEqual(['idle', 'pass']);
  });
});
