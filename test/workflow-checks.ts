/**
 * Checks over GitHub workflow files (this repo's .github/workflows and the examples users copy).
 * Each check returns readable problems (empty when the file is fine), so tests can show that each
 * one fails on a bad workflow. Schema validation uses GitHub's own parser, which also rejects
 * contexts used where GitHub does not allow them (e.g. `secrets` in `if:`); the rest are the rules
 * of docs/security.md: permissions, secrets, script injection, pinning, and
 * that every input, output, job and step a workflow names exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { isScalar, parseDocument, visit } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '..');

// biome-ignore lint/suspicious/noExplicitAny: workflow YAML is untyped data walked by the checks
type Yaml = any;

export interface WorkflowFile {
  /** Path relative to the repository root, for messages. */
  path: string;
  text: string;
  /** The parsed YAML as plain data. */
  data: Yaml;
}

export function workflowFromText(path: string, text: string): WorkflowFile {
  return { path, text, data: parseDocument(text).toJS() ?? {} };
}

export function loadWorkflow(absPath: string): WorkflowFile {
  return workflowFromText(relative(ROOT, absPath), readFileSync(absPath, 'utf8'));
}

/** Every workflow in .github/workflows and examples/ (a YAML file with top-level `on` or `jobs`). */
export function findWorkflows(root = ROOT): string[] {
  const files: string[] = [];
  for (const dir of ['.github/workflows', 'examples']) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const name of readdirSync(abs).sort()) {
      if (!/\.ya?ml$/.test(name)) continue;
      const data = parseDocument(readFileSync(join(abs, name), 'utf8')).toJS();
      if (data && typeof data === 'object' && ('on' in data || 'jobs' in data)) files.push(join(abs, name));
    }
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// What this repository provides: actions (top-level <name>/action.yml) and reusable workflows.

/** The repository name users reference this suite by (`<owner>/deploy-actions/...@v1`). */
const SUITE_REPO = 'deploy-actions';

export interface ActionContract {
  inputs: Record<string, { required?: boolean; default?: unknown }>;
  outputs: string[];
}

export interface WorkflowContract {
  inputs: Record<string, { required?: boolean; default?: unknown; type?: string }>;
  secrets: Record<string, { required?: boolean }>;
  outputs: string[];
  /** Permissions its jobs ask for, merged (the caller must grant at least these). */
  permissions: Record<string, Level>;
}

/** A `uses:` that points into this repository: an action folder or a reusable workflow. */
export function ownTarget(uses: string): string | undefined {
  if (uses.startsWith('$/')) return uses.slice(2);
  if (uses.startsWith('./')) return uses.slice(2);
  const match = /^[^/@\s]+\/([^/@\s]+)\/([^@\s]+)@\S+$/.exec(uses);
  if (match && match[1] === SUITE_REPO) return match[2];
  return undefined;
}

