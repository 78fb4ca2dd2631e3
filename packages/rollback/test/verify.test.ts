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

async function waitFor(done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error('fly-sim did not get there in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

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

  it('machines the crash left stopped are started again: flyctl leaves stopped machines stopped', async () => {
    await sim.seedApp('shop-crashed', { releases: ['v1', 'v2-exit1-after'] });
    const machines = () => sim.state().apps['shop-crashed'].machines;
    await waitFor(() => machines().every((m) => m.state === 'stopped'));
    const result = await rollBack('shop-crashed');
    expect(result.verified).toBe(true);
    expect(machines().map((m) => [m.state, m.releaseVersion])).toEqual([
      ['started', 3],
      ['started', 3],
    ]);
    expect(result.timeline.find((t) => t.step === 'rollback release')?.detail).toMatch(
      /started \w+, \w+, stopped by the crash/,
    );
    expect((await sim.calls()).filter((c) => c.args[0] === 'machine').map((c) => c.args.slice(0, 2))).toEqual([
      ['machine', 'start'],
    ]);
  });

  it('machines the proxy stopped on purpose stay stopped: only crashes are undone', async () => {
    await sim.seedApp('shop-asleep', { releases: ['v1'] });
    await sim.configureApp('shop-asleep', { knobs: { autostopAfterMs: 0 } });
    await sim.run(['deploy', '--app', 'shop-asleep', '--image', 'registry.fly.io/shop-asleep:v2-unhealthy', '--yes'], {
      env: { FLY_API_TOKEN: TOKEN },
    });
    const machines = () => sim.state().apps['shop-asleep'].machines;
    await waitFor(() => machines().every((m) => m.state === 'stopped'));
    const before = (await sim.calls()).length;
    await rollBack('shop-asleep');
    expect((await sim.calls()).slice(before).filter((c) => c.args[0] === 'machine')).toEqual([]);
  });
});
