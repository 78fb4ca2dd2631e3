/**
 * How a deploy changes machines, line for line as flyctl v0.4.87 prints it
 * (superfly/flyctl@v0.4.87 internal/command/deploy/machines_deploymachinesapp.go, plan.go,
 * machines_releasecommand.go, internal/machine/leasable_machine.go). Waits that take seconds
 * for real (smoke checks wait for 10 s of uptime: leasable_machine.go:325-365) are compressed.
 */
import { type Ctx, deployLeaseError, isoNow } from './context';
import * as ids from './ids';
import { FlyFail } from './io';
import { behaviour } from './labels';
import { bootLogs, crashLoopStart, isConstantlyRestarting, launched, settleMachine, started } from './lifecycle';
import { updateWithRecovery } from './recovery';
import type { SimApp, SimAppConfig, SimMachine, SimRelease } from './state';
import { StatusLogger } from './status-lines';

export interface RollOut {
  strategy: string;
  /** The machines' new env; undefined keeps each machine's (a restart). */
  env?: Record<string, string>;
  waitMs: number;
  detach: boolean;
  ha: boolean;
  regions: string[];
  primaryRegion: string;
  config: SimAppConfig;
  /** > 0: the recovery path of plan.go instead of the rolling updater. */
  deployRetries: number;
  fault: string | undefined;
}

/** Process groups that serve no app traffic (superfly/fly-go@v0.9.5 machine_types.go:24-27). */
export const PLATFORM_GROUPS = ['fly_app_release_command', 'fly_app_test_machine_command', 'fly_app_console'];

const groupOf = (m: SimMachine) => m.processGroup ?? 'app';
/** `<id> [<group>]`, or the bare id for release_command and console machines (leasable_machine.go:153-161). */
const fmtId = (m: SimMachine) =>
  ['fly_app_release_command', 'fly_app_console'].includes(groupOf(m)) ? m.id : `${m.id} [${groupOf(m)}]`;
const hasServices = (config: SimAppConfig, group: string) => config.services.some((s) => s.processes.includes(group));
const autostopOf = (config: SimAppConfig, group: string) =>
  config.services.find((s) => s.processes.includes(group))?.autostop ?? 'off';

function newMachine(region: string, group: string): SimMachine {
  const now = isoNow();
  return {
    id: ids.machineId(),
    name: ids.machineName(),
    region,
    state: 'created',
    imageRef: '',
    releaseId: '',
    releaseVersion: 0,
    instanceId: ids.instanceId(),
    privateIp: ids.privateIp(),
    env: {},
    createdAt: now,
    updatedAt: now,
    processGroup: group,
  };
}

/**
 * `shouldSkipLaunch` (machines_launchinput.go:299-315): a machine that was not started (or
 * starting, or failed) before the deploy, and every standby, is updated but stays stopped.
 */
function skipsLaunch(before: SimMachine['state'] | undefined, standbys: string[] | undefined): boolean {
  if (before === 'started') return false;
  if ((standbys ?? []).length > 0) return true;
  return before !== undefined;
}

/** One deploy's machine changes; recovery.ts drives its parts on the recovery path. */
export class Deployment {
  private readonly b: ReturnType<typeof behaviour>;
  private readonly crashAfterMs: number;
  private readonly slowMs: number;
  readonly fmtId = fmtId;
  readonly skipsLaunch = skipsLaunch;
  constructor(
    readonly ctx: Ctx,
    readonly app: SimApp,
    readonly release: SimRelease,
    readonly o: RollOut,
  ) {
    this.b = behaviour(release.imageRef);
    this.crashAfterMs = Number(ctx.inv.env.FLY_SIM_CRASH_AFTER_MS || 2_000);
    this.slowMs = Number(ctx.inv.env.FLY_SIM_SLOW_MS || 1500);
  }

  save() {
    this.ctx.world.save();
  }

  /** The new config on a machine (setMachineReleaseData: machines_launchinput.go:266-281). */
  apply(m: SimMachine) {
    m.imageRef = this.release.imageRef;
    m.releaseId = this.release.id;
    m.releaseVersion = this.release.version;
    if (this.o.env) m.env = { ...this.o.env };
    m.hasServices = hasServices(this.o.config, groupOf(m));
    m.updatedAt = isoNow();
    m.pending = undefined;
    m.unhealthy = undefined;
    // A new machine version: the simulation keeps only its events, so an earlier version's
    // crash loop is not read as this one's (isConstantlyRestarting takes the newest exit).
    m.events = [];
    m.logs = [];
  }

