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

export interface SimMachine {
  id: string;
  name: string;
  region: string;
  state: 'created' | 'started' | 'stopped' | 'destroyed';
  imageRef: string;
  releaseId: string;
  releaseVersion: number;
  instanceId: string;
  privateIp: string;
  env: Record<string, string>;
  createdAt: string;
  updatedAt: string;
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
