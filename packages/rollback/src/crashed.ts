import {
  type Fly,
  lastExit,
  listMachines,
  type Machine,
  machineProcessGroup,
  PLATFORM_GROUPS,
  startMachines,
} from '@deploy-actions/fly';
import { log } from '@deploy-actions/toolkit';

/**
 * Machines a crash left stopped: serving machines whose newest exit was neither requested nor
 * clean (an OOM kill, or a non-zero code nobody asked for), and that stand by for no one.
 *
 * They matter because flyctl never starts a machine that is stopped when a deploy begins: it
 * updates it with `SkipLaunch` (superfly/flyctl@v0.4.87 internal/command/deploy/machines_launchinput.go:299-315).
 * A rollback after a crash would put the good image on them and leave them stopped. Machines
 * stopped on purpose stay as Fly left them: autostopped ones (a requested stop), ones that exited
 * cleanly to scale down, and standbys.
 */
export function crashedStopped(machines: readonly Machine[]): string[] {
  return machines
    .filter((m) => m.state === 'stopped' && !PLATFORM_GROUPS.includes(machineProcessGroup(m)))
    .filter((m) => (m.config?.standbys ?? []).length === 0)
    .filter((m) => {
      const exit = lastExit(m)?.request?.exit_event;
      return !!exit && !exit.requested_stop && (exit.oom_killed || exit.exit_code !== 0);
    })
    .map((m) => m.id);
}

/**
 * Starts the machines in `ids` that the rollback deploy left stopped, so the good release runs
 * where the bad one crashed. Returns the ones started.
 */
export async function startLeftStopped(fly: Fly, app: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const still = new Set(ids);
  try {
    const stopped = (await listMachines(fly, app)).filter((m) => still.has(m.id) && m.state === 'stopped');
    const start = stopped.map((m) => m.id);
    if (start.length === 0) return [];
    log.info(
      `Starting ${start.length} machine(s) the crash left stopped (flyctl deploys leave stopped machines stopped): ${start.join(', ')}`,
    );
    await startMachines(fly, app, start);
    return start;
  } catch (error) {
    // The rollback is deployed; the verification judges what runs.
    log.warning(`Could not start the machines the crash left stopped (${ids.join(', ')}): ${(error as Error).message}`);
    return [];
  }
}
