import { formatDuration, UserError } from '@deploy-actions/toolkit';
import type { MigrateLogger } from './types';

/** How pg-migrate reaches Fly: flyctl version to use and the token (input or environment). */
export interface FlyAccess {
  token?: string;
  flyctlVersion?: string;
  logger: MigrateLogger;
}

async function flyClient(access: FlyAccess) {
  // Loaded only when a Fly input is used: the SQL path stays light.
  const fly = await import('@deploy-actions/fly');
  // A missing token fails before any flyctl download.
  const { fly: client } = await fly.openFly({ token: access.token, version: access.flyctlVersion });
  return { fly, client };
}

/** The database URL with its host and port replaced by a local tunnel's. */
function throughTunnel(url: string, host: string, port: number): string {
  const u = new URL(url);
  u.hostname = host;
  u.port = String(port);
  return u.toString();
}

/**
 * Opens `flyctl proxy 0:5432 -a <app> --watch-stdin` to a Fly Postgres app, runs `work`
 * with the database URL pointed at the tunnel, and closes the tunnel whatever happens.
 */
export async function withFlyPostgresTunnel<T>(
  app: string,
  databaseUrl: string,
  access: FlyAccess,
  work: (tunnelledUrl: string) => Promise<T>,
): Promise<T> {
  const { fly, client } = await flyClient(access);
  const remotePort = Number(new URL(databaseUrl).port || 5432);
  access.logger.info(`Opening a flyctl proxy tunnel to ${app}:${remotePort}...`);
  const proxy = await fly.startProxy(client, { app, remotePort, readyTimeoutMs: 60_000 });
  try {
    access.logger.info(`Tunnel ready on ${proxy.host}:${proxy.port}`);
    return await work(throughTunnel(databaseUrl, proxy.host, proxy.port));
  } finally {
    await proxy.stop();
  }
}

export interface AppMigratorResult {
  durationMs: number;
  /** The last lines the migrator printed, for the summary. */
  tail: string;
}

/**
 * Runs the app's own migrator on one of its machines: `flyctl ssh console -a <app> -C <command>`,
 * its output streamed to the log. A non-zero exit fails with flyctl's message and the output tail.
 */
export async function runAppMigrator(
  app: string,
  command: string,
  access: FlyAccess & { timeoutMs?: number },
): Promise<AppMigratorResult> {
  const { fly, client } = await flyClient(access);
  access.logger.info(`Running \`${command}\` on a machine of ${app} (flyctl ssh console)...`);
  const run = await fly.sshConsole(client, app, command, {
    timeoutMs: access.timeoutMs ?? 30 * 60_000,
    allowFailure: true,
    onLine: (line) => access.logger.info(line),
  });
  const tail = `${run.stdout}${run.stderr ? `\n${run.stderr}` : ''}`.trim().split('\n').slice(-30).join('\n');
  if (run.code !== 0) {
    throw new UserError(
      `The migration command failed on ${app} (${run.timedOut ? 'timed out' : `exit ${run.code}`}): ${run.errorMessage || 'see the output above'}`,
      { hint: tail ? `Last output:\n${tail}` : undefined },
    );
  }
  access.logger.info(`Migration command finished in ${formatDuration(run.durationMs)}`);
  return { durationMs: run.durationMs, tail };
}
