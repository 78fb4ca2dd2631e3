/**
 * Loads a workflow file with GitHub's own parser and schema, and reduces it to what the rehearsal
 * executes. Everything the rehearsal cannot execute faithfully is refused here, before any step runs,
 * with the file, line and feature named.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  convertWorkflowTemplate,
  isMapping,
  isSequence,
  isString,
  NoOperationTraceWriter,
  parseWorkflow,
} from '@actions/workflow-parser';
import type {
  ActionStep,
  Job,
  ReusableWorkflowJob,
  RunStep,
  WorkflowJob,
} from '@actions/workflow-parser/model/workflow-template';
import type {
  BasicExpressionToken,
  MappingToken,
  TemplateToken,
} from '@actions/workflow-parser/templates/tokens/index';
import { RehearsalError } from './errors';

export interface StepPlan {
  /** The step id (`steps.<id>`); generated ids start with `__`. */
  id: string;
  /** Display name: `name:`, else `Run <first line>` or the `uses:` value. */
  name: TemplateToken | string;
  if: string;
  continueOnError?: boolean | TemplateToken;
  env?: TemplateToken;
  run?: TemplateToken;
  uses?: string;
  with?: TemplateToken;
  workingDirectory?: TemplateToken;
  timeoutMinutes?: TemplateToken;
  line?: number;
}

/** A job that calls a reusable workflow (`jobs.<id>.uses`). */
export interface CallPlan {
  /** The `uses:` value. */
  ref: string;
  with?: TemplateToken;
  secrets?: TemplateToken;
}

export interface JobPlan {
  id: string;
  /** Set for a job that calls a reusable workflow; it then has no steps. */
  call?: CallPlan;
  name: TemplateToken | string;
  needs: string[];
  if: string;
  env?: TemplateToken;
  outputs?: TemplateToken;
  environment?: TemplateToken;
  concurrency?: TemplateToken;
  timeoutMinutes?: TemplateToken;
  /** defaults.run.working-directory of the job, else of the workflow. */
  workingDirectory?: TemplateToken;
  steps: StepPlan[];
}

export interface InputDefinition {
  type: 'string' | 'boolean' | 'number';
  required: boolean;
  default?: TemplateToken;
  /** The values a `choice` input of workflow_dispatch accepts. */
  options?: string[];
}

export interface WorkflowPlan {
  file: string;
  name: string;
  env?: TemplateToken;
  concurrency?: TemplateToken;
  /** `on.workflow_call`, when the workflow is reusable. */
  call?: {
    inputs: Record<string, InputDefinition>;
    secrets: Record<string, { required: boolean }>;
    outputs: Record<string, TemplateToken>;
  };
  /** `on.workflow_dispatch.inputs`, when the workflow can be run by hand. */
  dispatch?: { inputs: Record<string, InputDefinition> };
  /** Jobs in an order where every job comes after its needs. */
  jobs: JobPlan[];
}

function where(file: string, token: TemplateToken | undefined): string {
  return token?.line ? `${basename(file)}:${token.line}` : basename(file);
}

function key(mapping: TemplateToken | undefined, name: string): TemplateToken | undefined {
  return mapping && isMapping(mapping) ? mapping.find(name) : undefined;
}

function entries(mapping: TemplateToken | undefined): [string, TemplateToken][] {
  if (!mapping || !isMapping(mapping)) return [];
  return [...mapping].map((pair) => [String(pair.key), pair.value]);
}

/** Keys the rehearsal accepts and ignores, with why, so nothing is dropped silently by accident. */
const IGNORED_JOB_KEYS = new Set(['runs-on', 'permissions', 'name', 'needs', 'if', 'steps', 'env', 'outputs']);
const HANDLED_JOB_KEYS = new Set(['environment', 'concurrency', 'timeout-minutes', 'defaults']);
const STEP_KEYS = new Set([
  'id',
  'name',
  'if',
  'run',
  'uses',
  'with',
  'env',
  'continue-on-error',
  'working-directory',
  'timeout-minutes',
  'shell',
]);

function runDefaults(file: string, owner: TemplateToken | undefined): TemplateToken | undefined {
  const run = key(key(owner, 'defaults'), 'run');
  const shell = key(run, 'shell');
  if (shell && !(isString(shell) && shell.value === 'bash')) {
    throw new RehearsalError(`${where(file, shell)}: defaults.run.shell other than bash is not supported`);
  }
  return key(run, 'working-directory');
}

