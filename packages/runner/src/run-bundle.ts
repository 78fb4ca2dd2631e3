import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { type Annotation, parseCommandLine, parseFileCommands } from './commands';
import { node24Path } from './node';

/** toolkit's TEST_SOURCES_FLAG (test equipment does not import action code). */
const TEST_SOURCES_FLAG = '--deploy-actions-test-sources=';

import { StepLog } from './step-log';

/** The repository root (packages/runner/src -> ../../..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface RunContextOverrides {
  repository?: string;
  sha?: string;
  ref?: string;
  refName?: string;
  refType?: 'branch' | 'tag';
  actor?: string;
  runId?: string;
  runAttempt?: string;
  workflow?: string;
  job?: string;
  serverUrl?: string;
  apiUrl?: string;
}

export interface RunBundleOptions {
  /** Input values by their action.yml name; missing ones get action.yml defaults. */
  inputs?: Record<string, string | number | boolean | undefined>;
  /** Extra environment, over a minimal base like a runner's. */
  env?: Record<string, string | undefined>;
  eventName?: string;
  event?: unknown;
  context?: RunContextOverrides;
  /** GITHUB_WORKSPACE and the working directory; a fresh temp folder by default. */
  cwd?: string;
  /** Which Node runs the bundle: the node24 package (as on GitHub) or the Node running the tests. */
  node?: 'node24' | 'current';
  timeoutMs?: number;
  /** Bundle to run instead of dist/<name>/index.js (tests of the runner itself). */
  bundlePath?: string;
  /** Where action.yml is read from instead of <root>/<name>/action.yml. */
  actionYmlPath?: string;
  /** What `${{ github.token }}` in an action.yml default evaluates to (empty by default). */
  githubToken?: string;
  /** State saved by a previous run's `GITHUB_STATE` (for post steps). */
  state?: Record<string, string>;
  /**
   * Local servers to download tools from instead of the official ones (`flyctl-download`,
   * `flyctl-releases`, `squawk-download`): passed as the bundle argument toolkit's
   * `downloadSource` reads, the one channel a workflow cannot set.
   */
  downloadSources?: Record<string, string>;
}

export interface RunBundleResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  outputs: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  state: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  /**
   * The log as the job log shows it: commands consumed (annotations as `##[error]message`),
   * `add-mask` values masked from their line on, `stop-commands` honoured. Never echoed to
   * the test output: tests assert on it, on `commands` and on `annotations`.
   */
  log: string;
  /** Every line the runner took as a command (raw, unmasked), in order. */
  commands: { command: string; message: string; line: string }[];
  /** `::debug::` messages (shown only with step debugging on). */
  debug: string[];
  /** Everything the bundle wrote to stdout, unmasked. */
  stdout: string;
  stderr: string;
  /** Values registered with `::add-mask::`, longest first. */
  masks: string[];
  durationMs: number;
  /** The folder holding the runner files of this run. */
  runnerTemp: string;
}

interface ActionDefinition {
  inputs?: Record<string, { default?: unknown }>;
}

function readDefaults(path: string): Record<string, string> {
  const action = parse(readFileSync(path, 'utf8')) as ActionDefinition;
  const defaults: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs ?? {})) {
    if (spec?.default !== undefined && spec.default !== null) defaults[name] = String(spec.default);
  }
  return defaults;
}

/** Run folders to remove when the test process ends (tests read files from them until then). */
const runFolders = new Set<string>();