  /** The machine's process starts with the new image, and does what its image label says. */
  boot(m: SimMachine) {
    const now = Date.now();
    started(m, now);
    bootLogs(m, now);
    m.readyAt = this.b.slow ? now + this.slowMs : undefined;
    // `crash`: a restart loop from the first second, which smoke checks catch.
    if (this.b.crash) m.pending = { kind: 'crashloop', at: crashLoopStart(now) };
    else if (this.b.later && !this.b.later.after) m.pending = { kind: this.b.later.kind, at: now + this.crashAfterMs };
    settleMachine(m);
  }

  /** Labels ending in `-after` crash only once the deploy is over; the autostop knob stops idle machines. */
  finish(): void {
    const now = Date.now();
    for (const m of this.app.machines) {
      if (m.releaseId !== this.release.id || m.state !== 'started') continue;
      // `unhealthy`: the app passes its deploy, then its checks fail.
      if (this.b.unhealthy) m.unhealthy = true;
      if (this.b.later?.after) m.pending = { kind: this.b.later.kind, at: now + this.crashAfterMs };
      else if (this.app.knobs?.autostopAfterMs !== undefined && autostopOf(this.o.config, groupOf(m)) !== 'off') {
        m.pending = { kind: 'autostop', at: now + this.app.knobs.autostopAfterMs };
      }
    }
    this.save();
  }

  /** `WaitForSmokeChecksToPass` (leasable_machine.go:325-365) and `smokeChecksError` (machines_deploymachinesapp.go:1480-1501). */
  smokeChecks(m: SimMachine): void {
    settleMachine(m);
    if (!isConstantlyRestarting(m)) return;
    this.save();
    const logs = (m.logs ?? []).map((l) => l.message);
    throw new FlyFail(`smoke checks for ${m.id} failed: the app appears to be crashing`, {
      extra: [
        `Smoke checks for ${m.id} failed: the app appears to be crashing`,
        `Check its logs: here's the last lines below, or run 'fly logs -i ${m.id}':`,
        ...logs,
        // printError prints the suggestion with Fprintln, then an empty line (internal/cli/cli.go:177-180).
        '',
        '',
      ],
    });
  }

  /**
   * `WaitForHealthchecksToPass` (leasable_machine.go:367-431): only machines with configured
   * checks wait; the first `0/1` line is printed once, then the result.
   */
  async healthChecks(m: SimMachine, log: (text: string) => void): Promise<void> {
    if (!m.hasServices) return;
    const deadline = Date.now() + this.o.waitMs;
    let printed = false;
    for (;;) {
      if (settleMachine(m)) this.save();
      // A machine set to crash during the deploy never passes its checks before it does.
      const crashing = m.pending !== undefined && m.pending.kind !== 'autostop';
      const ready = m.readyAt === undefined || Date.now() >= m.readyAt;
      if (m.state === 'started' && !m.unhealthy && ready && !crashing) break;
      if (!printed) {
        log(`Waiting for ${fmtId(m)} to become healthy: 0/1\n`);
        printed = true;
      }
      if (Date.now() >= deadline) {
        // leasable_machine.go:398 wraps the error of the Get the deadline cut off.
        throw new FlyFail(
          `timeout reached waiting for health checks to pass for machine ${m.id}: failed to get VM ${m.id}: Get "https://api.machines.dev/v1/apps/${this.app.name}/machines/${m.id}": net/http: request canceled`,
        );
      }
      await this.ctx.io.sleep(Math.min(200, Math.max(1, deadline - Date.now())));
    }
    log(`Waiting for ${fmtId(m)} to become healthy: 1/1\n`);
  }