function isWorkflowPath(path: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

export function readActionContract(path: string, root = ROOT): ActionContract | undefined {
  const file = ['action.yml', 'action.yaml'].map((f) => join(root, path, f)).find((f) => existsSync(f));
  if (!file) return undefined;
  const yml = parseDocument(readFileSync(file, 'utf8')).toJS() ?? {};
  return { inputs: yml.inputs ?? {}, outputs: Object.keys(yml.outputs ?? {}) };
}

export function readWorkflowContract(path: string, root = ROOT): WorkflowContract | undefined {
  const file = join(root, path);
  if (!existsSync(file)) return undefined;
  const wf = parseDocument(readFileSync(file, 'utf8')).toJS() ?? {};
  const call = triggers(wf).workflow_call;
  if (call === undefined) return undefined;
  const permissions: Record<string, Level> = {};
  for (const job of Object.values<Yaml>(wf.jobs ?? {})) {
    const granted = permissionLevels(job?.permissions ?? wf.permissions);
    for (const [scope, level] of Object.entries(granted ?? {})) {
      if (rank(level) > rank(permissions[scope] ?? 'none')) permissions[scope] = level;
    }
  }
  return {
    inputs: call?.inputs ?? {},
    secrets: call?.secrets ?? {},
    outputs: Object.keys(call?.outputs ?? {}),
    permissions,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers over the workflow data.

/** `on:` as a map of event name to its configuration, whatever form it was written in. */
function triggers(data: Yaml): Record<string, Yaml> {
  const on = data?.on;
  if (typeof on === 'string') return { [on]: null };
  if (Array.isArray(on)) return Object.fromEntries(on.map((event: string) => [event, null]));
  if (on && typeof on === 'object') return on;
  return {};
}

function jobsOf(data: Yaml): [string, Yaml][] {
  return Object.entries(data?.jobs ?? {});
}

function stepsOf(job: Yaml): Yaml[] {
  return Array.isArray(job?.steps) ? job.steps : [];
}

function needsOf(job: Yaml): string[] {
  const needs = job?.needs;
  if (typeof needs === 'string') return [needs];
  return Array.isArray(needs) ? needs : [];
}

/** Every string in a value, with its path. */
function strings(value: Yaml, path: string): { path: string; text: string }[] {
  if (typeof value === 'string') return [{ path, text: value }];
  if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => strings(item, `${path}.${key}`));
  }
  return [];
}

/** The expressions in a string: the `${{ }}` parts, or the whole string for an `if:` without them. */
function expressions(text: string, isCondition: boolean): string[] {
  const found = [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => m[1]);
  if (found.length === 0 && isCondition) return [text];
  // String literals cannot name contexts; dropping them avoids false matches.
  return found.map((expr) => expr.replace(/'(?:[^']|'')*'/g, "''"));
}

const NAME = '[A-Za-z_][A-Za-z0-9_-]*';

type Level = 'none' | 'read' | 'write';
const rank = (level: Level) => ({ none: 0, read: 1, write: 2 })[level];
const SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'security-events',
  'statuses',
];

/** A `permissions:` value as explicit levels per scope; undefined when not set. */
function permissionLevels(value: Yaml): Record<string, Level> | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'read-all' || value === 'write-all') {
    const level = value === 'read-all' ? 'read' : 'write';
    return Object.fromEntries(SCOPES.map((scope) => [scope, level]));
  }
  if (typeof value === 'object') return { ...value };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The checks.

/** GitHub's workflow schema, including where each context may be used. */
export async function schemaProblems(file: WorkflowFile): Promise<string[]> {
  const parsed = parseWorkflow({ name: file.path, content: file.text }, new NoOperationTraceWriter());
  const problems = parsed.context.errors.getErrors().map((e) => e.message);
  if (problems.length === 0 && parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const error of template.errors ?? []) problems.push(error.Message);
  }
  return [...new Set(problems)];
}

export function topPermissionsProblems(file: WorkflowFile): string[] {
  return file.data?.permissions === undefined
    ? [`${file.path}: no top-level \`permissions:\`; set \`permissions: {}\` and grant per job`]
    : [];
}

export function secretsInheritProblems(file: WorkflowFile): string[] {
  return jobsOf(file.data)
    .filter(([, job]) => job?.secrets === 'inherit')
    .map(([id]) => `${file.path}: jobs.${id} uses \`secrets: inherit\`; pass each secret by name`);
}

export function pullRequestTargetProblems(file: WorkflowFile): string[] {
  return 'pull_request_target' in triggers(file.data)
    ? [`${file.path}: triggered by pull_request_target, which runs with secrets next to untrusted code`]
    : [];
}

export function runExpressionProblems(file: WorkflowFile): string[] {
  const problems: string[] = [];
  for (const [id, job] of jobsOf(file.data)) {
    stepsOf(job).forEach((step, i) => {
      if (typeof step?.run === 'string' && step.run.includes('${{')) {
        problems.push(
          `${file.path}: jobs.${id}.steps[${i}] expands \${{ }} inside run:; pass the value through env: instead`,
        );
      }
    });
  }
  return problems;
}

