import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlySim, startFlySim } from '../src/index';

/**
 * fly-sim's JSON compared with the shapes in reference/flyctl.md §1: same keys, same
 * order, same casing, Go's 4-space indent.
 */
const RELEASE_KEYS = [
  'ID',
  'Version',
  'Stable',
  'InProgress',
  'Reason',
  'Description',
  'Status',
  'DeploymentStrategy',
  'Metadata',
  'User',
  'EvaluationID',
  'CreatedAt',
  'ImageRef',
];
const STATUS_KEYS = [
  'AppURL',
  'Deployed',
  'Hostname',
  'ID',
  'Machines',
  'Name',
  'Organization',
  'PlatformVersion',
  'Status',
  'Version',
];
const MACHINE_KEYS = [
  'id',
  'name',
  'state',
  'region',
  'image_ref',
  'instance_id',
  'private_ip',
  'created_at',
  'updated_at',
  'config',
  'events',
  'checks',
  'host_status',
  'cordoned',
];
const IMAGE_KEYS = ['Digest', 'Labels', 'MachineID', 'Registry', 'Repository', 'Tag', 'Version'];

let sim: FlySim;
const env = { FLY_API_TOKEN: 'shape-token' };
const json = async (args: string[], extra: Record<string, string> = {}) => {
  const r = await sim.run(args, { env: { ...env, ...extra } });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout.endsWith('\n')).toBe(true);
  return { text: r.stdout, value: JSON.parse(r.stdout) };
};

beforeAll(async () => {
  sim = await startFlySim();
  await sim.seedApp('shape-app', { releases: ['v1', 'v2'], secrets: { DATABASE_URL: 'postgres://db/app' } });
});
afterAll(async () => {
  await sim?.stop();
});