  /** `runReleaseCommands` (machines_releasecommand.go:58-200). */
  async releaseCommand(): Promise<void> {
    const command = this.o.config.releaseCommand;
    if (!command) return;
    const { io } = this.ctx;
    io.err(`Running ${this.app.name} release_command: ${command}`);
    const sl = new StatusLogger(io, 1, true);
    sl.setStatus(0, 'running');
    const m = newMachine(this.o.primaryRegion, 'fly_app_release_command');
    this.apply(m);
    launched(m);
    this.app.machines.push(m);
    this.save();
    sl.log(0, `Created release_command machine ${m.id}`);
    io.err('Starting machine');
    sl.log(0, `Waiting for ${m.id} to have state: started`);
    started(m);
    sl.log(0, `Machine ${m.id} has state: started`);
    sl.log(0, `Waiting for ${m.id} to have state: destroyed`);
    await io.sleep(20);
    const failed = this.o.fault === 'release-command-failed';
    m.logs = [
      { timestamp: new Date().toISOString(), provider: 'app', level: 'info', message: `> ${command}` },
      ...(failed
        ? [
            {
              timestamp: new Date().toISOString(),
              provider: 'app' as const,
              level: 'error' as const,
              message: 'Error: relation "users" already exists',
            },
          ]
        : []),
    ];
    m.state = 'destroyed';
    this.save();
    sl.log(0, `Machine ${m.id} has state: destroyed`);
    if (failed) {
      sl.logStatus(0, 'failure', 'release_command failed');
      io.err(`Error release_command failed running on machine ${m.id} with exit code 1.`);
      io.err('Checking logs: fetching the last 100 lines below:');
      // Each buffered line is `<faint time> <message>` (machines_releasecommand.go:131).
      for (const l of m.logs) io.err(`\u001b[2m${l.timestamp.replace(/\.\d+Z$/, 'Z')}\u001b[0m ${l.message}`);
      // The deferred statuslogger.Failed (machines_releasecommand.go:70-74) prints last.
      sl.logStatus(0, 'failure', `Failed: machine ${m.id} exited with non-zero status of 1`);
      // machines_deploymachinesapp.go:474
      throw new FlyFail(
        `release command failed - aborting deployment. machine ${m.id} exited with non-zero status of 1`,
      );
    }
    sl.logStatus(0, 'success', `release_command ${m.id} completed successfully`);
  }

  /** `deployCreateMachinesForGroups` (machines_deploymachinesapp.go:357-461): a first deploy. */
  async createForGroups(groups: string[]): Promise<void> {
    const { io } = this.ctx;
    const sl = new StatusLogger(io, groups.length, true);
    const autostop: Record<'stop' | 'suspend', string[]> = { stop: [], suspend: [] };
    for (const [idx, group] of [...groups].sort().entries()) {
      sl.logStatus(idx, 'running', 'Launching new machine');
      io.out(`No machines in group ${group}, launching a new machine`);
      const first = await this.spawn(group, undefined, sl, idx);
      const services = hasServices(this.o.config, group);
      const mode = autostopOf(this.o.config, group);
      if (services && mode !== 'off') autostop[mode].push(group);
      if (!this.o.ha) continue;
      if (services) {
        io.out('Creating a second machine for high availability and zero downtime deployments.');
        io.out('To disable this, set "min_machines_running = 0" in your fly.toml.');
        await this.spawn(group, undefined, sl, idx);
      } else {
        io.out(`Creating a standby machine for ${first.id}`);
        await this.spawn(group, [first.id], sl, idx);
      }
    }
    if (groups.length > 0) io.err('Finished launching new machines');
    for (const mode of ['stop', 'suspend'] as const) {
      if (autostop[mode].length === 0) continue;
      io.raw(
        `\n\nNOTE: The machines for [${autostop[mode].sort().join(',')}] have services with 'auto_stop_machines = "${mode}"' that will be ${mode === 'stop' ? 'stopped' : 'suspended'} when idling\n\n`,
      );
    }
  }

  /**
   * `deployCanaryMachines` (machines_deploymachinesapp.go:291-345), run before the update of a
   * deploy that is not the first (:481-485): every "Creating canary machine" line first (they are
   * printed in the loop, :304-310), then per process group of the config a machine of the new
   * release, marked `fly_canary` (:317-320), smoke- and health-checked as spawnMachineInGroup does,
   * and destroyed with force (:329-335, machine/destroy.go:160-199). A canary that fails is not
   * destroyed (the deferred destroy runs only without an error) and the deploy stops there.
   */
  async canaries(groups: string[]): Promise<void> {
    const { io } = this.ctx;
    const sl = new StatusLogger(io, groups.length, true);
    for (const [idx, group] of groups.entries())
      sl.logStatus(idx, 'running', `Creating canary machine for group ${group}`);
    for (const [idx, group] of groups.entries()) {
      const m = await this.spawn(group, undefined, sl, idx, { canary: true });
      io.out(`machine ${m.id} was found and is currently in ${m.state} state, attempting to destroy...`);
      m.state = 'destroyed';
      m.updatedAt = isoNow();
      this.save();
    }
  }

