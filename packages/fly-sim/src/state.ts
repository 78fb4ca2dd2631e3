import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One release as the platform records it. */
export interface SimRelease {
  id: string;
  version: number;
  status: 'running' | 'complete' | 'failed' | 'interrupted';
  imageRef: string;
  strategy: string;
  createdAt: string;
}

export interface SimCheck {
  name: string;
  status: 'passing' | 'warning' | 'critical';
  output: string;
  updatedAt: string;
}

/**
 * fly-go's MachineExitEvent (superfly/fly-go@v0.9.5 machine_types.go:327-336): what the
 * platform reports when a machine's main process ends.
 */
export interface SimExitEvent {
  exit_code: number;
  oom_killed: boolean;
  requested_stop: boolean;
  restarting: boolean;
  exited_at: string;
}

/** fly-go's MachineEvent (machine_types.go:293-299), newest first in the API's answer. */
export interface SimEvent {
  type: 'launch' | 'start' | 'exit' | 'update' | 'stop';
  status: string;
  source: 'user' | 'flyd';
  timestamp: number;
  request?: { exit_event?: SimExitEvent; restart_count?: number };
}

/** What a machine is set to do later: crash (exit 1, OOM, a restart loop) or be autostopped. */
export interface SimPending {
  kind: 'exit1' | 'oom' | 'crashloop' | 'autostop';
  at: number;
}

/** One line of `flyctl logs` (logs/entry.go LogEntry), kept per machine. */
export interface SimLogLine {
  timestamp: string;
  provider: 'app' | 'runner' | 'proxy';
  level: 'info' | 'error' | 'warn';
  message: string;
}

export interface SimMachine {
  id: string;
  name: string;
  region: string;
  /** Machines API states (fly-go machine_types.go): created, started, stopped, suspended, destroyed. */
  state: 'created' | 'started' | 'stopped' | 'suspended' | 'destroyed';
  imageRef: string;
  releaseId: string;
  releaseVersion: number;
  instanceId: string;
  privateIp: string;
  env: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  /** `fly_process_group` (or the legacy `process_group` key with `legacyGroupKey`). */
  processGroup?: string;
  legacyGroupKey?: boolean;
  /** A canary of the canary strategy (`fly_canary: "true"` in its metadata). */
  canary?: boolean;
  /** `config.standbys`: the machines this one stands by for (groups without services). */
  standbys?: string[];
  /** Its group has services (checks and services in its config, and the proxy routes to it). */
  hasServices?: boolean;
  events?: SimEvent[];
  pending?: SimPending;
  logs?: SimLogLine[];
  /** Until this time (ms) the app on the machine is still starting (`slow` images). */
  readyAt?: number;
  /** The app answers 500 and its checks are critical (`unhealthy` images). */
  unhealthy?: boolean;
}

export interface SimSecret {
  value: string;
  digest: string;
  createdAt: string;
  updatedAt: string;
  /** False while staged: set but not yet on the machines. */
  deployed: boolean;
}

/** What `ssh console -C` runs: the command in `cwd` with the app's secrets and `env`. */
export interface ConsoleConfig {
  cwd?: string;
  env?: Record<string, string>;
  /** Run this argv instead of `sh -c <command>`; the requested command is in FLY_SSH_COMMAND. */
  command?: string[];
}

/**
 * The app's own program, run for each image the app's machines serve, so requests reach what the
 * image would run (its Dockerfile's CMD) instead of the platform's built-in `/health` answer. It gets
 * the variables a Fly machine gives its process (https://fly.io/docs/machines/runtime-environment/):
 * FLY_APP_NAME, FLY_MACHINE_ID, FLY_IMAGE_REF, FLY_REGION, PORT, plus `env` (fly.toml `[env]`)
 * and the app's deployed secrets.
 */
export interface ServeConfig {
  command: string[];
  cwd: string;
  env?: Record<string, string>;
  /** The port the program listens on (fly.toml's internal_port); the platform hands it a free one as PORT. */
  internalPort?: number;
}

export interface SimApp {
  name: string;
  id: string;
  org: string;
  createdAt: string;
  releases: SimRelease[];
  machines: SimMachine[];
  secrets: Record<string, SimSecret>;
  /** Loopback port of the app's HTTP server once it has been deployed. */
  port?: number;
  /** Where `flyctl proxy` forwards (`host:port`). */
  proxyTarget?: string;
  console?: ConsoleConfig;
  serve?: ServeConfig;
  /** The app config of the last deploy (flyctl falls back to it without a fly.toml: appconfig.FromRemoteApp). */
  config?: SimAppConfig;
  knobs?: SimKnobs;
  /** Addresses allocated with `ips allocate-*`. */
  ips?: SimIp[];
}

/** An IP address of an app (fly-go@v0.9.5 types.go:484-497). */
export interface SimIp {
  id: string;
  address: string;
  /** v4, shared_v4, v6, private_v6 (internal/command/ips/render.go:26-35). */
  type: 'v4' | 'shared_v4' | 'v6' | 'private_v6';
  region: string;
  createdAt: string;
  org: string;
  network?: string;
}

/** What the platform knows of an app's config: its process groups, services and release command. */
export interface SimAppConfig {
  processes: string[];
  /** `autostart: false` (auto_start_machines = false): the proxy never starts a stopped machine of the group. */
  services: { processes: string[]; autostop: 'off' | 'stop' | 'suspend'; autostart?: boolean }[];
  releaseCommand?: string;
}

/** Server-side behaviours a test can switch on for one app. */
export interface SimKnobs {
  /** LaunchDarkly `deploy-retries` (flyctl@v0.4.87 deploy.go:621-633): > 0 takes the recovery path (plan.go). */
  deployRetries?: number;
  /** The proxy autostops idle machines this long after a deploy (auto_stop_machines). */
  autostopAfterMs?: number;
  /** What `secrets list` reports for deployed secrets (list.go:93-107 computes Partial/Unknown). */
  secretsStatus?: 'Partial' | 'Unknown';
  /** `ok`: the app's /health answers `{"ok":true}` (no version), as many apps do. */
  healthBody?: 'ok';
}

export interface SimState {
  apps: Record<string, SimApp>;
  orgs: string[];
  /** Accepted tokens; empty means any non-empty token. */
  tokens: string[];
  user: { id: string; name: string; email: string };
}

export function emptyState(): SimState {
  return {
    apps: {},
    orgs: ['personal'],
    tokens: [],
    user: { id: 'U1a2b3c', name: 'Deploy Bot', email: 'deploy-bot@example.com' },
  };
}

export const STATE_FILE = 'state.json';
export const SERVER_FILE = 'server.json';

export function loadState(dir: string): SimState {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return emptyState();
  return { ...emptyState(), ...(JSON.parse(readFileSync(file, 'utf8')) as SimState) };
}

/** Writes atomically, so a reader never sees half a file. */
export function saveState(dir: string, state: SimState): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}
