import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlySim, startFlySim } from '../src/index';

/**
 * The canary strategy as flyctl v0.4.87 runs it (internal/command/deploy/machines_deploymachinesapp.go:
 * deployCanaryMachines :291-345, called at :481-485 on every deploy but the first): a canary
 * machine of the new release per process group, created, checked and destroyed before the update.
 */
const env = { FLY_API_TOKEN: 'canary-token', FLY_SIM_LEASE_MS: '100', NO_COLOR: '1' };
let sim: FlySim;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [env.FLY_API_TOKEN] });
});
afterAll(async () => {
  await sim?.stop();
});

const machines = (app: string) => sim.state().apps[app].machines;

describe('deploy --strategy canary', () => {
  it('creates, checks and destroys a canary, then updates every machine', async () => {
    await sim.seedApp('bird', { releases: ['v1'] });
    const before = machines('bird').map((m) => m.id);
    const r = await sim.run(
      ['deploy', '--app', 'bird', '--image', 'registry.fly.io/bird:v2', '--strategy', 'canary', '--yes'],
      {
        env,
      },
    );
    expect(r.code).toBe(0);
    const canary = machines('bird').find((m) => m.canary);
    expect(canary).toMatchObject({ state: 'destroyed', imageRef: 'registry.fly.io/bird:v2', processGroup: 'app' });
    const out = r.stdout;
    const at = (text: string) => out.indexOf(text);
    expect(at('Creating canary machine for group app')).toBeGreaterThanOrEqual(0);
    expect(at(`Machine ${canary?.id} [app] was created`)).toBeGreaterThan(at('Creating canary machine'));
    // Destroyed (machine/destroy.go:185) before the rolling update starts.
    const destroyed = at(`machine ${canary?.id} was found and is currently in started state, attempting to destroy...`);
    expect(destroyed).toBeGreaterThan(0);
    expect(at("Updating existing machines in 'bird' with canary strategy")).toBeGreaterThan(destroyed);
    const live = machines('bird').filter((m) => m.state !== 'destroyed');
    expect(live.map((m) => m.id)).toEqual(before);
    expect(live.every((m) => m.imageRef === 'registry.fly.io/bird:v2')).toBe(true);
    const listed = JSON.parse((await sim.run(['machines', 'list', '-a', 'bird', '--json'], { env })).stdout);
    expect(listed).toHaveLength(2);
  });

  it('a canary that crashes stops the deploy before any machine is updated, and is left behind', async () => {
    await sim.seedApp('crow', { releases: ['v1'] });
    const r = await sim.run(
      ['deploy', '--app', 'crow', '--image', 'registry.fly.io/crow:v2-crash', '--strategy', 'canary', '--yes'],
      { env },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Failed to create canary machine: smoke checks for');
    const canary = machines('crow').find((m) => m.canary);
    expect(canary?.state).not.toBe('destroyed');
    const listed = JSON.parse((await sim.run(['machines', 'list', '-a', 'crow', '--json'], { env })).stdout);
    expect(listed.find((m: { id: string }) => m.id === canary?.id).config.metadata.fly_canary).toBe('true');
    const others = machines('crow').filter((m) => !m.canary);
    expect(others.every((m) => m.imageRef === 'registry.fly.io/crow:v1')).toBe(true);
  });

  it('a first deploy has no canary (isFirstDeploy)', async () => {
    await sim.seedApp('wren');
    const r = await sim.run(
      ['deploy', '--app', 'wren', '--image', 'registry.fly.io/wren:v1', '--strategy', 'canary', '--yes'],
      {
        env,
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('canary machine');
    expect(machines('wren').some((m) => m.canary)).toBe(false);
  });
});