function removeAtExit(folder: string): void {
  if (runFolders.size === 0) {
    process.once('exit', () => {
      for (const dir of runFolders) rmSync(dir, { recursive: true, force: true });
    });
  }
  runFolders.add(folder);
}

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Spawns the bundle in its own process group (a timeout kills it and anything it started) and collects both streams. */
function spawnBundle(
  nodeBinary: string,
  args: string[],
  workspace: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<ChildResult> {
  return new Promise<ChildResult>((done, fail) => {
    const child = spawn(nodeBinary, args, {
      cwd: workspace,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    let expired = false;
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
    });
    const timer = setTimeout(() => {
      expired = true;
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', fail);
    child.on('close', (c, s) => {
      clearTimeout(timer);
      done({ code: c, signal: s, stdout: out, stderr: err, timedOut: expired });
    });
  });
}

/**
 * Runs `dist/<name>/index.js` the way the Actions runner runs a `node24` action:
 * INPUT_* variables with defaults applied, the runner's files, the GITHUB_* context,
 * and the workflow-command protocol on stdout.
 */
export async function runBundle(name: string, options: RunBundleOptions = {}): Promise<RunBundleResult> {
  const bundle = options.bundlePath ?? join(REPO_ROOT, 'dist', name, 'index.js');
  const defaults = readDefaults(options.actionYmlPath ?? join(REPO_ROOT, name, 'action.yml'));
  const temp = mkdtempSync(join(tmpdir(), `runner-${name}-`));
  removeAtExit(temp);
  const workspace = options.cwd ?? join(temp, 'workspace');
  mkdirSync(workspace, { recursive: true });
  const files = {
    GITHUB_OUTPUT: join(temp, 'output'),
    GITHUB_ENV: join(temp, 'env'),
    GITHUB_PATH: join(temp, 'path'),
    GITHUB_STATE: join(temp, 'state'),
    GITHUB_STEP_SUMMARY: join(temp, 'summary.md'),
    GITHUB_EVENT_PATH: join(temp, 'event.json'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  writeFileSync(files.GITHUB_EVENT_PATH, JSON.stringify(options.event ?? {}));

  const ctx = options.context ?? {};
  const repository = ctx.repository ?? 'acme/shop';
  const ref = ctx.ref ?? 'refs/heads/main';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? temp,
    // The runner's child starts from the runner's own environment (ProcessStartInfo.Environment,
    // actions/runner src/Runner.Sdk/ProcessInvoker.cs "Copy the environment variables"), so a
    // machine's TMPDIR reaches the action: its temp files go where the machine's do.
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'local-runner',
    RUNNER_TEMP: join(temp, 'runner-temp'),
    RUNNER_TOOL_CACHE: join(temp, 'tool-cache'),
    GITHUB_WORKSPACE: workspace,
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0],
    GITHUB_SHA: ctx.sha ?? '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: ref,
    GITHUB_REF_NAME: ctx.refName ?? ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REF_TYPE: ctx.refType ?? (ref.startsWith('refs/tags/') ? 'tag' : 'branch'),
    GITHUB_ACTOR: ctx.actor ?? 'octocat',
    GITHUB_RUN_ID: ctx.runId ?? '1000',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ATTEMPT: ctx.runAttempt ?? '1',
    GITHUB_WORKFLOW: ctx.workflow ?? 'deploy',
    GITHUB_JOB: ctx.job ?? 'deploy',
    GITHUB_ACTION: name,
    GITHUB_SERVER_URL: ctx.serverUrl ?? 'https://github.com',
    GITHUB_API_URL: ctx.apiUrl ?? 'https://api.github.com',
    ...files,
  };
  mkdirSync(env.RUNNER_TEMP, { recursive: true });
  mkdirSync(env.RUNNER_TOOL_CACHE, { recursive: true });
  for (const [key, value] of Object.entries(options.state ?? {})) env[`STATE_${key}`] = value;
  // The runner evaluates expression defaults; the only one our actions use is the job token.
  const inputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(defaults)) {
    inputs[key] = value.replace(/\$\{\{\s*github\.token\s*\}\}/g, options.githubToken ?? '');
  }
  for (const [key, value] of Object.entries(options.inputs ?? {})) {
    if (value !== undefined) inputs[key] = String(value);
  }
  for (const [key, value] of Object.entries(inputs)) env[`INPUT_${key.replace(/ /g, '_').toUpperCase()}`] = value;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }

  const nodeBinary = options.node === 'current' ? process.execPath : node24Path();
  const testArgs: string[] = [];
  if (options.downloadSources) {
    const file = join(temp, 'download-sources.json');
    writeFileSync(file, JSON.stringify(options.downloadSources));
    testArgs.push(`${TEST_SOURCES_FLAG}${file}`);
  }
  const started = Date.now();
  const { code, signal, stdout, stderr, timedOut } = await spawnBundle(
    nodeBinary,
    [bundle, ...testArgs],
    workspace,
    env,
    options.timeoutMs ?? 120_000,
  );

  // One log for both streams, as the runner has (stdout first: the two are not interleaved here).
  const stepLog = new StepLog();
  stepLog.feedText(stdout);
  stepLog.feedText(stderr);

  const read = (file: string) => readFileSync(file, 'utf8');
  return {
    exitCode: code,
    signal,
    timedOut,
    outputs: { ...stepLog.legacyOutputs, ...parseFileCommands(read(files.GITHUB_OUTPUT)) },
    env: parseFileCommands(read(files.GITHUB_ENV)),
    path: read(files.GITHUB_PATH)
      .split('\n')
      .filter((p) => p !== ''),
    state: { ...stepLog.legacyState, ...parseFileCommands(read(files.GITHUB_STATE)) },
    summary: read(files.GITHUB_STEP_SUMMARY),
    annotations: stepLog.annotations,
    log: stepLog.text(),
    commands: stepLog.commands,
    debug: stepLog.debug,
    stdout,
    stderr,
    masks: [...stepLog.masks].sort((a, b) => b.length - a.length),
    durationMs: Date.now() - started,
    runnerTemp: temp,
  };
}

/** Every form of a secret a reader could recover it from: raw, trimmed, each line of 8+ characters, encodings. */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>();
  for (const value of [secret, secret.trim()]) {
    if (value === '') continue;
    const bytes = Buffer.from(value, 'utf8');
    forms.add(value);
    forms.add(bytes.toString('base64'));
    forms.add(bytes.toString('base64url'));
    forms.add(encodeURIComponent(value));
    forms.add(JSON.stringify(value).slice(1, -1));
  }
  for (const line of secret.split(/\r?\n/)) if (line.trim().length >= 8) forms.add(line.trim());
  return [...forms];
}

