/**
 * Executes a workflow file locally the way the Actions runner would: `workflow_call` inputs and
 * secrets checked against their declarations, jobs in `needs` order, `if:` with the status functions,
 * env at every level, GITHUB_ENV/GITHUB_OUTPUT/GITHUB_PATH between steps, step and job outputs,
 * continue-on-error, and the workflow's outputs. Jobs run one after another on this machine.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, resolve } from 'node:path';
import { isMapping } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { REPO_ROOT } from '@deploy-actions/runner';
import { RehearsalError } from './errors';
import { type Execution, runAction, runScript } from './execute';
import {
  asString,
  evaluateCondition,
  evaluateExpression,
  evaluateStringMap,
  evaluateToken,
  type Json,
  type Scope,
} from './expressions';
import { Masker } from './mask';
import type { JobRecord, Result, RunRecord, StepRecord } from './model';
import {
  defaultEnv,
  type GitHubOptions,
  githubContext,
  type RunIdentity,
  runIdentity,
  runnerContext,
} from './run-context';
import { type ResolvedUses, resolveUses } from './uses';
import { type JobPlan, loadWorkflow, type StepPlan, type WorkflowPlan } from './workflow';

export interface RehearsalOptions {
  /** Path of the workflow file to execute. */
  workflow: string;
  eventName: string;
  /** The event payload (`github.event`). */
  event?: Record<string, Json>;
  /** `workflow_call` inputs, checked against `on.workflow_call.inputs`. */
  inputs?: Record<string, string | boolean | number>;
  /** `workflow_call` secrets, checked against `on.workflow_call.secrets`. */
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  /** Secrets and variables of deployment environments, given to jobs that name them in `environment:`. */
  environments?: Record<string, { secrets?: Record<string, string>; vars?: Record<string, string> }>;
  github?: GitHubOptions;
  /** The checked-out repository (GITHUB_WORKSPACE). */
  workspace: string;
  /** Variables every step's process gets (PATH with a flyctl, service URLs). */
  env?: Record<string, string>;
  /** Where `$/x`, `./x` and `<owner>/deploy-actions/x@ref` resolve; this repo by default. */
  repoRoot?: string;
  node?: 'node24' | 'current';
  /** Step timeout when neither the step nor its job sets timeout-minutes. */
  stepTimeoutMs?: number;
  /**
   * Values that are not secrets of the workflow but must never be printed either (parts of a secret,
   * such as one value inside APP_SECRETS or the password inside a URL), by a name for leak reports.
   */
  sensitive?: Record<string, string>;
  onStep?: (step: StepRecord) => void;
  onJob?: (job: JobRecord) => void;
}

interface RunState {
  options: RehearsalOptions;
  plan: WorkflowPlan;
  identity: RunIdentity;
  masker: Masker;
  secrets: Record<string, string>;
  inputs: Record<string, Json>;
  workflowEnv: Record<string, string>;
  uses: Map<string, ResolvedUses>;
  temp: string;
  jobs: Map<string, JobRecord>;
}

const MINUTE = 60_000;

function coerceInput(name: string, type: string, value: Json): Json {
  if (type === 'boolean') {
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new RehearsalError(`input '${name}' must be a boolean (true or false), got ${JSON.stringify(value)}`);
  }
  if (type === 'number') {
    const n = typeof value === 'number' ? value : Number(value);
    if (value === '' || Number.isNaN(n)) throw new RehearsalError(`input '${name}' must be a number, got ${value}`);
    return n;
  }
  return asString(value, `input '${name}'`);
}

/** The `inputs` context: given values checked and typed, defaults applied, unknown names refused. */
function resolveInputs(plan: WorkflowPlan, given: Record<string, string | boolean | number>, github: Json) {
  const declared = plan.call?.inputs ?? {};
  const unknown = Object.keys(given).filter((name) => !(name in declared));
  if (unknown.length > 0) {
    const valid = Object.keys(declared).join(', ') || 'none';
    throw new RehearsalError(`${plan.name}: unknown input(s) ${unknown.join(', ')}; the workflow declares: ${valid}`);
  }
  const inputs: Record<string, Json> = {};
  for (const [name, def] of Object.entries(declared)) {
    if (name in given) {
      inputs[name] = coerceInput(name, def.type, given[name]);
    } else if (def.required) {
      throw new RehearsalError(`${plan.name}: required input '${name}' was not given`);
    } else if (def.default) {
      const value = evaluateToken(def.default, { contexts: { github }, where: `inputs.${name}.default` });
      inputs[name] = coerceInput(name, def.type, value);
    } else {
      inputs[name] = def.type === 'boolean' ? false : def.type === 'number' ? 0 : '';
    }
  }
  return inputs;
}