/** Third-party `uses:` must be a full commit SHA followed by a `# vX.Y.Z` comment. */
export function pinProblems(file: WorkflowFile): string[] {
  const problems: string[] = [];
  const doc = parseDocument(file.text);
  visit(doc, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || pair.key.value !== 'uses' || !isScalar(pair.value)) return;
      const uses = String(pair.value.value);
      const end = pair.value.range?.[1] ?? 0;
      const rest = file.text.slice(end, file.text.indexOf('\n', end) === -1 ? undefined : file.text.indexOf('\n', end));
      const own = ownTarget(uses);
      if (own !== undefined) {
        // Users reference this suite by major tag (or a SHA); a branch name here would be a mistake.
        if (!uses.startsWith('$/') && !uses.startsWith('./') && !/@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/.test(uses)) {
          problems.push(`${file.path}: \`${uses}\` should reference a release tag (@v1) or a commit SHA`);
        }
        return;
      }
      if (uses.startsWith('docker://')) {
        if (!/@sha256:[0-9a-f]{64}$/.test(uses)) problems.push(`${file.path}: \`${uses}\` is not pinned by digest`);
        return;
      }
      if (!/^[^/@\s]+\/[^@\s]+@[0-9a-f]{40}$/.test(uses)) {
        problems.push(`${file.path}: \`${uses}\` is not pinned to a full commit SHA`);
      } else if (!/^\s*#\s*v\d+(\.\d+)*\b/.test(rest)) {
        problems.push(`${file.path}: \`${uses}\` has no version comment (\`# v1.2.3\`) after the SHA`);
      }
    },
  });
  return problems;
}

/**
 * Every `with:` key given to one of this repo's actions or reusable workflows is declared there,
 * every required input (and secret) is given, and the caller grants the permissions the called
 * workflow's jobs ask for.
 */
export function ownUsesProblems(file: WorkflowFile, root = ROOT): string[] {
  const problems: string[] = [];
  const given = (value: Yaml) => Object.keys(value && typeof value === 'object' ? value : {});
  const topPermissions = permissionLevels(file.data?.permissions);
  for (const [id, job] of jobsOf(file.data)) {
    if (typeof job?.uses === 'string') {
      const target = ownTarget(job.uses);
      if (target === undefined) continue;
      const where = `${file.path}: jobs.${id} (${job.uses})`;
      const contract = isWorkflowPath(target) ? readWorkflowContract(target, root) : undefined;
      if (!contract) {
        problems.push(`${where}: no reusable workflow (on: workflow_call) at ${target} in this repository`);
        continue;
      }
      for (const key of given(job.with)) {
        if (!(key in contract.inputs)) problems.push(`${where}: with.${key} is not an input of ${target}`);
      }
      for (const [name, spec] of Object.entries(contract.inputs)) {
        if (spec?.required && !given(job.with).includes(name))
          problems.push(`${where}: required input ${name} is not given`);
      }
      if (job.secrets !== 'inherit') {
        for (const key of given(job.secrets)) {
          if (!(key in contract.secrets)) problems.push(`${where}: secrets.${key} is not a secret of ${target}`);
        }
        for (const [name, spec] of Object.entries(contract.secrets)) {
          if (spec?.required && !given(job.secrets).includes(name))
            problems.push(`${where}: required secret ${name} is not given`);
        }
      }
      const granted = permissionLevels(job.permissions) ?? topPermissions;
      if (granted) {
        for (const [scope, level] of Object.entries(contract.permissions)) {
          if (rank(granted[scope] ?? 'none') < rank(level)) {
            problems.push(`${where}: ${target} needs \`${scope}: ${level}\`, which this job does not grant`);
          }
        }
      }
      continue;
    }
    stepsOf(job).forEach((step, i) => {
      if (typeof step?.uses !== 'string') return;
      const target = ownTarget(step.uses);
      if (target === undefined) return;
      const where = `${file.path}: jobs.${id}.steps[${i}] (${step.uses})`;
      if (step.uses.startsWith('$/') && step.uses.includes('@')) {
        problems.push(`${where}: a \`$/\` reference takes no @ref (it is the workflow's own commit)`);
        return;
      }
      const contract = readActionContract(target, root);
      if (!contract) {
        problems.push(`${where}: no action.yml at ${target}/ in this repository`);
        return;
      }
      for (const key of given(step.with)) {
        if (!(key in contract.inputs)) problems.push(`${where}: with.${key} is not an input of ${target}/action.yml`);
      }
      for (const [name, spec] of Object.entries(contract.inputs)) {
        const hasDefault = spec?.default !== undefined && spec?.default !== null && spec?.default !== '';
        if (spec?.required && !hasDefault && !given(step.with).includes(name)) {
          problems.push(`${where}: required input ${name} is not given`);
        }
      }
    });
  }
  return problems;
}

