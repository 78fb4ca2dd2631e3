/**
 * The update of existing machines when deploy-retries > 0, as flyctl v0.4.87 does it
 * (superfly/flyctl@v0.4.87 internal/command/deploy/machines_deploymachinesapp.go:603-610,647-759
 * and plan.go:115-722). Differences from the rolling updater that matter to a caller:
 * - a failed smoke, machine or health check is an `unrecoverableError` (plan.go:629-662): flyctl
 *   stops there, leaves the failed machine on the new release (no rollback) and retries nothing;
 * - any other failure (an update call, a wait for a state) is "pushed forward": the whole update
 *   runs again, up to deploy-retries more times (plan.go:283-343), skipping what already passed;
 * - with the canary strategy one existing machine is updated alone first (:703-748).
 */
import { deployLeaseError } from './context';
import { FlyFail } from './io';
import type { Deployment } from './rollout';
import type { SimMachine } from './state';
import { StatusLogger } from './status-lines';

/** A failure flyctl does not push forward. */
class Unrecoverable extends FlyFail {}

/** `unrecoverableError` (plan.go:537-547): its text is prefixed, its suggestion kept (errors.As unwraps). */
const unrecoverable = (inner: FlyFail) =>
  new Unrecoverable(`Unrecoverable error: ${inner.message}`, { code: inner.code, extra: inner.extra });

/** `healthcheckResult` (plan.go:98-104): kept per machine across phases and retries of one deploy. */
interface Checks {
  smoke: boolean;
  machine: boolean;
  regular: boolean;
}

/** What `updateMachinesWRecovery` needs of the deploy; `before` is each machine's state before it (`originalMachine`). */
interface Run {
  d: Deployment;
  before: Map<string, SimMachine['state']>;
  checks: Map<string, Checks>;
}

/** `updateExistingMachinesWRecovery` (machines_deploymachinesapp.go:647-759); `entries` are the machines to update. */
export async function updateWithRecovery(d: Deployment, entries: SimMachine[]): Promise<void> {
  if (entries.length === 0) return;
  // :662, before any lease.
  d.ctx.io.out(`Updating existing machines in '${d.app.name}' with ${d.o.strategy} strategy`);
  const run: Run = { d, before: new Map(entries.map((m) => [m.id, m.state])), checks: new Map() };
  if (d.o.strategy === 'canary') {
    // :704-712: the first started machine of the list (flaps List order), else the first one,
    // is updated alone, with its own leases and status lines; then every machine (:743-748).
    const canary = entries.find((m) => m.state === 'started') ?? entries[0];
    await updateMachinesWRecovery(run, [canary]);
  }
  await updateMachinesWRecovery(run, entries);
}

/** `updateMachinesWRecovery` with pushForward (plan.go:115-347). */
async function updateMachinesWRecovery(run: Run, entries: SimMachine[]): Promise<void> {
  const { d } = run;
  const { io } = d.ctx;
  // plan.go:143-165 pairs machines by iterating a Go map, so flyctl's order is random; the
  // simulation takes id order, the order its retries sort by (:306-310).
  const tuples = [...entries].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const m of tuples) {
    if (!run.checks.has(m.id)) run.checks.set(m.id, { smoke: false, machine: false, regular: false });
  }
  const sl = new StatusLogger(io, tuples.length, true);
  acquireLeases(d, tuples, sl);
  let failure = await updateGroups(run, tuples, sl);
  if (failure && !(failure instanceof Unrecoverable)) {
    // :293-343: the update runs again (leases kept) until it passes, fails unrecoverably,
    // or `attempts > deployRetries`; then the first failure is returned.
    for (let attempts = 0; ; attempts++) {
      if (attempts > d.o.deployRetries) {
        io.err(`Failed to update machines: ${failure.message}`);
        break;
      }
      const again = await updateGroups(run, tuples, sl);
      if (!again) {
        failure = undefined;
        break;
      }
      if (again instanceof Unrecoverable) {
        failure = again;
        break;
      }
      io.err(`Failed to update machines: ${again.message} Retrying...`);
      // :342 sleeps a second between attempts (compressed).
      await io.sleep(10);
    }
  }
  // The deferred release of leases (:216-221, 485-522) prints last.
  for (const [idx, m] of tuples.entries()) {
    sl.logStatus(idx, 'running', `Clearing lease for ${m.id}`);
    sl.logStatus(idx, 'success', `Cleared lease for ${m.id}`);
  }
  if (failure) throw failure;
}

/** `acquireLeases` (plan.go:424-483); a lease held by someone else is unrecoverable (:811-822, :209-212). */
function acquireLeases(d: Deployment, tuples: SimMachine[], sl: StatusLogger): void {
  for (const [idx, m] of tuples.entries()) {
    sl.logStatus(idx, 'running', `Acquiring lease for ${m.id}`);
    if (d.o.fault === 'lease') {
      const inner = unrecoverable(deployLeaseError(m.id, d.leaseMs(), false));
      sl.logStatus(idx, 'failure', `Failed to acquire lease for ${m.id}: ${inner.message}`);
      throw new FlyFail(`failed to acquire leases: ${inner.message}`);
    }
    sl.logStatus(idx, 'running', `Acquired lease for ${m.id}`);
  }
}

