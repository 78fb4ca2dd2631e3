import type { SimApp, SimEvent, SimExitEvent, SimMachine } from './state';

/**
 * Machine events as the Machines API reports them: fly-go's MachineEvent / MachineRequest /
 * MachineExitEvent (superfly/fly-go@v0.9.5 machine_types.go:293-336), newest first (flyctl
 * reads the first `exit` it meets as the latest: flyctl@v0.4.87 internal/machine/leasable_machine.go:303-312).
 */
function addEvent(machine: SimMachine, event: SimEvent): void {
  machine.events = [event, ...(machine.events ?? [])].slice(0, 20);
}

const exitEvent = (at: number, over: Partial<SimExitEvent>): SimExitEvent => ({
  exit_code: 0,
  oom_killed: false,
  requested_stop: false,
  restarting: false,
  exited_at: new Date(at).toISOString(),
  ...over,
});

/** A machine launched by a deploy: `launch` (status created). */
export function launched(machine: SimMachine, at = Date.now()): void {
  addEvent(machine, { type: 'launch', status: 'created', source: 'user', timestamp: at });
}

/** The machine's main process starts: `start` (status started). */
export function started(machine: SimMachine, at = Date.now()): void {
  machine.state = 'started';
  addEvent(machine, { type: 'start', status: 'started', source: 'flyd', timestamp: at });
}

/** The machine's main process ends; `state` is where it ends up. */
function exited(machine: SimMachine, at: number, event: Partial<SimExitEvent>, restartCount?: number): void {
  addEvent(machine, {
    type: 'exit',
    status: event.restarting ? 'started' : 'stopped',
    source: 'flyd',
    timestamp: at,
    request: { exit_event: exitEvent(at, event), ...(restartCount ? { restart_count: restartCount } : {}) },
  });
  if (!event.restarting) machine.state = 'stopped';
  machine.updatedAt = new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
}

function log(
  machine: SimMachine,
  at: number,
  provider: 'app' | 'runner' | 'proxy',
  level: 'info' | 'error',
  message: string,
) {
  machine.logs = [...(machine.logs ?? []), { timestamp: new Date(at).toISOString(), provider, level, message }].slice(
    -200,
  );
}

/** A restart policy of `on-failure` with fly's default of 10 retries (fly-go machine_types.go MachineRestart). */
const MAX_RESTARTS = 10;
/** How often a crash-looping machine restarts in the simulation. */
const LOOP_PERIOD_MS = 1_000;

/** Logs an app writes when it starts, so `flyctl logs` has something before a crash. */
export function bootLogs(machine: SimMachine, at = Date.now()): void {
  log(machine, at, 'runner', 'info', `Pulling container image ${machine.imageRef}`);
  log(machine, at, 'app', 'info', 'Listening on 0.0.0.0:8080');
}

/**
 * Applies what was due by `now`: a crash (exit 1, OOM kill, one more turn of a restart
 * loop) or the proxy's autostop of an idle machine. True when anything changed.
 */
export function settleMachine(machine: SimMachine, now = Date.now()): boolean {
  const p = machine.pending;
  if (!p || now < p.at || machine.state === 'destroyed') return false;
  switch (p.kind) {
    case 'exit1':
      log(machine, p.at, 'app', 'error', "Error: Cannot find module '/app/dist/server.js'");
      log(machine, p.at, 'runner', 'info', 'Main child exited normally with code: 1');
      exited(machine, p.at, { exit_code: 1 });
      machine.pending = undefined;
      return true;
    case 'oom':
      log(
        machine,
        p.at,
        'runner',
        'error',
        'Out of memory: Killed process 322 (node) total-vm:1285420kB, anon-rss:243512kB',
      );
      exited(machine, p.at, { exit_code: 137, oom_killed: true });
      machine.pending = undefined;
      return true;
    case 'autostop':
      // The proxy stops an idle machine: a `stop` request from the user side, then a requested exit 0.
      if (machine.state !== 'started') {
        machine.pending = undefined;
        return false;
      }
      log(machine, p.at, 'proxy', 'info', 'App has excess capacity, autostopping machine');
      addEvent(machine, { type: 'stop', status: 'stopping', source: 'user', timestamp: p.at });
      exited(machine, p.at, { exit_code: 0, requested_stop: true });
      machine.pending = undefined;
      return true;
    case 'crashloop': {
      // Each turn: exit 1 and a restart, until the restart policy gives up.
      const done = (machine.events ?? []).filter((e) => e.type === 'exit').length;
      const due = Math.min(MAX_RESTARTS + 1, Math.floor((now - p.at) / LOOP_PERIOD_MS) + 1);
      for (let n = done + 1; n <= due; n++) {
        const at = p.at + (n - 1) * LOOP_PERIOD_MS;
        log(machine, at, 'app', 'error', 'Error: connect ECONNREFUSED 10.0.0.5:5432');
        const restarting = n <= MAX_RESTARTS;
        exited(machine, at, { exit_code: 1, restarting }, n);
        if (restarting) started(machine, at + 10);
      }
      if (due > MAX_RESTARTS) machine.pending = undefined;
      return due > done;
    }
  }
}

/** Settles every machine of an app; true when anything changed. */
export function settleApp(app: SimApp, now = Date.now()): boolean {
  let changed = false;
  for (const m of app.machines) changed = settleMachine(m, now) || changed;
  return changed;
}

/**
 * flyctl's `isConstantlyRestarting` (flyctl@v0.4.87 internal/machine/leasable_machine.go:303-323):
 * the latest exit event is not a requested stop, is restarting, with restart_count > 1 and a
 * non-zero exit code.
 */
export function isConstantlyRestarting(machine: SimMachine): boolean {
  const exit = (machine.events ?? []).find((e) => e.type === 'exit');
  const ev = exit?.request?.exit_event;
  return !!ev && !ev.requested_stop && ev.restarting && (exit?.request?.restart_count ?? 0) > 1 && ev.exit_code !== 0;
}
