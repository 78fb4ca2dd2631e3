import { parseArgs } from '../args';
import { appName, type Ctx, faultError, requireApp } from '../context';
import { FlyFail } from '../io';
import { behaviour } from '../labels';
import { bootLogs, crashLoopStart, started } from '../lifecycle';

/**
 * `flyctl machine start <id>... --app` (superfly/flyctl@v0.4.87 internal/command/machine/start.go:42-68):
 * each machine is read first (select.go:86-95, a missing one fails the whole command before any
 * starts), leases are taken (internal/machine/lease.go), then each is started and
 * `<id> has been started` printed on stdout. A machine started this way runs its image, which
 * decides what happens next (a crashing image crashes again). What the platform answers for a
 * machine already started is not in the client's source; fly-sim leaves it as it is.
 */
export async function machineStart(ctx: Ctx, args: string[]): Promise<number> {
  const p = parseArgs(args, {
    app: { kind: 'string', aliases: ['a'] },
    config: { kind: 'string', aliases: ['c'] },
    select: { kind: 'bool', aliases: ['s'] },
  });
  const name = appName(ctx, p.strings.app);
  // select.go:259-266: no ids and no terminal to pick one from.
  if (p.positionals.length === 0) throw new FlyFail('a machine ID must be specified when not running interactively');
  const fault = await ctx.fault('machine');
  if (fault) throw faultError(fault, name);
  const app = requireApp(ctx, name);
  const machines = p.positionals.map((id) => {
    const m = app.machines.find((x) => x.id === id && x.state !== 'destroyed');
    // select.go:236-244 rewrites the Machines API's "machine not found".
    if (!m) throw new FlyFail(`machine ${id} was not found in app '${name}'`);
    return m;
  });
  for (const m of machines) {
    if (m.state === 'stopped' || m.state === 'suspended' || m.state === 'created') {
      const now = Date.now();
      started(m, now);
      bootLogs(m, now);
      if (behaviour(m.imageRef).crash) m.pending = { kind: 'crashloop', at: crashLoopStart(now) };
    }
    ctx.world.save();
    ctx.io.out(`${m.id} has been started`);
  }
  return 0;
}