/**
 * One pass over the machines (plan.go:225-281): process groups are updated independently
 * (their errgroup has no shared context), within a group stopped machines and running ones
 * (:233-267; flyctl runs the two sets side by side, the simulation stopped ones first).
 * Returns the first failure.
 */
async function updateGroups(run: Run, tuples: SimMachine[], sl: StatusLogger): Promise<FlyFail | undefined> {
  const groups = [...new Set(tuples.map((m) => m.processGroup ?? 'app'))].sort();
  let first: FlyFail | undefined;
  for (const group of groups) {
    const members = tuples.filter((m) => (m.processGroup ?? 'app') === group);
    const warm = members.filter((m) => !run.d.skipsLaunch(run.before.get(m.id), m.standbys));
    const cold = members.filter((m) => !warm.includes(m));
    const failed = await updateProcessGroup(run, tuples, [cold, warm], sl);
    first ??= failed;
  }
  return first;
}

/**
 * `updateProcessGroup` (plan.go:349-422). With the default pool (`getPoolSize`,
 * machines_deploymachinesapp.go:918-925: `ceil(0.33 n)` for the default max_unavailable of
 * machines.go:42, one machine for up to three) the first machine is updated alone; once one fails, the group's context is
 * cancelled and every machine still waiting for the pool says so (:386-390). The simulation
 * updates one machine at a time, exact for pools of one.
 */
async function updateProcessGroup(
  run: Run,
  tuples: SimMachine[],
  sets: SimMachine[][],
  sl: StatusLogger,
): Promise<FlyFail | undefined> {
  let failure: FlyFail | undefined;
  for (const m of sets.flat()) {
    const idx = tuples.indexOf(m);
    if (failure) {
      sl.logStatus(idx, 'failure', 'skipping machine update due to earlier failure');
      continue;
    }
    try {
      await updateMachineWChecks(
        run,
        m,
        (status, text) => sl.logStatus(idx, status, text),
        (text) => sl.log(idx, text),
      );
    } catch (error) {
      if (!(error instanceof FlyFail)) throw error;
      sl.logStatus(idx, 'failure', error.message);
      // :408
      const wrapped = `failed to update machine ${m.id}: ${error.message}`;
      const Kind = error instanceof Unrecoverable ? Unrecoverable : FlyFail;
      failure = new Kind(wrapped, { code: error.code, extra: error.extra });
    }
  }
  return failure;
}

type Line = (status: 'running' | 'success' | 'failure', text: string) => void;

/** `updateMachineWChecks` and `updateOrCreateMachine` (plan.go:586-722) for an existing machine. */
async function updateMachineWChecks(run: Run, m: SimMachine, line: Line, log: (text: string) => void): Promise<void> {
  const { d } = run;
  const checks = run.checks.get(m.id) as Checks;
  const skipLaunch = d.skipsLaunch(run.before.get(m.id), m.standbys);
  line('running', `Updating machine config for ${m.id}`);
  // updateMachineConfig (:827-853): a machine that already has the new config is left as it is.
  if (m.releaseId !== d.release.id) {
    // updateMachine (machines_deploymachinesapp.go:162-205): `Updating <id> [group]` with the line's status.
    log(`Updating ${d.fmtId(m)}`);
    await d.ctx.io.sleep(10);
    d.apply(m);
    if (!skipLaunch) d.boot(m);
    d.save();
    if (d.o.fault === 'update-timeout') {
      // The platform made the change, but its answer never came.
      throw new FlyFail(
        `failed to update VM ${m.id}: Post "https://api.machines.dev/v1/apps/${d.app.name}/machines/${m.id}": net/http: timeout awaiting response headers`,
      );
    }
  }
  line('running', `Updated machine config for ${m.id}`);
  if (!checks.machine || !checks.smoke) {
    line('running', `Waiting for machine ${m.id} to reach a good state`);
    // waitForMachineState (:753-809) waits for stopped, started or suspended.
    line('running', `Machine ${m.id} reached ${m.state} state`);
  }
  if (skipLaunch) {
    line('success', `Machine ${m.id} is now in a good state`);
    return;
  }
  if (!checks.smoke) {
    line('running', `Running smoke checks on machine ${m.id}`);
    try {
      d.smokeChecks(m);
    } catch (error) {
      throw error instanceof FlyFail ? unrecoverable(error) : error;
    }
    checks.smoke = true;
  }
  if (!checks.machine) {
    // runTestMachines: no machine_checks configured, nothing to run.
    line('running', `Running machine checks on machine ${m.id}`);
    checks.machine = true;
  }
  if (!checks.regular) {
    line('running', `Checking health of machine ${m.id}`);
    if (d.o.fault === 'update-eof') {
      // leasable_machine.go:405-408, inside WaitForHealthchecksToPass.
      throw unrecoverable(new FlyFail(`error getting machine ${m.id} from api: EOF`));
    }
    try {
      await d.healthChecks(m, () => {});
    } catch (error) {
      throw error instanceof FlyFail ? unrecoverable(error) : error;
    }
    checks.regular = true;
  }
  line('success', `Machine ${m.id} is now in a good state`);
}
