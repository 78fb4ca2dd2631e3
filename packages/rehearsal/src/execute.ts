/**
 * Executes one step body: a `run:` script with bash, or one of this repo's node24 actions through
 * packages/runner. Both report the same shape, read from the same runner files and command protocol.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Annotation,
  findLeaks,
  parseCommandLine,
  parseFileCommands,
  type RunBundleResult,
  runBundle,
  toAnnotation,
} from '@deploy-actions/runner';
import { runProcess } from '@deploy-actions/toolkit';
import type { RunIdentity } from './run-context';
import type { ResolvedUses } from './uses';

export interface Execution {
  ok: boolean;
  outputs: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  summary: string;
  annotations: Annotation[];
  /** Log lines before masking by the run's mask list (already masked by the step's own add-masks). */
  log: string;
  masks: string[];
  leaks: string[];
}

export interface ExecuteOptions {
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  tempDir: string;
  /** Secrets by name: their values must never appear in anything the step prints or writes. */
  secrets: Record<string, string>;
}

/** `::error`/`::warning`/`::notice` lines of a script as annotations, parsed as the runner parses them. */
function lineAnnotation(line: string): Annotation | undefined {
  const command = parseCommandLine(line);
  return command ? toAnnotation(command) : undefined;
}

function leaksIn(texts: [string, string][], secrets: Record<string, string>): string[] {
  const leaks: string[] = [];
  for (const [name, secret] of Object.entries(secrets)) {
    if (secret.length < 4) continue;
    for (const [where, text] of texts) if (text.includes(secret)) leaks.push(`secret ${name} appears in ${where}`);
  }
  return leaks;
}

/** findLeaks numbers the secrets; name them instead. */
function namedLeaks(result: RunBundleResult, secrets: Record<string, string>): string[] {
  const names = Object.keys(secrets);
  return findLeaks(result, Object.values(secrets)).map((leak) =>
    leak.replace(/secret #(\d+)/, (_, i: string) => `secret ${names[Number(i)]}`),
  );
}

/** Runs a `run:` script as `bash --noprofile --norc -eo pipefail <file>`, like a GitHub-hosted runner. */
export async function runScript(script: string, options: ExecuteOptions): Promise<Execution> {
  const dir = mkdtempSync(join(options.tempDir, 'step-'));
  const files = {
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_ENV: join(dir, 'env'),
    GITHUB_PATH: join(dir, 'path'),
    GITHUB_STATE: join(dir, 'state'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
  };
  for (const file of Object.values(files)) writeFileSync(file, '');
  const scriptFile = join(dir, 'script.sh');
  writeFileSync(scriptFile, script);
  mkdirSync(options.cwd, { recursive: true });
  const result = await runProcess('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], {
    env: { ...options.env, ...files },
    cwd: options.cwd,
    timeoutMs: options.timeoutMs,
  });
  const masks: string[] = [];
  const annotations: Annotation[] = [];
  const log: string[] = [];
  for (const line of result.stdout.split('\n')) {
    const command = parseCommandLine(line);
    if (command?.command === 'add-mask') {
      masks.push(command.message);
      continue;
    }
    const annotation = lineAnnotation(line);
    if (annotation) annotations.push(annotation);
    log.push(masks.reduce((text, m) => text.split(m).join('***'), line));
  }
  for (const line of result.stderr.split('\n')) if (line !== '') log.push(line);
  if (result.timedOut)
    annotations.push({ level: 'error', message: `The step timed out after ${options.timeoutMs} ms` });
  else if (result.code !== 0) {
    annotations.push({ level: 'error', message: `Process completed with exit code ${result.code ?? result.signal}.` });
  }
  const read = (file: string) => readFileSync(file, 'utf8');
  const execution: Execution = {
    ok: result.code === 0 && !result.timedOut,
    outputs: parseFileCommands(read(files.GITHUB_OUTPUT)),
    env: parseFileCommands(read(files.GITHUB_ENV)),
    path: read(files.GITHUB_PATH)
      .split('\n')
      .filter((p) => p !== ''),
    summary: read(files.GITHUB_STEP_SUMMARY),
    annotations,
    log: log.join('\n'),
    masks,
    leaks: [],
  };
  const printed = result.stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  execution.leaks = leaksIn(
    [
      ['stdout', printed],
      ['stderr', result.stderr],
      ['summary', execution.summary],
      ...Object.entries(execution.outputs).map(([k, v]) => [`output ${k}`, v] as [string, string]),
    ],
    options.secrets,
  );
  return execution;
}

export interface ActionRun {
  action: Extract<ResolvedUses, { kind: 'action' }>;
  inputs: Record<string, string>;
  identity: RunIdentity;
  job: string;
  node: 'node24' | 'current';
}

/** Runs one of this repo's actions from its bundle, with the runner's files and command protocol. */
export async function runAction(run: ActionRun, options: ExecuteOptions): Promise<Execution> {
  const { action, identity } = run;
  const result: RunBundleResult = await runBundle(action.action, {
    bundlePath: action.main,
    actionYmlPath: join(action.actionDir, 'action.yml'),
    inputs: run.inputs,
    env: options.env,
    eventName: identity.eventName,
    event: identity.event,
    context: {
      repository: identity.repository,
      sha: identity.sha,
      ref: identity.ref,
      actor: identity.actor,
      runId: identity.runId,
      workflow: identity.workflow,
      job: run.job,
      serverUrl: identity.serverUrl,
      apiUrl: identity.apiUrl,
    },
    githubToken: identity.token,
    cwd: options.cwd,
    node: run.node,
    timeoutMs: options.timeoutMs,
  });
  // The runner files were read into `result`; RUNNER_TEMP is the job's, so nothing else lives here.
  rmSync(result.runnerTemp, { recursive: true, force: true });
  const annotations = [...result.annotations];
  if (result.timedOut)
    annotations.push({ level: 'error', message: `The step timed out after ${options.timeoutMs} ms` });
  return {
    ok: result.exitCode === 0 && !result.timedOut,
    outputs: result.outputs,
    env: result.env,
    path: result.path,
    summary: result.summary,
    annotations,
    log: result.log,
    masks: result.masks,
    leaks: namedLeaks(result, options.secrets),
  };
}
