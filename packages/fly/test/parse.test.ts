import { describe, expect, it } from 'vitest';
import { appUrl, machineReleaseVersion, releasesSchema, secretsSchema, statusSchema } from '../src/schemas';

describe('releases --json', () => {
  it('reads PascalCase releases and sorts newest first', () => {
    const parsed = releasesSchema.parse([
      { ID: 'a', Version: 41, Status: 'complete', ImageRef: 'registry.fly.io/app:v41', Stable: true, User: null },
      {
        ID: 'b',
        Version: 42,
        Status: 'failed',
        ImageRef: 'registry.fly.io/app:v42',
        CreatedAt: '2026-08-20T14:03:11Z',
      },
    ]);
    expect(parsed.map((r) => r.version)).toEqual([42, 41]);
    expect(parsed[0]).toMatchObject({ id: 'b', status: 'failed', imageRef: 'registry.fly.io/app:v42' });
    expect(parsed[1].stable).toBe(true);
  });

  it('treats null as no releases', () => {
    expect(releasesSchema.parse(null)).toEqual([]);
  });
});

describe('secrets list --json, all three shapes', () => {
  it('reads the current {name,digest,status} shape', () => {
    expect(secretsSchema.parse([{ name: 'A', digest: '73eb694e9d599c38', status: 'Deployed' }])).toEqual([
      { name: 'A', digest: '73eb694e9d599c38', status: 'Deployed', createdAt: undefined, updatedAt: undefined },
    ]);
  });
  it('reads the 0.3.178-0.4.5 shape with timestamps', () => {
    const [s] = secretsSchema.parse([
      { name: 'A', digest: 'd', updated_at: '2026-01-01T00:00:00Z', created_at: '2025-01-01T00:00:00Z' },
    ]);
    expect(s).toMatchObject({ name: 'A', digest: 'd', updatedAt: '2026-01-01T00:00:00Z', status: undefined });
  });
  it('reads the PascalCase GraphQL-era shape', () => {
    const [s] = secretsSchema.parse([{ Name: 'A', Digest: 'b9e37b7b239ee4aefc75352fe3fa6dc6', CreatedAt: 'x' }]);
    expect(s).toEqual({ name: 'A', digest: 'b9e37b7b239ee4aefc75352fe3fa6dc6', createdAt: 'x' });
  });
  it('reads every status flyctl v0.4.87 reports (internal/command/secrets/list.go)', () => {
    const parsed = secretsSchema.parse(
      ['Deployed', 'Staged', 'Partial', 'Unknown'].map((status, i) => ({ name: `S${i}`, digest: 'd', status })),
    );
    expect(parsed.map((s) => s.status)).toEqual(['Deployed', 'Staged', 'Partial', 'Unknown']);
  });
  it('maps an unknown status to Unknown and reads objects without status (>100 machines)', () => {
    const parsed = secretsSchema.parse([
      { name: 'A', digest: 'd', status: 'Weird' },
      { name: 'B', digest: 'e' },
    ]);
    expect(parsed[0].status).toBe('Unknown');
    expect(parsed[1].status).toBeUndefined();
  });
});

describe('status --json', () => {
  it('reads machines in snake_case and their release version', () => {
    const status = statusSchema.parse({
      AppURL: '',
      Hostname: 'my-app.fly.dev',
      ID: 'my-app',
      Name: 'my-app',
      Version: 42,
      Machines: [
        {
          id: '3d8d9d1be64938',
          state: 'started',
          checks: [{ name: 'servicecheck-00-http-8080', status: 'passing', output: 'ok', updated_at: 'x' }],
          config: { metadata: { fly_release_version: '42', fly_process_group: 'app' } },
          cordoned: false,
        },
      ],
    });
    expect(status.Machines[0].checks[0].status).toBe('passing');
    expect(machineReleaseVersion(status.Machines[0])).toBe(42);
    expect(appUrl(status)).toBe('https://my-app.fly.dev/');
    expect(appUrl({ AppURL: 'http://127.0.0.1:5000', Hostname: 'x.fly.dev' })).toBe('http://127.0.0.1:5000/');
  });
});
