/**
 * Executes a workflow file locally the way the Actions runner would: `workflow_call` inputs and
 * secrets checked against their declarations, jobs in `needs` order, `if:` with the status functions,
 * env at every level, GITHUB_ENV/GITHUB_OUTPUT/GITHUB_PATH between steps, step and job outputs,
 * continue-on-error, and the workflow's outputs. Jobs run one after another on this machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { REPO_ROOT } from '@deploy-actions/runner';
import { RehearsalError } from './errors';
import { asString, evaluateStringMap, evaluateToken, type Json, type Scope } from './expressions';
import { runJob } from './job';
import { Masker } from './mask';
import type { RunRecord } from './model';
import { githubContext, type RunIdentity, runIdentity } from './run-context';
import type { RehearsalOptions, RunState } from './state';
import { type ResolvedUses, resolveUses } from './uses';
import { loadWorkflow, type WorkflowPlan } from './workflow';

export type { RehearsalOptions, RunState } from './state';

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
function resolveInputs(
  plan: WorkflowPlan,
  given: Record<string, string | boolean | number>,
  github: Json,
  eventName: string,
) {
  // A called workflow's inputs come from `with:`; a run by hand gets its workflow_dispatch inputs.
  const declared = plan.call?.inputs ?? (eventName === 'workflow_dispatch' ? plan.dispatch?.inputs : undefined) ?? {};
  const unknown = Object.keys(given).filter((name) => !(name in declared));
  if (unknown.length > 0) {
    const valid = Object.keys(declared).join(', ') || 'none';
    throw new RehearsalError(`${plan.name}: unknown input(s) ${unknown.join(', ')}; the workflow declares: ${valid}`);
  }
  const inputs: Record<string, Json> = {};
  for (const [name, def] of Object.entries(declared)) {
    if (name in given) {
      inputs[name] = coerceInput(name, def.type, given[name]);
      if (def.options && !def.options.includes(String(inputs[name]))) {
        throw new RehearsalError(
          `${plan.name}: input '${name}' must be one of ${def.options.join(', ')}, got ${JSON.stringify(given[name])}`,
        );
      }
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

/** GitHub gives a pull_request run from a fork no secrets (GITHUB_TOKEN aside, read-only). */
function fromFork(identity: RunIdentity): boolean {
  if (identity.eventName !== 'pull_request') return false;
  const head = (identity.event.pull_request as { head?: { repo?: { full_name?: string } } } | undefined)?.head;
  return head?.repo?.full_name !== undefined && head.repo.full_name !== identity.repository;
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
export async function rehearse(given: RehearsalOptions): Promise<RunRecord> {
  // One artifact list per run, shared with the workflows it calls.
  const options: RehearsalOptions = { ...given, artifacts: given.artifacts ?? [] };
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
  const withheld = options.jobPrefix === undefined && fromFork(identity);
  const secrets = resolveSecrets(plan, withheld ? {} : (options.secrets ?? {}), identity.token);
  const inputs = resolveInputs(plan, options.inputs ?? {}, github, options.eventName);
  const masker = new Masker([...Object.values(secrets), ...Object.values(options.sensitive ?? {})]);
  for (const env of Object.values(options.environments ?? {}))
    for (const s of Object.values(env.secrets ?? {})) masker.add(s);
  const workflowEnv = evaluateStringMap(plan.env, {
    where: 'env',
    contexts: { github, inputs, vars: options.vars ?? {}, secrets },
  });
  const run: RunState = {
    call: rehearse,
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
  try {
    for (const job of plan.jobs) run.jobs.set(job.id, await runJob(run, job));
  } finally {
    rmSync(run.temp, { recursive: true, force: true });
  }
  const jobs = [...run.jobs.values()];
  let outputs: Record<string, string> = {};
  const notes: string[] = [];
  let outputsFailed = false;
  if (withheld) notes.push('pull request from a fork: the secrets were withheld, as GitHub does');
  try {
    outputs = workflowOutputs(run);
  } catch (err) {
    if (!(err instanceof RehearsalError)) throw err;
    notes.push(`workflow outputs: ${err.message}`);
    outputsFailed = true;
  }
  const failed = outputsFailed || jobs.some((job) => job.result === 'failure');
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
    artifacts: options.artifacts,
    place: {
      serverUrl: identity.serverUrl,
      repository: identity.repository,
      sha: identity.sha,
      ref: identity.ref,
      runId: identity.runId,
    },
  };
}
