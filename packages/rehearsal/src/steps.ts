/**
 * The steps of one job: `if:` with the job's status, env layered workflow < job < GITHUB_ENV < step,
 * GITHUB_OUTPUT/GITHUB_ENV/GITHUB_PATH carried to later steps, continue-on-error, and masking.
 */
import { delimiter, join, resolve } from 'node:path';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import type { Annotation } from '@deploy-actions/runner';
import { uploadArtifact } from './artifacts';
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
import type { JobRecord, StepRecord } from './model';
import { answerOnStage } from './public-urls';
import { defaultEnv, githubContext, runnerContext } from './run-context';
import type { RunState } from './state';
import type { ResolvedUses } from './uses';
import type { JobPlan, StepPlan } from './workflow';

const MINUTE = 60_000;

export function displayName(token: TemplateToken | string, scope: Scope, fallback: string): string {
  if (typeof token === 'string') return token;
  try {
    return asString(evaluateToken(token, scope)) || fallback;
  } catch {
    return fallback;
  }
}

export function timeoutMs(token: TemplateToken | undefined, scope: Scope): number | undefined {
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

export interface JobState {
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
  /** RUNNER_TEMP of the job: shared by its steps, removed when the job ends. */
  temp: string;
}

export function stepScope(
  run: RunState,
  job: JobPlan,
  state: JobState,
  where: string,
  env: Record<string, string>,
): Scope {
  return {
    where,
    contexts: {
      github: githubContext(run.identity, job.id),
      needs: state.needs,
      strategy: {},
      matrix: {},
      job: { status: state.failed ? 'failure' : 'success', container: {}, services: {} },
      runner: runnerContext(state.temp),
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
    RUNNER_TEMP: state.temp,
  };
  const common = {
    timeoutMs: stepTimeout,
    tempDir: state.temp,
    secrets: { ...run.options.sensitive, ...state.secrets },
  };
  if (step.run) {
    const script = asString(evaluateToken(step.run, scope), `${scope.where}.run`);
    const wd = step.workingDirectory ? asString(evaluateToken(step.workingDirectory, scope)) : state.workingDirectory;
    const base = {
      PATH: basePath,
      HOME: process.env.HOME ?? state.temp,
      LANG: 'C.UTF-8',
      ...defaultEnv(run.identity, job.id, state.temp),
    };
    return runScript(script, {
      ...common,
      env: { ...base, ...processEnv },
      cwd: resolve(run.identity.workspace, wd ?? '.'),
    });
  }
  const resolved = run.uses.get(step.uses!)!;
  if (resolved.kind === 'noop' || resolved.kind === 'skip') {
    record.notes.push(resolved.note);
    if (resolved.kind === 'skip')
      record.annotations.push({ level: 'notice', message: `${step.uses}: ${resolved.note}` });
    return { ok: true, outputs: {}, env: {}, path: [], summary: '', annotations: [], log: '', masks: [], leaks: [] };
  }
  if (resolved.kind === 'artifact') {
    const inputs = evaluateStringMap(step.with, { ...scope, where: `${scope.where}.with` });
    const store = join(run.options.artifactsDir ?? join(run.temp, 'artifacts'), run.identity.runId);
    const result = uploadArtifact(inputs, store, run.options.artifacts ?? [], run.identity.workspace);
    const annotations: Annotation[] = result.warning ? [{ level: 'warning', message: result.warning }] : [];
    const outputs: Record<string, string> = {};
    if (result.artifact) {
      run.options.artifacts?.push(result.artifact);
      const id = String(run.options.artifacts?.length ?? 1);
      outputs['artifact-id'] = id;
      outputs['artifact-url'] =
        `${run.identity.serverUrl}/${run.identity.repository}/actions/runs/${run.identity.runId}/artifacts/${id}`;
      record.notes.push(
        `kept artifact '${result.artifact.name}' (${result.artifact.files.map((f) => f.name).join(', ')}), retention ${result.artifact.retentionDays || 'the repository setting'} days`,
      );
    }
    return { ok: true, outputs, env: {}, path: [], summary: '', annotations, log: '', masks: [], leaks: [] };
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
  if (run.options.flyAppUrl) record.notes.push(...answerOnStage(inputs, run.options.flyAppUrl));
  return runAction(
    { action: resolved, inputs, identity: run.identity, job: job.id, node: run.options.node ?? 'node24' },
    { ...common, env: processEnv, cwd: run.identity.workspace },
  );
}

export async function runStep(run: RunState, job: JobPlan, step: StepPlan, index: number, state: JobState) {
  const where = `jobs.${job.id}.steps[${index}]`;
  const env = { ...run.workflowEnv, ...state.env, ...state.githubEnv };
  const scope = stepScope(run, job, state, where, env);
  const fallback = step.uses ?? step.id;
  const record: StepRecord = {
    job: `${run.options.jobPrefix ?? ''}${job.id}`,
    id: step.id,
    name: displayName(step.name, scope, fallback),
    kind: step.run ? 'run' : ['noop', 'skip'].includes(run.uses.get(step.uses!)?.kind ?? '') ? 'noop' : 'action',
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
      const skipped = step.uses !== undefined && run.uses.get(step.uses)?.kind === 'skip';
      record.outcome = skipped ? 'skipped' : execution.ok ? 'success' : 'failure';
      record.conclusion = skipped ? 'skipped' : execution.ok || continueOnError ? 'success' : 'failure';
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
