/**
 * Generates action-catalog.md from the action.yml files and the reusable workflows: per action its
 * purpose, the `uses:` line, inputs, outputs and one example step; per workflow the permissions a
 * caller grants, an example job, inputs, secrets and outputs. `npm run catalog`.
 * The contract test fails when the committed file differs from what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ACTIONS, type ActionYml, ROOT, readActionYml } from './actions';

/** How users name this repository in `uses:` until they replace it with where they keep it. */
export const OWNER = '<owner>';

/** Text for one table cell: one line, pipes escaped, and `<x>` shown as text outside code spans. */
const cell = (text: string | undefined) =>
  (text ?? '')
    .trim()
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');

/** The inputs each example step shows, with plausible values (every one is checked against action.yml). */
export const EXAMPLES: Record<string, Record<string, string>> = {
  'business-hours-gate': {
    holidays: 'US-CA',
    override: '${{ inputs.override }}',
    'override-reason': '${{ inputs.reason }}',
  },
  'require-checks': { checks: 'test, lint', timeout: '10m' },
  'pg-migrate': { 'database-url': '${{ secrets.DATABASE_URL }}', 'migrations-dir': 'migrations' },
  'fly-secrets-sync': {
    app: 'my-app',
    secrets: '${{ secrets.APP_SECRETS }}',
    'fly-api-token': '${{ secrets.FLY_API_TOKEN }}',
  },
  'fly-deploy': { app: 'my-app', 'fly-api-token': '${{ secrets.FLY_API_TOKEN }}' },
  'health-gate': { url: 'https://my-app.fly.dev/health', 'expected-version': '${{ github.sha }}' },
  'auto-rollback': {
    app: 'my-app',
    'failed-release-version': '${{ steps.deploy.outputs.release-version }}',
    'failed-image-ref': '${{ steps.deploy.outputs.image-ref }}',
    'fly-api-token': '${{ secrets.FLY_API_TOKEN }}',
  },
  notify: { status: '${{ job.status }}', app: 'my-app', 'slack-webhook': '${{ secrets.SLACK_WEBHOOK_URL }}' },
};

function exampleStep(name: string, action: ActionYml): string {
  const shown = { ...EXAMPLES[name] };
  for (const [key, spec] of Object.entries(action.inputs ?? {})) {
    if (spec.required && !(key in shown)) shown[key] = `<${key}>`;
  }
  const lines = [`- uses: ${OWNER}/deploy-actions/${name}@v1`];
  if (Object.keys(shown).length > 0) {
    lines.push('  with:');
    for (const [key, value] of Object.entries(shown)) lines.push(`    ${key}: ${value}`);
  }
  return lines.join('\n');
}

interface WorkflowYml {
  on: {
    workflow_call: {
      inputs?: Record<string, { description?: string; type: string; required?: boolean; default?: unknown }>;
      secrets?: Record<string, { description?: string; required?: boolean }>;
      outputs?: Record<string, { description?: string }>;
    };
  };
  jobs: Record<string, { permissions?: Record<string, string> | string }>;
}

/** The reusable workflows, what each is for, and what its example job passes. */
export const WORKFLOWS = [
  {
    file: 'deploy.yml',
    summary:
      'The production pipeline for one Fly.io app: deploy window, migrations, secrets, deploy, health gate, rollback when a step fails after a release was created, and notifications with the outcome.',
    with: { app: 'my-app', environment: 'production' },
    secrets: ['FLY_API_TOKEN', 'DATABASE_URL'],
  },
  {
    file: 'preview.yml',
    summary:
      'One Fly app per pull request: deployed and verified on opened, synchronize and reopened, its URL in one pull request comment, destroyed on closed. Called from a `pull_request` workflow.',
    with: { org: 'my-org' },
    secrets: ['FLY_API_TOKEN'],
  },
  {
    file: 'plan.yml',
    summary:
      'One comment per pull request saying what merging would deploy: pending migrations with class, locks and lint, secret names added or removed, fly.toml changes that matter, the deploy window at merge time, what auto-rollback could do. Requires no secret (fork-safe); with FLY_API_TOKEN, secret names are compared with those of the app. Called from a `pull_request` workflow.',
    with: { 'secret-names-file': '.env.example', app: 'my-app' },
    secrets: ['FLY_API_TOKEN'],
  },
] as const;

const anchor = (text: string) => text.toLowerCase().replace(/[^a-z0-9 -]/g, '');

export function readWorkflowYml(file: string): WorkflowYml {
  return parse(readFileSync(join(ROOT, '.github', 'workflows', file), 'utf8')) as WorkflowYml;
}