function planStep(file: string, step: ActionStep | RunStep, raw: TemplateToken): StepPlan {
  for (const [name, value] of entries(raw)) {
    if (!STEP_KEYS.has(name)) throw new RehearsalError(`${where(file, value)}: step key '${name}' is not supported`);
  }
  const shell = key(raw, 'shell');
  if (shell && !(isString(shell) && shell.value === 'bash')) {
    throw new RehearsalError(`${where(file, shell)}: only 'shell: bash' is supported (got ${String(shell)})`);
  }
  const uses = 'uses' in step ? step.uses.value : undefined;
  const run = 'run' in step ? step.run : undefined;
  const firstLine = run && isString(run) ? run.value.split('\n')[0] : 'script';
  return {
    id: step.id,
    name: step.name ?? (uses ? uses : `Run ${firstLine}`),
    if: step.if.expression,
    continueOnError: step['continue-on-error'],
    env: step.env,
    run,
    uses,
    with: key(raw, 'with'),
    workingDirectory: key(raw, 'working-directory'),
    timeoutMinutes: key(raw, 'timeout-minutes'),
    line: raw.line,
  };
}

const CALL_KEYS = new Set(['name', 'needs', 'if', 'permissions', 'uses', 'with', 'secrets', 'concurrency']);

function planCallJob(file: string, job: ReusableWorkflowJob, raw: TemplateToken): JobPlan {
  const id = job.id.value;
  for (const [name, value] of entries(raw)) {
    if (!CALL_KEYS.has(name))
      throw new RehearsalError(`${where(file, value)}: job key '${name}' (in job '${id}') is not supported`);
  }
  if (job['inherit-secrets']) {
    throw new RehearsalError(`${where(file, job.id)}: job '${id}' uses 'secrets: inherit'; pass each secret by name`);
  }
  return {
    id,
    call: { ref: job.ref.value, with: job['input-values'], secrets: job['secret-values'] },
    name: job.name ?? id,
    needs: (job.needs ?? []).map((n) => n.value),
    if: (job.if as BasicExpressionToken).expression,
    outputs: undefined,
    concurrency: job.concurrency,
    steps: [],
  };
}

function planJob(file: string, job: WorkflowJob, raw: TemplateToken, workflowDefaults?: TemplateToken): JobPlan {
  const id = job.id.value;
  if (job.type !== 'job') return planCallJob(file, job as ReusableWorkflowJob, raw);
  for (const [name, value] of entries(raw)) {
    if (IGNORED_JOB_KEYS.has(name) || HANDLED_JOB_KEYS.has(name)) continue;
    throw new RehearsalError(`${where(file, value)}: job key '${name}' (in job '${id}') is not supported`);
  }
  const plain = job as Job;
  const rawSteps = key(raw, 'steps');
  if (!rawSteps || !isSequence(rawSteps)) throw new RehearsalError(`${where(file, job.id)}: job '${id}' has no steps`);
  const steps = plain.steps.map((step, i) => {
    if (!('run' in step) && !('uses' in step)) {
      throw new RehearsalError(`${where(file, rawSteps.get(i))}: only run: and uses: steps are supported`);
    }
    return planStep(file, step, rawSteps.get(i));
  });
  return {
    id,
    name: job.name ?? id,
    needs: (job.needs ?? []).map((n) => n.value),
    if: (job.if as BasicExpressionToken).expression,
    env: plain.env,
    outputs: job.outputs,
    environment: plain.environment,
    concurrency: job.concurrency,
    timeoutMinutes: key(raw, 'timeout-minutes'),
    workingDirectory: runDefaults(file, raw) ?? workflowDefaults,
    steps,
  };
}

/** Orders jobs so each follows its needs (the parser has already rejected cycles and unknown ids). */
function needsOrder(jobs: JobPlan[]): JobPlan[] {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const done = new Set<string>();
  const out: JobPlan[] = [];
  const visit = (job: JobPlan) => {
    if (done.has(job.id)) return;
    done.add(job.id);
    for (const need of job.needs) visit(byId.get(need)!);
    out.push(job);
  };
  for (const job of jobs) visit(job);
  return out;
}