/** Files a run wrote under its own folders (runner temp, tool cache, a default workspace), protocol files aside. */
export function writtenFiles(result: RunBundleResult): [path: string, text: string][] {
  const protocol = new Set(['output', 'env', 'path', 'state', 'summary.md', 'event.json', 'download-sources.json']);
  const files: [string, string][] = [];
  const visit = (dir: string, top: boolean) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path, false);
      else if (entry.isFile() && !(top && protocol.has(entry.name))) files.push([path, readFileSync(path, 'latin1')]);
    }
  };
  visit(result.runnerTemp, true);
  return files;
}

export interface LeakScanOptions {
  /** Command lines of the processes the run started (fly-sim records flyctl's). */
  argv?: readonly (readonly string[])[];
  /** Also search every file the run wrote under its folders. */
  files?: boolean;
  /** Public texts that may contain a secret by accident (an app name holding a short secret): not searched. */
  publicTexts?: readonly string[];
  /** Shorter secrets are not searched (default 4: they would be found everywhere). */
  minLength?: number;
}

/**
 * Where any of `secrets` (raw, trimmed, a line of it, or its base64 / base64url / URL-encoded /
 * JSON-escaped form) appears in what a run printed or wrote: stdout except the lines the runner
 * took as `::add-mask::`, stderr, the summary, outputs, env, path and state; with `options`,
 * files written and argv. An empty list means nothing leaked. Secrets under 4 characters are
 * not searched: they would be found everywhere.
 */
export function findLeaks(
  result: RunBundleResult,
  secrets: readonly string[],
  options: LeakScanOptions = {},
): string[] {
  const places: [string, string][] = [
    [
      'stdout',
      result.stdout
        .split('\n')
        .filter((l) => parseCommandLine(l)?.command.toLowerCase() !== 'add-mask')
        .join('\n'),
    ],
    ['stderr', result.stderr],
    ['summary', result.summary],
    ['state', JSON.stringify(result.state)],
    ...Object.entries(result.outputs).map(([k, v]) => [`output ${k}`, v] as [string, string]),
    ...Object.entries(result.env).map(([k, v]) => [`env ${k}`, v] as [string, string]),
    ['path', result.path.join('\n')],
    ...(options.files ? writtenFiles(result).map(([path, text]) => [`file ${path}`, text] as [string, string]) : []),
    ...(options.argv ?? []).map((argv) => [`argv ${argv.slice(0, 2).join(' ')}`, argv.join('\n')] as [string, string]),
  ];
  const leaks: string[] = [];
  const publicTexts = options.publicTexts ?? [];
  const searched = places.map(([where, text]) => [where, publicTexts.reduce((t, p) => t.split(p).join(' '), text)]);
  secrets.forEach((secret, index) => {
    if (secret.trim().length < (options.minLength ?? 4)) return;
    const forms = secretForms(secret);
    for (const [where, text] of searched) {
      if (forms.some((form) => text.includes(form))) leaks.push(`secret #${index} appears in ${where}`);
    }
  });
  return leaks;
}