describe('fly-sim JSON shapes', () => {
  it('releases --json: PascalCase Go structs, newest first, 4-space indent', async () => {
    const { text, value } = await json(['releases', '--app', 'shape-app', '--json']);
    expect(text.startsWith('[\n    {\n        "ID": ')).toBe(true);
    expect(Object.keys(value[0])).toEqual(RELEASE_KEYS);
    expect(Object.keys(value[0].User)).toEqual(['ID', 'Name', 'Email', 'EnablePaidHobby']);
    expect(value.map((r: { Version: number }) => r.Version)).toEqual([2, 1]);
    expect(value[0]).toMatchObject({ Status: 'complete', ImageRef: 'registry.fly.io/shape-app:v2', Metadata: null });
    expect(value[0].CreatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('status --json: alphabetical PascalCase keys, snake_case machines', async () => {
    const { value } = await json(['status', '--app', 'shape-app', '--json']);
    expect(Object.keys(value)).toEqual(STATUS_KEYS);
    expect(value).toMatchObject({ Hostname: 'shape-app.fly.dev', Name: 'shape-app', Version: 2, Deployed: true });
    expect(value.AppURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(value.Machines).toHaveLength(2);
    const ids = value.Machines.map((m: { id: string }) => m.id);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(Object.keys(value.Machines[0])).toEqual(MACHINE_KEYS);
    expect(Object.keys(value.Machines[0].image_ref)).toEqual(['registry', 'repository', 'tag', 'digest', 'labels']);
    expect(Object.keys(value.Organization)).toEqual(['ID', 'InternalNumericID', 'Name', 'Slug', 'RawSlug', 'PaidPlan']);
  });

  it('machines list --json: fly.Machine objects with metadata and checks', async () => {
    const { value } = await json(['machines', 'list', '--app', 'shape-app', '--json']);
    expect(value).toHaveLength(2);
    const m = value[0];
    expect(Object.keys(m)).toEqual(MACHINE_KEYS);
    expect(m.id).toMatch(/^[0-9a-f]{14}$/);
    expect(m.config.metadata).toMatchObject({
      fly_release_version: '2',
      fly_process_group: 'app',
      fly_platform_version: 'v2',
    });
    expect(m.checks[0]).toEqual({
      name: 'servicecheck-00-http-8080',
      status: 'passing',
      output: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(m).toMatchObject({ state: 'started', host_status: 'ok', cordoned: false });
    expect(typeof m.events[0].timestamp).toBe('number');
  });

  it('secrets list --json: the shape of the flyctl version played', async () => {
    const current = await json(['secrets', 'list', '--app', 'shape-app', '--json']);
    expect(current.value).toEqual([
      { name: 'DATABASE_URL', digest: expect.stringMatching(/^[0-9a-f]{16}$/), status: 'Deployed' },
    ]);
    const mid = await json(['secrets', 'list', '--app', 'shape-app', '--json'], { FLY_SIM_VERSION: '0.4.5' });
    expect(Object.keys(mid.value[0])).toEqual(['name', 'digest', 'updated_at', 'created_at']);
    const old = await json(['secrets', 'list', '--app', 'shape-app', '--json'], { FLY_SIM_VERSION: '0.3.100' });
    expect(Object.keys(old.value[0])).toEqual(['Name', 'Digest', 'CreatedAt']);
  });

  it('image show --json: string maps with alphabetical keys and Labels as JSON text', async () => {
    const { value } = await json(['image', 'show', '--app', 'shape-app', '--json']);
    expect(Object.keys(value[0])).toEqual(IMAGE_KEYS);
    expect(JSON.parse(value[0].Labels)).toEqual({ 'fly.version': 'v2' });
    expect(value[0]).toMatchObject({ Registry: 'registry.fly.io', Repository: 'shape-app', Tag: 'v2' });
  });

  it('apps list --json: full fly.App objects', async () => {
    const { value } = await json(['apps', 'list', '--json']);
    expect(value[0]).toMatchObject({
      ID: 'shape-app',
      Name: 'shape-app',
      Status: 'deployed',
      PlatformVersion: 'machines',
    });
    expect(value[0].CurrentRelease).toMatchObject({ Status: 'complete' });
    expect(Object.keys(value[0]).slice(0, 4)).toEqual(['ID', 'InternalNumericID', 'Name', 'State']);
  });

  it('escapes HTML characters like Go encoding/json', async () => {
    const r = await sim.run(['secrets', 'import', '--app', 'shape-app', '--stage'], { env, input: 'A<B=1\n' });
    expect(r.code).toBe(0);
    const { text } = await json(['secrets', 'list', '--app', 'shape-app', '--json']);
    expect(text).toContain('"A\\u003cB"');
  });

  it('releases --json lists only the newest 25', async () => {
    await sim.run(['apps', 'create', 'many-releases', '--org', 'personal'], { env });
    for (let i = 1; i <= 27; i++) {
      const r = await sim.run(
        ['deploy', '-a', 'many-releases', '-i', `registry.fly.io/many-releases:r${i}`, '--ha=false'],
        {
          env,
        },
      );
      expect(r.code).toBe(0);
    }
    const { value } = await json(['releases', '-a', 'many-releases', '--json']);
    expect(value).toHaveLength(25);
    expect(value[0].Version).toBe(27);
    expect(value.at(-1).Version).toBe(3);
  });

  it('prints the FLY_EMIT_RELEASE_JSON line only when asked and only from 0.4.56', async () => {
    const deploy = (extra: Record<string, string>) =>
      sim.run(['deploy', '-a', 'shape-app', '-i', 'registry.fly.io/shape-app:v3'], { env: { ...env, ...extra } });
    const withLine = await deploy({ FLY_EMIT_RELEASE_JSON: '1' });
    // Before the Visit line (machines_deploymachinesapp.go:140-157 runs before deploy.go:466-470).
    const lines = withLine.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('Visit your newly deployed app at https://shape-app.fly.dev/');
    const last = JSON.parse(lines.at(-3) ?? '');
    expect(Object.keys(last)).toEqual(['id', 'version', 'image_ref']);
    expect(last).toMatchObject({ version: 3, image_ref: 'registry.fly.io/shape-app:v3' });
    expect((await deploy({})).stdout).not.toContain('"image_ref"');
    expect((await deploy({ FLY_EMIT_RELEASE_JSON: '1', FLY_SIM_VERSION: '0.4.55' })).stdout).not.toContain(
      '"image_ref"',
    );
  });
});