/** What the calling job must grant: every permission some job of the workflow asks for, at its highest level. */
export function callerPermissions(workflow: WorkflowYml): Record<string, string> {
  const granted: Record<string, string> = {};
  for (const job of Object.values(workflow.jobs)) {
    if (typeof job.permissions !== 'object') continue;
    for (const [scope, level] of Object.entries(job.permissions)) {
      if (level === 'write' || (level === 'read' && granted[scope] !== 'write')) granted[scope] = level;
    }
  }
  return Object.fromEntries(Object.entries(granted).sort(([a], [b]) => a.localeCompare(b)));
}

function workflowSection({ file, summary, with: inputs, secrets }: (typeof WORKFLOWS)[number]): string[] {
  const workflow = readWorkflowYml(file);
  const call = workflow.on.workflow_call;
  const permissions = callerPermissions(workflow);
  const job = [
    'jobs:',
    `  ${file.replace('.yml', '')}:`,
    `    permissions: { ${Object.entries(permissions)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ')} }`,
    `    uses: ${OWNER}/deploy-actions/.github/workflows/${file}@v1`,
    '    with:',
    ...Object.entries(inputs).map(([k, v]) => `      ${k}: ${v}`),
    ...(secrets.length > 0 ? ['    secrets:'] : []),
    ...secrets.map((name) => `      ${name}: \${{ secrets.${name} }}`),
  ];
  const parts = ['', `## ${file}`, '', summary, '', '```yaml', ...job, '```', ''];
  parts.push(
    `The calling job must grant ${Object.entries(permissions)
      .map(([k, v]) => `\`${k}: ${v}\``)
      .join(', ')}: a called workflow can only narrow what its caller grants.`,
    '',
  );
  parts.push('### Inputs', '', '| name | type | required | default | description |', '| --- | --- | --- | --- | --- |');
  for (const [name, spec] of Object.entries(call.inputs ?? {})) {
    const def = spec.default === undefined || spec.default === '' ? '' : `\`${cell(String(spec.default))}\``;
    parts.push(`| \`${name}\` | ${spec.type} | ${spec.required ? 'yes' : 'no'} | ${def} | ${cell(spec.description)} |`);
  }
  if (call.secrets) {
    parts.push(
      '',
      '### Secrets',
      '',
      'Pass each by name; never `secrets: inherit`.',
      '',
      '| name | required | description |',
      '| --- | --- | --- |',
    );
    for (const [name, spec] of Object.entries(call.secrets)) {
      parts.push(`| \`${name}\` | ${spec.required ? 'yes' : 'no'} | ${cell(spec.description)} |`);
    }
  } else parts.push('', 'It takes no secrets.');
  parts.push('', '### Outputs', '', '| name | description |', '| --- | --- |');
  for (const [name, spec] of Object.entries(call.outputs ?? {}))
    parts.push(`| \`${name}\` | ${cell(spec.description)} |`);
  return parts;
}

export function renderCatalog(): string {
  const parts = [
    '# Action catalog',
    '',
    '<!-- Generated by `npm run catalog` from the action.yml files and the reusable workflows. Do not edit by hand. -->',
    '',
    `Every action runs on \`node24\` and is referenced as \`${OWNER}/deploy-actions/<action>@v1\`; the reusable`,
    `workflows as \`${OWNER}/deploy-actions/.github/workflows/<file>@v1\` from a job. Replace \`${OWNER}\` with the`,
    'account that holds your copy of this repository, and `@v1` with a commit SHA to pin.',
    '',
    '- Reusable workflows:',
    ...WORKFLOWS.map(({ file }) => `  - [${file}](#${anchor(file)})`),
    '- Actions:',
    ...ACTIONS.map((name) => `  - [${name}](#${name})`),
  ];
  for (const workflow of WORKFLOWS) parts.push(...workflowSection(workflow));
  for (const name of ACTIONS) {
    const action = readActionYml(name);
    parts.push('', `## ${name}`, '', cell(action.description), '', '```yaml', exampleStep(name, action), '```', '');
    const inputs = Object.entries(action.inputs ?? {});
    if (inputs.length > 0) {
      parts.push('### Inputs', '', '| name | required | default | description |', '| --- | --- | --- | --- |');
      for (const [key, spec] of inputs) {
        const def = spec.default === undefined || spec.default === '' ? '' : `\`${cell(String(spec.default))}\``;
        parts.push(`| \`${key}\` | ${spec.required ? 'yes' : 'no'} | ${def} | ${cell(spec.description)} |`);
      }
      parts.push('');
    }
    const outputs = Object.entries(action.outputs ?? {});
    if (outputs.length > 0) {
      parts.push('### Outputs', '', '| name | description |', '| --- | --- |');
      for (const [key, spec] of outputs) parts.push(`| \`${key}\` | ${cell(spec.description)} |`);
      parts.push('');
    }
  }
  return `${parts
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

export const CATALOG_PATH = join(ROOT, 'action-catalog.md');

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(CATALOG_PATH, renderCatalog());
  console.log(`wrote ${CATALOG_PATH}`);
}