  /** `spawnMachineInGroup` (machines_deploymachinesapp.go:1106-1191). */
  private async spawn(
    group: string,
    standbyFor: string[] | undefined,
    sl: StatusLogger,
    idx: number,
    options: { canary?: boolean } = {},
  ): Promise<SimMachine> {
    const m = newMachine(this.o.primaryRegion, group);
    m.standbys = standbyFor;
    if (options.canary) m.canary = true;
    this.apply(m);
    launched(m);
    this.app.machines.push(m);
    this.save();
    sl.log(idx, `Machine ${fmtId(m)} was created`);
    if (skipsLaunch(undefined, standbyFor)) return m;
    this.boot(m);
    this.save();
    if (this.o.strategy === 'immediate' || this.o.detach) return m;
    try {
      this.smokeChecks(m);
      await this.healthChecks(m, () => {});
    } catch (error) {
      // statuslogger.Failed (noninteractive.go:66-69): the first line of the error; a canary's
      // caller says it its own way (machines_deploymachinesapp.go:324-325).
      const first = (error as Error).message.split('\n')[0];
      sl.logStatus(idx, 'failure', options.canary ? `Failed to create canary machine: ${first}` : `Failed: ${first}`);
      throw error;
    }
    sl.logStatus(idx, 'success', `Machine ${fmtId(m)} update finished: success`);
    return m;
  }

  /** `updateExistingMachines` (machines_deploymachinesapp.go:601-650), rolling and immediate. */
  async updateRolling(entries: SimMachine[]): Promise<void> {
    const { io } = this.ctx;
    if (entries.length === 0) return;
    // Leases first (machine_set.go:55-79); a failure is warned on stdout by terminal.Warnf (terminal/logging.go:56).
    if (this.o.fault === 'lease') {
      const error = deployLeaseError(entries[0].id, this.leaseMs(), false);
      io.out(`\u001b[33mWARN\u001b[0m failed to acquire lease: ${error.message}`);
      throw error;
    }
    io.out(`Updating existing machines in '${this.app.name}' with ${this.o.strategy} strategy`);
    const sl = new StatusLogger(io, entries.length, true);
    // Sorted by id, cold machines first (machines_deploymachinesapp.go:859-877).
    const sorted = [...entries].sort((a, b) => (a.id < b.id ? -1 : 1));
    const ordered = [...sorted.filter((m) => m.state !== 'started'), ...sorted.filter((m) => m.state === 'started')];
    for (const [idx, m] of ordered.entries()) {
      const before = m.state;
      sl.logStatus(idx, 'running', `Updating ${fmtId(m)}`);
      sl.log(idx, `Updating ${fmtId(m)}`);
      await this.ctx.io.sleep(10);
      this.apply(m);
      this.save();
      if (this.o.fault === 'update-timeout') {
        const error = new FlyFail(
          `failed to update VM ${m.id}: Post "https://api.machines.dev/v1/apps/${this.app.name}/machines/${m.id}": net/http: timeout awaiting response headers`,
        );
        sl.logStatus(idx, 'failure', `Machine ${fmtId(m)} update failed: ${error.message}`);
        throw error;
      }
      try {
        if (this.o.fault === 'last-wait-timeout' && idx === ordered.length - 1) {
          // The machine is fine, but flyctl's wait for it gives up (flyctl issue #2653):
          // leasable_machine.go:390-399 with the Get the deadline cut off. The error wraps
          // context.DeadlineExceeded (%w all the way), so flyctl exits 126 (internal/cli/cli.go:109-112).
          this.boot(m);
          this.save();
          throw new FlyFail(
            `timeout reached waiting for health checks to pass for machine ${m.id}: failed to get VM ${m.id}: Get "https://api.machines.dev/v1/apps/${this.app.name}/machines/${m.id}": context deadline exceeded`,
            { code: 126 },
          );
        }
        if (!skipsLaunch(before, m.standbys) && this.o.strategy !== 'immediate') {
          await this.waitStarted(m, (text) => sl.log(idx, text));
        } else if (!skipsLaunch(before, m.standbys)) {
          this.boot(m);
        }
      } catch (error) {
        sl.logStatus(idx, 'failure', `Machine ${fmtId(m)} update failed: ${(error as Error).message}`);
        throw error;
      }
      sl.logStatus(idx, 'success', `Machine ${fmtId(m)} update succeeded`);
    }
  }

