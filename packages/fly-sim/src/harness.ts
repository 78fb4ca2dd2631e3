import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appUrlOf } from './render';
import type { SimCall } from './server';
import {
  type ConsoleConfig,
  loadState,
  type ServeConfig,
  type SimKnobs,
  type SimMachine,
  type SimState,
} from './state';

export interface FlySimOptions {
  /** Folder for the state (kept on stop). Default: a fresh temp folder, removed on stop. */
  stateDir?: string;
  /** Tokens the platform accepts. Default: any non-empty token. */
  tokens?: string[];
  /** Organizations the token sees. Default: ['personal']. */
  orgs?: string[];
  /** A fault spec applied to every invocation (see README). */
  faults?: string;
  /** flyctl version to play (changes output shapes). Default 0.4.87. */
  version?: string;
  /** How long `slow` images take to pass checks. Default 1500 ms. */
  slowMs?: number;
}

export interface SeedOptions {
  org?: string;
  /** Image labels to deploy in order, e.g. ['v1', 'v2']: one release each (registry.fly.io/<app>:<label>). */
  releases?: string[];
  /** `--ha=false` on the first deploy (one machine instead of two). */
  singleMachine?: boolean;
  /** Secrets set (and deployed) before the releases. */
  secrets?: Record<string, string>;
  proxyTarget?: string;
  console?: ConsoleConfig;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface FlySim {
  /** Folder holding the `flyctl` executable: put it first on PATH. */
  binDir: string;
  /** Absolute path of the `flyctl` executable. */
  flyctl: string;
  stateDir: string;
  /** The platform's control URL (what FLY_SIM_URL holds). */
  url: string;
  /** Env to give anything that runs flyctl: PATH with binDir first, FLY_SIM_URL, FLY_SIM_STATE_DIR (+ version, slowMs). No token. */
  env: Record<string, string>;
  /** The app's loopback URL (`http://127.0.0.1:<port>`), '' until it has been deployed. */
  appUrl(app: string): string;
  /** Creates an app and deploys `releases` through the flyctl executable, then applies proxy/console config. */
  seedApp(name: string, options?: SeedOptions): Promise<void>;
  /** Sets the global fault spec (replacing the previous one; counts restart). */
  injectFaults(spec: string): Promise<void>;
  /** Changes a machine, e.g. `{ state: 'stopped' }` or `{ unhealthy: true }`, to model an incident. */
  patchMachine(app: string, id: string, patch: Partial<SimMachine>): Promise<void>;
  /**
   * Sets where `flyctl proxy` forwards, what `ssh console` runs, server-side knobs (deployRetries,
   * autostopAfterMs, secretsStatus), and the app's own program that serves its requests (`serve`).
   */
  configureApp(
    app: string,
    patch: { proxyTarget?: string; console?: ConsoleConfig; knobs?: SimKnobs; serve?: ServeConfig },
  ): Promise<void>;
  /** Adds a machine (default: stopped, on the app's current release), e.g. `{ processGroup: 'fly_app_test_machine_command' }`; returns its id. */
  addMachine(app: string, machine?: Partial<SimMachine>): Promise<string>;
  /** The platform's state as saved in the state folder. */
  state(): SimState;
  /** Every flyctl invocation so far (args, env names, whether a token was present, exit code). */
  calls(): Promise<SimCall[]>;
  /** Forgets apps, faults and calls (servers of deployed apps stop). */
  reset(): Promise<void>;
  /** Runs the flyctl executable with `env` over sim.env (add FLY_API_TOKEN yourself). */
  run(args: string[], options?: { env?: Record<string, string>; input?: string; cwd?: string }): Promise<RunResult>;
  /** Stops the platform and every app server; removes the temp state folder it made. */
  stop(): Promise<void>;
}

const PACKAGE_DIR = resolve(import.meta.dirname, '..');
const BIN_DIR = join(PACKAGE_DIR, 'bin');
const require = createRequire(import.meta.url);

type Control = (path: string, body?: unknown) => Promise<unknown>;

interface Platform {
  child: ChildProcess;
  url: string;
  /** Settles when the platform process has exited. */
  exited: Promise<void>;
}

/** Spawns serve.ts under tsx on `stateDir` and waits (at most 30 s) for the URL it listens on. */
async function spawnPlatform(stateDir: string, options: FlySimOptions): Promise<Platform> {
  const tsx = pathToFileURL(require.resolve('tsx/esm')).href;
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', tsx, join(import.meta.dirname, 'serve.ts'), stateDir],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {
        ...process.env,
        FLY_SIM_SERVER_OPTIONS: JSON.stringify({ tokens: options.tokens, orgs: options.orgs, faults: options.faults }),
      },
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`fly-sim did not start in 30s: ${stderr}`)), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /fly-sim listening (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fly-sim exited with ${code}: ${stderr}`));
    });
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, url, exited };
}

/** The env that points flyctl (the sim's executable) at the platform; no token. */
function flyctlEnv(url: string, stateDir: string, options: FlySimOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: `${BIN_DIR}${delimiter}${process.env.PATH ?? ''}`,
    FLY_SIM_URL: url,
    FLY_SIM_STATE_DIR: stateDir,
    // flyctl's API base (superfly/flyctl@v0.4.87 internal/config/config.go:22,49); Prometheus on
    // Fly.io lives under it (`<base>/prometheus/<org>`), so the traffic analysis finds the sim's.
    FLY_API_BASE_URL: url,
  };
  if (options.version) env.FLY_SIM_VERSION = options.version;
  if (options.slowMs !== undefined) env.FLY_SIM_SLOW_MS = String(options.slowMs);
  return env;
}

/** Calls the platform's control API: GET without a body, POST with one; an `error` answer throws. */
function controlClient(url: string): Control {
  return async (path, body) => {
    const res = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const value = (await res.json()) as { error?: string };
    if (value && typeof value === 'object' && 'error' in value && value.error)
      throw new Error(`fly-sim: ${value.error}`);
    return value;
  };
}

/** Runs the sim's flyctl executable in `stateDir` (unless told another cwd) and collects its output. */
function flyctlRunner(env: Record<string, string>, stateDir: string): FlySim['run'] {
  return (args, runOptions = {}) =>
    new Promise((resolveRun, reject) => {
      const proc = spawn(join(BIN_DIR, 'flyctl'), args, {
        cwd: runOptions.cwd ?? stateDir,
        env: { ...process.env, ...env, ...runOptions.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let err = '';
      proc.stdout.setEncoding('utf8').on('data', (c: string) => {
        stdout += c;
      });
      proc.stderr.setEncoding('utf8').on('data', (c: string) => {
        err += c;
      });
      proc.on('error', reject);
      proc.on('close', (code) => resolveRun({ code, stdout, stderr: err }));
      proc.stdin.end(runOptions.input ?? '');
    });
}

/** Creates an app through flyctl, as a user would: apps create, secrets import, one deploy per release. */
async function seedApp(
  run: FlySim['run'],
  control: Control,
  options: FlySimOptions,
  name: string,
  seed: SeedOptions,
): Promise<void> {
  const token = { FLY_API_TOKEN: options.tokens?.[0] ?? 'fly-sim-seed-token' };
  const must = async (args: string[], input?: string) => {
    const r = await run(args, { env: token, input });
    if (r.code !== 0) throw new Error(`fly-sim seed: flyctl ${args.join(' ')} failed: ${r.stderr}`);
  };
  await must(['apps', 'create', name, '--org', seed.org ?? options.orgs?.[0] ?? 'personal']);
  if (seed.secrets && Object.keys(seed.secrets).length > 0) {
    const text = Object.entries(seed.secrets)
      .map(([k, v]) => `${k}="""${v}"""`)
      .join('\n');
    await must(['secrets', 'import', '--app', name, '--stage'], `${text}\n`);
  }
  for (const [i, label] of (seed.releases ?? []).entries()) {
    const args = ['deploy', '--app', name, '--image', `registry.fly.io/${name}:${label}`, '--yes'];
    if (i === 0 && seed.singleMachine) args.push('--ha=false');
    // Seeds of failing images (crash...) are allowed to fail: that is the point of them.
    await run(args, { env: token });
  }
  if (seed.proxyTarget !== undefined || seed.console !== undefined) {
    await control('/control/app', { name, patch: { proxyTarget: seed.proxyTarget, console: seed.console } });
  }
}

/** SIGTERM, then SIGKILL after 5 s if the platform has not exited. */
async function stopPlatform({ child, exited }: Platform): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Starts the fly-sim platform in its own process and returns handles for tests. */
export async function startFlySim(options: FlySimOptions = {}): Promise<FlySim> {
  const ownDir = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'fly-sim-'));
  const platform = await spawnPlatform(stateDir, options);
  const { url } = platform;
  const env = flyctlEnv(url, stateDir, options);
  const control = controlClient(url);
  const run = flyctlRunner(env, stateDir);
  return {
    binDir: BIN_DIR,
    flyctl: join(BIN_DIR, 'flyctl'),
    stateDir,
    url,
    env,
    appUrl(app) {
      const found = loadState(stateDir).apps[app];
      return found ? appUrlOf(found) : '';
    },
    seedApp: (name, seed = {}) => seedApp(run, control, options, name, seed),
    async injectFaults(spec) {
      await control('/control/faults', { spec });
    },
    async patchMachine(app, id, patch) {
      await control('/control/machine', { app, id, patch });
    },
    async configureApp(app, patch) {
      await control('/control/app', { name: app, patch });
    },
    async addMachine(app, machine = {}) {
      return ((await control('/control/add-machine', { app, machine })) as { id: string }).id;
    },
    state() {
      return loadState(stateDir);
    },
    async calls() {
      return (await control('/control/calls')) as unknown as SimCall[];
    },
    async reset() {
      await control('/control/reset', {});
    },
    run,
    async stop() {
      await stopPlatform(platform);
      if (ownDir && existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
