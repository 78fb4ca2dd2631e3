import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlySim, startFlySim } from '../src/index';

let sim: FlySim;
const env = { FLY_API_TOKEN: 'ips-token' };

beforeAll(async () => {
  sim = await startFlySim({ tokens: ['ips-token'], orgs: ['personal'] });
});
afterAll(async () => {
  await sim?.stop();
});

describe('ips, as flyctl v0.4.87 prints them', () => {
  it('lists none, allocates a public v6 (a table, no --json), then lists it with Go field names', async () => {
    // Created, never deployed: no address yet (a first deploy with services provisions some).
    expect((await sim.run(['apps', 'create', 'edge', '--org', 'personal'], { env })).code).toBe(0);
    const none = await sim.run(['ips', 'list', '--app', 'edge', '--json'], { env });
    expect([none.code, none.stdout]).toEqual([0, '[]\n']);
    const made = await sim.run(['ips', 'allocate-v6', '--app', 'edge'], { env });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(/VERSION │ IP +│ TYPE +│ REGION │ CREATED AT/);
    expect(made.stdout).toContain('public ingress (dedicated)');
    const listed = JSON.parse((await sim.run(['ips', 'list', '-a', 'edge', '--json'], { env })).stdout);
    expect(listed).toEqual([
      {
        ID: expect.any(String),
        Address: expect.stringMatching(/^2a09:/),
        Type: 'v6',
        Region: 'global',
        CreatedAt: expect.any(String),
        ServiceName: '',
        Network: null,
      },
    ]);
  });

  it('a private v6 is an fdaa: private_v6 address; every allocation adds one', async () => {
    expect((await sim.run(['apps', 'create', 'inner', '--org', 'personal'], { env })).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = await sim.run(['ips', 'allocate-v6', '--private', '--app', 'inner'], { env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('private ingress');
    }
    const listed = JSON.parse((await sim.run(['ips', 'list', '--app', 'inner', '--json'], { env })).stdout);
    expect(listed.map((ip: { Type: string; Address: string }) => [ip.Type, ip.Address.slice(0, 5)])).toEqual([
      ['private_v6', 'fdaa:'],
      ['private_v6', 'fdaa:'],
    ]);
  });

  it('allocate-v6 has no --yes flag, and an unknown app fails as flyctl does', async () => {
    const yes = await sim.run(['ips', 'allocate-v6', '--app', 'edge', '--yes'], { env });
    expect(yes.code).toBe(1);
    expect(yes.stderr).toContain('unknown flag: --yes');
    const missing = await sim.run(['ips', 'list', '--app', 'nowhere', '--json'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Could not find App "nowhere"');
  });
});
