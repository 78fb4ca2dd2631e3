import type { FlySim } from './harness';
import { registerPostgresCluster } from './postgres';

/**
 * Creates `name` as a Fly Postgres cluster app in `org` backed by the PostgreSQL server at
 * `adminUrl` (a superuser URL): one started machine (flyctl's postgres commands need an active
 * leader), `flyctl proxy -a <name>` forwarding to that server, and the `postgres_cluster` role.
 */
export async function seedPostgresCluster(
  sim: FlySim,
  name: string,
  options: { adminUrl: string; org?: string; token?: string },
): Promise<void> {
  const r = await sim.run(['apps', 'create', name, '--org', options.org ?? 'personal'], {
    env: { FLY_API_TOKEN: options.token ?? 'fly-sim-seed-token' },
  });
  if (r.code !== 0) throw new Error(`fly-sim seed: apps create ${name} failed: ${r.stderr}`);
  await sim.addMachine(name, { state: 'started' });
  const url = new URL(options.adminUrl);
  await sim.configureApp(name, { proxyTarget: `${url.hostname}:${url.port || 5432}` });
  registerPostgresCluster(sim.stateDir, name, options.adminUrl);
}
