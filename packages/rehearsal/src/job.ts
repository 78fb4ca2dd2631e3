/**
 * One job: its `if:` against the results of the jobs it needs (transitively, as GitHub does), its
 * environment, concurrency and env, then its steps, or the reusable workflow it calls, then its outputs.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { isMapping } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { REPO_ROOT } from '@deploy-actions/runner';
import { RehearsalError } from './errors';
import { asString, evaluateCondition, evaluateStringMap, evaluateToken, type Json, type Scope } from './expressions';
import type { JobRecord } from './model';
import { githubContext } from './run-context';
import type { RunState } from './state';
import { displayName, type JobState, runStep, stepScope, timeoutMs } from './steps';
import { resolveWorkflow } from './uses';
import type { JobPlan, WorkflowPlan } from './workflow';

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

/** `with:` values of a workflow call: scalars only, as `workflow_call` inputs are. */
function callInputs(token: TemplateToken | undefined, scope: Scope): Record<string, string | boolean | number> {
  const value = token ? evaluateToken(token, scope) : {};
  const out: Record<string, string | boolean | number> = {};
  for (const [name, v] of Object.entries((value ?? {}) as Record<string, Json>)) {
    out[name] = typeof v === 'boolean' || typeof v === 'number' ? v : asString(v, `${scope.where}.${name}`);
  }
  return out;
}

/** A job that calls a reusable workflow: the called run's result and outputs become the job's. */
async function runCall(run: RunState, job: JobPlan, scope: Scope, record: JobRecord): Promise<void> {
  const call = job.call!;
  const workflow = resolveWorkflow(call.ref, run.options.repoRoot ?? REPO_ROOT, run.options.workflowsDir);
  // `with:` cannot read secrets; `secrets:` can.
  const contexts = { ...scope.contexts };
  delete contexts.secrets;
  const inputs = callInputs(call.with, { where: `${scope.where}.with`, contexts });
  const passed = evaluateStringMap(call.secrets, { ...scope, where: `${scope.where}.secrets` });
  const called = await run.call({
    ...run.options,
    workflow,
    inputs,
    secrets: passed,
    jobPrefix: `${record.id} / `,
  });
  record.called = called;
  record.result = called.result;
  for (const [name, value] of Object.entries(called.outputs)) {
    if (run.masker.reveals(value)) record.notes.push(`output '${name}' held a secret and was dropped`);
    else record.outputs[name] = value;
  }
}

/** Larger files are named in the report, not kept. */
const KEPT_FILE_LIMIT = 1024 * 1024;

/** Reads the files inside `temp` that step outputs name, before the folder goes. */
function keepOutputFiles(record: JobRecord, temp: string, mask: (text: string) => string): void {
  for (const step of record.steps) {
    for (const [name, value] of Object.entries(step.outputs)) {
      const path = value.trim();
      const inside = relative(temp, path);
      if (!isAbsolute(path) || inside.startsWith('..') || isAbsolute(inside)) continue;
      try {
        if (!statSync(path).isFile() || statSync(path).size > KEPT_FILE_LIMIT) continue;
        step.files = { ...step.files, [name]: mask(readFileSync(path, 'utf8')) };
      } catch {
        // Named by an output but never written (a failed step): nothing to keep.
      }
    }
  }
}

export async function runJob(run: RunState, job: JobPlan): Promise<JobRecord> {
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
    id: `${run.options.jobPrefix ?? ''}${job.id}`,
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
    if (job.call) {
      await runCall(run, job, jobScope, record);
      return finish();
    }
    state = {
      temp: mkdtempSync(join(run.temp, 'job-')),
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
  } finally {
    // As on a runner, RUNNER_TEMP does not outlive its job; the report keeps what outputs point to.
    if (state) {
      keepOutputFiles(record, state.temp, (text) => run.masker.mask(text));
      rmSync(state.temp, { recursive: true, force: true });
    }
  }
  return finish();
}