function planCall(file: string, root: TemplateToken): WorkflowPlan['call'] {
  const on = key(root, 'on');
  const call = on && isMapping(on) ? key(on, 'workflow_call') : undefined;
  if (on === undefined || call === undefined) return undefined;
  const inputs: Record<string, InputDefinition> = {};
  for (const [name, def] of entries(key(call, 'inputs'))) {
    const type = String(key(def, 'type') ?? 'string');
    if (type !== 'string' && type !== 'boolean' && type !== 'number') {
      throw new RehearsalError(`${where(file, def)}: input '${name}' has unsupported type '${type}'`);
    }
    const required = key(def, 'required');
    inputs[name] = { type, required: String(required) === 'true', default: key(def, 'default') };
  }
  const secrets: Record<string, { required: boolean }> = {};
  for (const [name, def] of entries(key(call, 'secrets'))) {
    secrets[name] = { required: String(key(def, 'required')) === 'true' };
  }
  const outputs: Record<string, TemplateToken> = {};
  for (const [name, def] of entries(key(call, 'outputs'))) {
    const value = key(def, 'value');
    if (!value) throw new RehearsalError(`${where(file, def)}: workflow output '${name}' has no value`);
    outputs[name] = value;
  }
  return { inputs, secrets, outputs };
}

/**
 * `on.workflow_dispatch.inputs`: `choice` and `environment` inputs are strings (a choice limited to its
 * options), as the runner hands them to the `inputs` context.
 */
function planDispatch(file: string, root: TemplateToken): WorkflowPlan['dispatch'] {
  const on = key(root, 'on');
  const dispatch = on && isMapping(on) ? key(on, 'workflow_dispatch') : undefined;
  const hasDispatch =
    dispatch !== undefined ||
    (on && isString(on) && on.value === 'workflow_dispatch') ||
    (on && isSequence(on) && [...Array(on.count).keys()].some((i) => String(on.get(i)) === 'workflow_dispatch'));
  if (!hasDispatch) return undefined;
  const inputs: Record<string, InputDefinition> = {};
  for (const [name, def] of entries(key(dispatch, 'inputs'))) {
    const type = String(key(def, 'type') ?? 'string');
    if (!['string', 'boolean', 'number', 'choice', 'environment'].includes(type)) {
      throw new RehearsalError(`${where(file, def)}: workflow_dispatch input '${name}' has unsupported type '${type}'`);
    }
    const options = key(def, 'options');
    inputs[name] = {
      type: type === 'boolean' || type === 'number' ? type : 'string',
      required: String(key(def, 'required')) === 'true',
      default: key(def, 'default'),
      ...(type === 'choice' && options && isSequence(options)
        ? { options: [...Array(options.count).keys()].map((i) => String(options.get(i))) }
        : {}),
    };
  }
  return { inputs };
}

/** Parses and validates `file`; throws a RehearsalError listing every problem found. */
export async function loadWorkflow(file: string): Promise<WorkflowPlan> {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch {
    throw new RehearsalError(`workflow file not found: ${file}`);
  }
  const parsed = parseWorkflow({ name: basename(file), content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  const root = parsed.value;
  if (errors.length === 0 && root) {
    const template = await convertWorkflowTemplate(parsed.context, root);
    errors.push(...parsed.context.errors.getErrors().map((e) => e.message));
    errors.push(...(template.errors ?? []).map((e) => e.Message));
    if (errors.length === 0) {
      const rawJobs = key(root, 'jobs') as MappingToken;
      const workflowDefaults = runDefaults(file, root);
      const jobs = template.jobs.map((job) => planJob(file, job, rawJobs.find(job.id.value)!, workflowDefaults));
      const name = key(root, 'name');
      return {
        file,
        name: name ? String(name) : basename(file),
        env: template.env,
        concurrency: key(root, 'concurrency'),
        call: planCall(file, root),
        dispatch: planDispatch(file, root),
        jobs: needsOrder(jobs),
      };
    }
  }
  const unique = [...new Set(errors)];
  throw new RehearsalError(`${basename(file)} is not a valid workflow:\n${unique.map((e) => `  - ${e}`).join('\n')}`);
}