  /** `waitForMachine` (machines_deploymachinesapp.go:210-246) for a machine that is launched. */
  private async waitStarted(m: SimMachine, log: (text: string) => void): Promise<void> {
    log(`Waiting for ${fmtId(m)} to have state: started`);
    this.boot(m);
    this.save();
    log(`Machine ${fmtId(m)} has state: started`);
    if (this.o.detach) return;
    log(`Checking that ${fmtId(m)} is up and running`);
    this.smokeChecks(m);
    await this.healthChecks(m, log);
  }

  leaseMs() {
    return Number(this.ctx.inv.env.FLY_SIM_LEASE_MS || 13_000);
  }
}

/** Runs the machine part of a deploy (`deployMachinesApp`, machines_deploymachinesapp.go:465-525). */
export async function rollOut(ctx: Ctx, app: SimApp, release: SimRelease, o: RollOut): Promise<void> {
  const d = new Deployment(ctx, app, release, o);
  await d.releaseCommand();
  const live = app.machines.filter((m) => m.state !== 'destroyed' && !PLATFORM_GROUPS.includes(groupOf(m)));
  if (live.length === 0) {
    await d.createForGroups(o.config.processes);
  } else {
    const targets = live.filter((m) => o.regions.length === 0 || o.regions.includes(m.region));
    if (o.strategy === 'canary') await d.canaries(o.config.processes);
    if (o.strategy === 'bluegreen') await blueGreen(ctx, app, d, targets);
    else if (o.deployRetries > 0) await updateWithRecovery(d, targets);
    else await d.updateRolling(targets);
  }
  app.port = await ctx.world.hosts.ensure(app);
  d.finish();
}

/**
 * A restart-only deploy, as non-staged `secrets import/unset` and `secrets deploy` run one
 * (flyctl@v0.4.87 internal/command/secrets/secrets.go:95-115): a new release of the same
 * image (machines.go:328), every machine updated with it (restartMachinesApp,
 * machines_deploymachinesapp.go:248-268), the release line when asked for (:140-157).
 */
export async function restartOnly(ctx: Ctx, app: SimApp, o: { detach: boolean }): Promise<SimRelease> {
  const live = app.machines.filter((m) => m.state !== 'destroyed' && !PLATFORM_GROUPS.includes(groupOf(m)));
  const current = [...app.releases].reverse().find((r) => r.status === 'complete');
  const release: SimRelease = {
    id: ids.releaseId(),
    version: Math.max(0, ...app.releases.map((r) => r.version)) + 1,
    status: 'running',
    imageRef: current?.imageRef ?? live[0]?.imageRef ?? '',
    strategy: 'rolling',
    createdAt: isoNow(),
  };
  app.releases.push(release);
  ctx.world.save();
  const d = new Deployment(ctx, app, release, {
    strategy: 'rolling',
    waitMs: 5 * 60_000,
    detach: o.detach,
    ha: true,
    regions: [],
    primaryRegion: live[0]?.region ?? 'iad',
    config: app.config ?? { processes: ['app'], services: [{ processes: ['app'], autostop: 'stop' }] },
    deployRetries: app.knobs?.deployRetries ?? 0,
    fault: undefined,
  });
  try {
    await d.updateRolling(live);
  } catch (error) {
    release.status = 'failed';
    ctx.world.save();
    throw error;
  }
  release.status = 'complete';
  d.finish();
  return release;
}

/**
 * bluegreen, simplified: green machines are created, and a crashing release is rolled back
 * (the old machines keep serving): strategy_bluegreen.go. Its many status lines are not reproduced.
 */
async function blueGreen(ctx: Ctx, app: SimApp, d: Deployment, targets: SimMachine[]): Promise<void> {
  ctx.io.err('Creating green machines');
  if (behaviour(app.releases.at(-1)?.imageRef ?? '').crash) {
    ctx.io.err('Rolling back failed deployment: destroying green machines');
    throw new FlyFail(`smoke checks for ${targets[0]?.id ?? ids.machineId()} failed: the app appears to be crashing`);
  }
  await d.updateRolling(targets);
}