/** The `secrets` context: declared secrets that were given, plus GITHUB_TOKEN. */
function resolveSecrets(plan: WorkflowPlan, given: Record<string, string>, token: string) {
  const declared = plan.call?.secrets ?? {};
  const unknown = Object.keys(given).filter((name) => plan.call && !(name in declared));
  if (unknown.length > 0) {
    throw new RehearsalError(`${plan.name}: secret(s) ${unknown.join(', ')} are not declared by the workflow`);
  }
  for (const [name, def] of Object.entries(declared)) {
    if (def.required && !given[name]) throw new RehearsalError(`${plan.name}: required secret '${name}' was not given`);
  }
  return { ...given, GITHUB_TOKEN: token };
}

/** Resolves every `uses:` before anything runs, so an unsupported action stops the rehearsal up front. */
function resolveAllUses(plan: WorkflowPlan, repoRoot: string): Map<string, ResolvedUses> {
  const resolved = new Map<string, ResolvedUses>();
  const problems: string[] = [];
  for (const job of plan.jobs) {
    for (const step of job.steps) {
      if (!step.uses || resolved.has(step.uses)) continue;
      try {
        resolved.set(step.uses, resolveUses(step.uses, repoRoot));
      } catch (err) {
        problems.push(`jobs.${job.id} (line ${step.line}): ${(err as Error).message}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new RehearsalError(`${plan.name} cannot be rehearsed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return resolved;
}

function ancestors(plan: WorkflowPlan, job: JobPlan): string[] {
  const byId = new Map(plan.jobs.map((j) => [j.id, j]));
  const seen = new Set<string>();
  const walk = (j: JobPlan) => {
    for (const need of j.needs) {
      if (seen.has(need)) continue;
      seen.add(need);
      walk(byId.get(need)!);
    }
  };
  walk(job);
  return [...seen];
}

function displayName(token: TemplateToken | string, scope: Scope, fallback: string): string {
  if (typeof token === 'string') return token;
  try {
    return asString(evaluateToken(token, scope)) || fallback;
  } catch {
    return fallback;
  }
}

function timeoutMs(token: TemplateToken | undefined, scope: Scope): number | undefined {
  if (!token) return undefined;
  const minutes = Number(evaluateToken(token, scope));
  if (!(minutes > 0)) throw new RehearsalError(`timeout-minutes must be a positive number at ${scope.where}`);
  return minutes * MINUTE;
}

/** action.yml defaults that are whole expressions (`${{ github.token }}`), evaluated as the runner would. */
function expressionDefaults(
  action: Extract<ResolvedUses, { kind: 'action' }>,
  given: Record<string, string>,
  scope: Scope,
) {
  const out: Record<string, string> = {};
  for (const [name, def] of Object.entries(action.inputs)) {
    const match = /^\s*\$\{\{(.*)\}\}\s*$/s.exec(String(def?.default ?? ''));
    if (match && !(name in given)) out[name] = asString(evaluateExpression(match[1], scope));
  }
  return out;
}

interface JobState {
  record: JobRecord;
  failed: boolean;
  env: Record<string, string>;
  githubEnv: Record<string, string>;
  path: string[];
  steps: Record<string, Json>;
  secrets: Record<string, string>;
  vars: Record<string, string>;
  needs: Json;
  timeoutMs?: number;
  workingDirectory?: string;
}

function stepScope(run: RunState, job: JobPlan, state: JobState, where: string, env: Record<string, string>): Scope {
  return {
    where,
    contexts: {
      github: githubContext(run.identity, job.id),
      needs: state.needs,
      strategy: {},
      matrix: {},
      job: { status: state.failed ? 'failure' : 'success', container: {}, services: {} },
      runner: runnerContext(run.temp),
      env,
      vars: state.vars,
      secrets: state.secrets,
      steps: state.steps,
      inputs: run.inputs,
    },
    status: { success: !state.failed, failure: state.failed, cancelled: false },
  };
}

async function executeStep(
  run: RunState,
  job: JobPlan,
  step: StepPlan,
  state: JobState,
  scope: Scope,
  record: StepRecord,
): Promise<Execution> {
  const env = scope.contexts.env as Record<string, string>;
  const stepTimeout =
    timeoutMs(step.timeoutMinutes, scope) ?? state.timeoutMs ?? run.options.stepTimeoutMs ?? 10 * MINUTE;
  const basePath = run.options.env?.PATH ?? process.env.PATH ?? '/usr/bin:/bin';
  const processEnv = {
    ...run.options.env,
    ...env,
    PATH: [...[...state.path].reverse(), basePath].join(delimiter),
  };
  const common = {
    timeoutMs: stepTimeout,
    tempDir: run.temp,
    secrets: { ...run.options.sensitive, ...state.secrets },
  };
  if (step.run) {
    const script = asString(evaluateToken(step.run, scope), `${scope.where}.run`);
    const wd = step.workingDirectory ? asString(evaluateToken(step.workingDirectory, scope)) : state.workingDirectory;
    const base = {
      PATH: basePath,
      HOME: process.env.HOME ?? run.temp,
      LANG: 'C.UTF-8',
      ...defaultEnv(run.identity, job.id, run.temp),
    };
    return runScript(script, {
      ...common,
      env: { ...base, ...processEnv },
      cwd: resolve(run.identity.workspace, wd ?? '.'),
    });
  }
  const resolved = run.uses.get(step.uses!)!;
  if (resolved.kind === 'noop') {
    record.notes.push(resolved.note);
    return { ok: true, outputs: {}, env: {}, path: [], summary: '', annotations: [], log: '', masks: [], leaks: [] };
  }
  if (resolved.missing) throw new RehearsalError(resolved.missing);
  const inputs = evaluateStringMap(step.with, { ...scope, where: `${scope.where}.with` });
  const unexpected = Object.keys(inputs).filter((name) => !(name in resolved.inputs));
  if (unexpected.length > 0) {
    record.annotations.push({
      level: 'warning',
      message: `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${Object.keys(resolved.inputs).join("', '")}']`,
    });
  }
  Object.assign(inputs, expressionDefaults(resolved, inputs, scope), inputs);
  return runAction(
    { action: resolved, inputs, identity: run.identity, job: job.id, node: run.options.node ?? 'node24' },
    { ...common, env: processEnv, cwd: run.identity.workspace },
  );
}

async function runStep(run: RunState, job: JobPlan, step: StepPlan, index: number, state: JobState) {
  const where = `jobs.${job.id}.steps[${index}]`;
  const env = { ...run.workflowEnv, ...state.env, ...state.githubEnv };
  const scope = stepScope(run, job, state, where, env);
  const fallback = step.uses ?? step.id;
  const record: StepRecord = {
    job: job.id,
    id: step.id,
    name: displayName(step.name, scope, fallback),
    kind: step.run ? 'run' : run.uses.get(step.uses!)?.kind === 'noop' ? 'noop' : 'action',
    uses: step.uses,
    outcome: 'skipped',
    conclusion: 'skipped',
    outputs: {},
    startedAt: Date.now(),
    durationMs: 0,
    log: '',
    summary: '',
    annotations: [],
    notes: [],
    leaks: [],
  };
  // Raw values for later expressions; the record shows them masked.
  let outputs: Record<string, string> = {};
  try {
    if (evaluateCondition(step.if, { ...scope, where: `${where}.if` })) {
      const stepEnv = evaluateStringMap(step.env, { ...scope, where: `${where}.env` });
      const full = stepScope(run, job, state, where, { ...env, ...stepEnv });
      const continueOnError =
        step.continueOnError === undefined
          ? false
          : typeof step.continueOnError === 'boolean'
            ? step.continueOnError
            : evaluateToken(step.continueOnError, full) === true;
      const execution = await executeStep(run, job, step, state, full, record);
      for (const mask of execution.masks) run.masker.add(mask);
      record.outcome = execution.ok ? 'success' : 'failure';
      record.conclusion = execution.ok || continueOnError ? 'success' : 'failure';
      if (!execution.ok && continueOnError) record.notes.push('failed, but continue-on-error is set');
      outputs = execution.outputs;
      record.outputs = Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, run.masker.mask(v)]));
      record.log = execution.log;
      record.summary = execution.summary;
      record.annotations.push(...execution.annotations);
      record.leaks = execution.leaks;
      Object.assign(state.githubEnv, execution.env);
      state.path.push(...execution.path);
    }
  } catch (err) {
    if (!(err instanceof RehearsalError)) throw err;
    record.outcome = 'failure';
    record.conclusion = 'failure';
    record.annotations.push({ level: 'error', message: err.message });
  }
  record.durationMs = Date.now() - record.startedAt;
  record.log = run.masker.mask(record.log);
  record.summary = run.masker.mask(record.summary);
  record.annotations = record.annotations.map((a) => ({ ...a, message: run.masker.mask(a.message) }));
  if (record.conclusion === 'failure') state.failed = true;
  state.steps[step.id] = { outputs, outcome: record.outcome, conclusion: record.conclusion };
  return record;
}

/** `environment:` is a name or `{name, url}`; the url may use step outputs, so it is evaluated after the steps. */
function environmentPart(token: TemplateToken | undefined, part: 'name' | 'url', scope: Scope): string | undefined {
  if (!token) return undefined;
  const where = `${scope.where}.environment`;
  if (!isMapping(token)) return part === 'name' ? asString(evaluateToken(token, { ...scope, where })) : undefined;
  const value = token.find(part);
  return value ? asString(evaluateToken(value, { ...scope, where: `${where}.${part}` })) : undefined;
}

function needsContext(run: RunState, job: JobPlan): Json {
  const needs: Record<string, Json> = {};
  for (const id of job.needs) {
    const done = run.jobs.get(id)!;
    needs[id] = { result: done.result, outputs: done.outputs };
  }
  return needs;
}

async function runJob(run: RunState, job: JobPlan): Promise<JobRecord> {
  const where = `jobs.${job.id}`;
  const github = githubContext(run.identity, job.id);
  const needs = needsContext(run, job);
  const upstream = ancestors(run.plan, job).map((id) => run.jobs.get(id)!.result);
  const base: Scope = {
    where,
    contexts: { github, needs, vars: run.options.vars ?? {}, inputs: run.inputs },
    status: {
      success: upstream.every((r) => r === 'success'),
      failure: upstream.includes('failure'),
      cancelled: false,
    },
  };
  const record: JobRecord = {
    id: job.id,
    name: displayName(job.name, base, job.id),
    result: 'skipped',
    outputs: {},
    steps: [],
    startedAt: Date.now(),
    durationMs: 0,
    notes: [],
  };
  const finish = () => {
    record.durationMs = Date.now() - record.startedAt;
    run.options.onJob?.(record);
    return record;
  };
  let state: JobState | undefined;
  try {
    if (!evaluateCondition(job.if, { ...base, where: `${where}.if` })) return finish();
    const environment = environmentPart(job.environment, 'name', base);
    const scoped = environment ? run.options.environments?.[environment] : undefined;
    if (environment) record.environment = { name: environment };
    const secrets = { ...run.secrets, ...scoped?.secrets };
    for (const value of Object.values(scoped?.secrets ?? {})) run.masker.add(value);
    const vars = { ...run.options.vars, ...scoped?.vars };
    const jobScope: Scope = {
      where,
      contexts: { github, needs, strategy: {}, matrix: {}, vars, secrets, inputs: run.inputs },
    };
    if (job.concurrency) {
      const value = evaluateToken(job.concurrency, { ...jobScope, where: `${where}.concurrency` });
      record.concurrency = typeof value === 'string' ? value : asString((value as Record<string, Json>).group ?? '');
    }
    state = {
      record,
      failed: false,
      env: evaluateStringMap(job.env, { ...jobScope, where: `${where}.env` }),
      githubEnv: {},
      path: [],
      steps: {},
      secrets,
      vars,
      needs,
      timeoutMs: timeoutMs(job.timeoutMinutes, jobScope),
      workingDirectory: job.workingDirectory ? asString(evaluateToken(job.workingDirectory, jobScope)) : undefined,
    };
    for (const [index, step] of job.steps.entries()) {
      const stepRecord = await runStep(run, job, step, index, state);
      record.steps.push(stepRecord);
      run.options.onStep?.(stepRecord);
    }
    const env = { ...run.workflowEnv, ...state.env, ...state.githubEnv };
    const after = stepScope(run, job, state, where, env);
    for (const [name, value] of Object.entries(
      evaluateStringMap(job.outputs, { ...after, where: `${where}.outputs` }),
    )) {
      // The runner drops job outputs holding a masked value rather than pass a secret on.
      if (run.masker.reveals(value)) record.notes.push(`output '${name}' held a secret and was dropped`);
      else record.outputs[name] = value;
    }
    const url = environmentPart(job.environment, 'url', after);
    if (record.environment && url) record.environment.url = url;
    record.result = state.failed ? 'failure' : 'success';
  } catch (err) {
    if (!(err instanceof RehearsalError)) throw err;
    record.result = 'failure';
    record.notes.push(`error: ${err.message}`);
  }
  return finish();
}

function workflowOutputs(run: RunState): Record<string, string> {
  const jobs: Record<string, Json> = {};
  for (const [id, job] of run.jobs) jobs[id] = { result: job.result, outputs: job.outputs };
  const scope: Scope = {
    where: 'on.workflow_call.outputs',
    contexts: { github: githubContext(run.identity, ''), inputs: run.inputs, vars: run.options.vars ?? {}, jobs },
  };
  const out: Record<string, string> = {};
  for (const [name, token] of Object.entries(run.plan.call?.outputs ?? {})) {
    out[name] = asString(evaluateToken(token, { ...scope, where: `${scope.where}.${name}` }));
  }
  return out;
}

/**
 * Rehearses `options.workflow`. Problems with the workflow or the call (invalid YAML, unsupported
 * features, unknown or missing inputs) throw a RehearsalError before anything runs; failures while
 * running are recorded in the returned run.
 */
export async function rehearse(options: RehearsalOptions): Promise<RunRecord> {
  const plan = await loadWorkflow(options.workflow);
  const uses = resolveAllUses(plan, options.repoRoot ?? REPO_ROOT);
  const identity = runIdentity(
    options.github ?? {},
    options.eventName,
    options.event ?? {},
    plan.name,
    options.workspace,
  );
  const github = githubContext(identity, '');
  const secrets = resolveSecrets(plan, options.secrets ?? {}, identity.token);
  const inputs = resolveInputs(plan, options.inputs ?? {}, github);
  const masker = new Masker([...Object.values(secrets), ...Object.values(options.sensitive ?? {})]);
  for (const env of Object.values(options.environments ?? {}))
    for (const s of Object.values(env.secrets ?? {})) masker.add(s);
  const workflowEnv = evaluateStringMap(plan.env, {
    where: 'env',
    contexts: { github, inputs, vars: options.vars ?? {}, secrets },
  });
  const run: RunState = {
    options,
    plan,
    identity,
    masker,
    secrets,
    inputs,
    workflowEnv,
    uses,
    temp: mkdtempSync(resolve(tmpdir(), 'rehearsal-')),
    jobs: new Map(),
  };
  const startedAt = Date.now();
  for (const job of plan.jobs) run.jobs.set(job.id, await runJob(run, job));
  const jobs = [...run.jobs.values()];
  let outputs: Record<string, string> = {};
  const notes: string[] = [];
  try {
    outputs = workflowOutputs(run);
  } catch (err) {
    if (!(err instanceof RehearsalError)) throw err;
    notes.push(`workflow outputs: ${err.message}`);
  }
  const failed = notes.length > 0 || jobs.some((job) => job.result === 'failure');
  return {
    workflow: options.workflow,
    name: plan.name,
    eventName: options.eventName,
    result: failed ? 'failure' : 'success',
    inputs: options.inputs ?? {},
    outputs,
    jobs,
    startedAt,
    durationMs: Date.now() - startedAt,
    notes,
  };
}

export type { Result };