/**
 * Every name an expression or `needs:` refers to exists: jobs and their outputs, earlier steps and
 * their outputs, workflow inputs, and (in reusable workflows) declared secrets.
 */
export function referenceProblems(file: WorkflowFile, root = ROOT): string[] {
  const problems: string[] = [];
  const data = file.data;
  const on = triggers(data);
  const jobs = Object.fromEntries(jobsOf(data));
  const declaredInputs = new Set([
    ...Object.keys(on.workflow_call?.inputs ?? {}),
    ...Object.keys(on.workflow_dispatch?.inputs ?? {}),
  ]);
  const callable = 'workflow_call' in on;
  const declaredSecrets = new Set([...Object.keys(on.workflow_call?.secrets ?? {}), 'GITHUB_TOKEN']);

  /** The outputs a job exposes, or undefined when they cannot be known (a third-party workflow). */
  const jobOutputs = (jobId: string): string[] | undefined => {
    const job = jobs[jobId];
    if (typeof job?.uses === 'string') {
      const target = ownTarget(job.uses);
      return target === undefined ? undefined : (readWorkflowContract(target, root)?.outputs ?? []);
    }
    return Object.keys(job?.outputs ?? {});
  };

  /** Outputs a step can set, or undefined when unknown (third-party action). */
  const stepOutputs = (step: Yaml): { names?: string[]; run?: string } => {
    if (typeof step?.run === 'string') return { run: step.run };
    const target = typeof step?.uses === 'string' ? ownTarget(step.uses) : undefined;
    if (target === undefined) return {};
    return { names: readActionContract(target, root)?.outputs ?? [] };
  };

  const checkCommon = (where: string, expr: string, needs: string[] | undefined) => {
    for (const m of expr.matchAll(new RegExp(`\\binputs\\.(${NAME})`, 'g'))) {
      if (!declaredInputs.has(m[1])) problems.push(`${where}: inputs.${m[1]} is not a declared input`);
    }
    if (callable) {
      for (const m of expr.matchAll(new RegExp(`\\bsecrets\\.(${NAME})`, 'g'))) {
        if (!declaredSecrets.has(m[1])) problems.push(`${where}: secrets.${m[1]} is not a declared secret`);
      }
    }
    for (const m of expr.matchAll(new RegExp(`\\bneeds\\.(${NAME})(?:\\.outputs\\.(${NAME}))?`, 'g'))) {
      if (!needs?.includes(m[1])) {
        problems.push(`${where}: needs.${m[1]} is not in this job's needs`);
      } else if (m[2]) {
        const outputs = jobOutputs(m[1]);
        if (outputs && !outputs.includes(m[2])) problems.push(`${where}: job ${m[1]} has no output ${m[2]}`);
      }
    }
  };

  const checkSteps = (where: string, expr: string, visible: Yaml[]) => {
    for (const m of expr.matchAll(new RegExp(`\\bsteps\\.(${NAME})(?:\\.outputs\\.(${NAME}))?`, 'g'))) {
      const step = visible.find((s) => s?.id === m[1]);
      if (!step) {
        problems.push(`${where}: steps.${m[1]} is not an earlier step of this job`);
        continue;
      }
      if (!m[2]) continue;
      const { names, run } = stepOutputs(step);
      if (names && !names.includes(m[2])) problems.push(`${where}: step ${m[1]} has no output ${m[2]}`);
      if (run !== undefined && !new RegExp(`\\b${m[2]}\\b`).test(run)) {
        problems.push(`${where}: step ${m[1]}'s script never writes output ${m[2]}`);
      }
    }
  };

  // Workflow level: outputs of a reusable workflow name jobs and their outputs.
  for (const { path, text } of strings(on.workflow_call?.outputs ?? {}, 'on.workflow_call.outputs')) {
    for (const expr of expressions(text, false)) {
      checkCommon(`${file.path}: ${path}`, expr, undefined);
      for (const m of expr.matchAll(new RegExp(`\\bjobs\\.(${NAME})\\.outputs\\.(${NAME})`, 'g'))) {
        if (!(m[1] in jobs)) problems.push(`${file.path}: ${path}: jobs.${m[1]} does not exist`);
        else if (!jobOutputs(m[1])?.includes(m[2]))
          problems.push(`${file.path}: ${path}: job ${m[1]} has no output ${m[2]}`);
      }
    }
  }
  for (const key of ['env', 'concurrency', 'run-name', 'defaults']) {
    for (const { path, text } of strings(data?.[key], key)) {
      for (const expr of expressions(text, false)) checkCommon(`${file.path}: ${path}`, expr, []);
    }
  }

  for (const [id, job] of jobsOf(data)) {
    const needs = needsOf(job);
    for (const need of needs) {
      if (!(need in jobs)) problems.push(`${file.path}: jobs.${id} needs ${need}, which is not a job`);
    }
    const steps = stepsOf(job);
    for (const [key, value] of Object.entries<Yaml>(job ?? {})) {
      if (key === 'steps') continue;
      for (const { path, text } of strings(value, `jobs.${id}.${key}`)) {
        for (const expr of expressions(text, key === 'if')) {
          const where = `${file.path}: ${path}`;
          checkCommon(where, expr, needs);
          // A job's outputs and environment URL are read after all its steps ran.
          checkSteps(where, expr, key === 'outputs' || key === 'environment' ? steps : []);
        }
      }
    }
    steps.forEach((step, i) => {
      for (const [key, value] of Object.entries<Yaml>(step ?? {})) {
        for (const { path, text } of strings(value, `jobs.${id}.steps[${i}].${key}`)) {
          for (const expr of expressions(text, key === 'if')) {
            const where = `${file.path}: ${path}`;
            checkCommon(where, expr, needs);
            checkSteps(where, expr, steps.slice(0, i));
          }
        }
      }
    });
    const ids = steps.map((s) => s?.id).filter(Boolean);
    for (const dup of ids.filter((s, i) => ids.indexOf(s) !== i)) {
      problems.push(`${file.path}: jobs.${id} has two steps with id ${dup}`);
    }
  }
  return problems;
}

/** Across files: one action, one pinned commit (so an update reaches every workflow at once). */
export function pinConsistencyProblems(files: WorkflowFile[]): string[] {
  const seen = new Map<string, { sha: string; path: string }>();
  const problems: string[] = [];
  for (const file of files) {
    for (const m of file.text.matchAll(/uses:\s*['"]?([^'"\s@]+)@([0-9a-f]{40})\b/g)) {
      const first = seen.get(m[1]);
      if (!first) seen.set(m[1], { sha: m[2], path: file.path });
      else if (first.sha !== m[2]) {
        problems.push(`${file.path}: ${m[1]} is pinned to ${m[2]}, but ${first.path} pins ${first.sha}`);
      }
    }
  }
  return problems;
}

/** All checks over one workflow file. */
export async function workflowProblems(file: WorkflowFile, root = ROOT): Promise<string[]> {
  return [
    ...(await schemaProblems(file)),
    ...topPermissionsProblems(file),
    ...secretsInheritProblems(file),
    ...pullRequestTargetProblems(file),
    ...runExpressionProblems(file),
    ...pinProblems(file),
    ...ownUsesProblems(file, root),
    ...referenceProblems(file, root),
  ];
}
