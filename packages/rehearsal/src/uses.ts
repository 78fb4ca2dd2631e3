/**
 * What a `uses:` value means in a rehearsal. This repo's own actions run from their dist bundles;
 * a short explicit list of third-party actions are no-ops because the rehearsal already provides what
 * they would (the workspace is the app checkout, Node is present); anything else stops the rehearsal.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { RehearsalError } from './errors';

export type ResolvedUses =
  | {
      kind: 'action';
      action: string;
      actionDir: string;
      main: string;
      inputs: Record<string, ActionInput>;
      /** Set when the bundle is not built: the step fails with this message when it is reached. */
      missing?: string;
    }
  | { kind: 'noop'; note: string }
  | { kind: 'skip'; note: string }
  | { kind: 'artifact' };

export interface ActionInput {
  required?: boolean;
  default?: string;
}

/** Third-party actions treated as no-ops, with the note the timeline shows. */
export const NOOP_ACTIONS: Record<string, string> = {
  'actions/checkout': 'no-op: the rehearsal workspace already is the app checkout',
  'actions/setup-node': 'no-op: Node 24 comes with the rehearsal (node_modules/node24)',
};

/**
 * Third-party actions that deploy somewhere the rehearsal has no stand-in for: their steps are skipped
 * with a notice instead of stopping the rehearsal, so a workflow that also ships to them still runs.
 */
export const SKIPPED_ACTIONS: Record<string, string> = {
  'cloudflare/wrangler-action': 'skipped: deploys to Cloudflare, which the rehearsal has no stand-in for',
};

/** The repository name under which users reference this suite (`<owner>/deploy-actions/<action>@v1`). */
const SUITE_REPO = 'deploy-actions';

function ownAction(repoRoot: string, path: string, uses: string): ResolvedUses {
  const actionDir = join(repoRoot, path);
  const file = ['action.yml', 'action.yaml'].map((f) => join(actionDir, f)).find((f) => existsSync(f));
  if (!file || path.includes('..')) throw new RehearsalError(`uses: ${uses}: no action.yml at ${path}/ in this repo`);
  const yml = parse(readFileSync(file, 'utf8')) as {
    inputs?: Record<string, ActionInput>;
    runs?: { using?: string; main?: string };
  };
  if (yml.runs?.using !== 'node24' || !yml.runs.main) {
    throw new RehearsalError(`uses: ${uses}: only node24 actions can be rehearsed (runs.using: ${yml.runs?.using})`);
  }
  const main = join(actionDir, yml.runs.main);
  const missing = existsSync(main)
    ? undefined
    : `uses: ${uses}: its bundle ${yml.runs.main} does not exist; run \`npm run build\``;
  return { kind: 'action', action: path, actionDir, main, inputs: yml.inputs ?? {}, ...(missing ? { missing } : {}) };
}

/**
 * Resolves `$/<action>`, `./<action>` and `<owner>/deploy-actions/<action>@<ref>` to this repo's
 * action folder (the rehearsal always runs the working tree), and the known no-ops.
 */
export function resolveUses(uses: string, repoRoot: string): ResolvedUses {
  if (uses.startsWith('$/')) return ownAction(repoRoot, uses.slice(2), uses);
  if (uses.startsWith('./')) return ownAction(repoRoot, uses.slice(2).replace(/\/$/, ''), uses);
  if (uses.startsWith('docker://')) throw new RehearsalError(`uses: ${uses}: docker actions are not supported`);
  const match = /^([^/@\s]+)\/([^/@\s]+)(?:\/([^@\s]+))?@(\S+)$/.exec(uses);
  if (!match) throw new RehearsalError(`uses: ${uses}: not an action reference the rehearsal understands`);
  const [, owner, repo, path] = match;
  if (repo === SUITE_REPO && path) return ownAction(repoRoot, path, uses);
  const note = path ? undefined : NOOP_ACTIONS[`${owner}/${repo}`];
  if (note) return { kind: 'noop', note };
  if (!path && `${owner}/${repo}` === 'actions/upload-artifact') return { kind: 'artifact' };
  const skipped = path ? undefined : SKIPPED_ACTIONS[`${owner}/${repo}`];
  if (skipped) return { kind: 'skip', note: skipped };
  throw new RehearsalError(
    `uses: ${uses}: third-party actions are not run by the rehearsal; ` +
      `only ${Object.keys(NOOP_ACTIONS).join(', ')} are accepted (as no-ops), actions/upload-artifact (kept in the rehearsal's artifact store), and ${Object.keys(SKIPPED_ACTIONS).join(', ')} (skipped)`,
  );
}

/**
 * Resolves a job's `uses:` of a reusable workflow: `./.github/workflows/<file>` or
 * `<owner>/deploy-actions/.github/workflows/<file>@<ref>`, both to this repo's working tree.
 */
export function resolveWorkflow(uses: string, repoRoot: string, workflowsDir?: string): string {
  const local = /^\.\/(\.github\/workflows\/[^/@\s]+\.ya?ml)$/.exec(uses);
  const suite = new RegExp(`^[^/@\\s]+/${SUITE_REPO}/(\\.github/workflows/[^/@\\s]+\\.ya?ml)@\\S+$`).exec(uses);
  const path = local?.[1] ?? suite?.[1];
  if (!path) {
    throw new RehearsalError(
      `uses: ${uses}: only this repo's reusable workflows (./.github/workflows/... or <owner>/${SUITE_REPO}/.github/workflows/...@<ref>) can be rehearsed`,
    );
  }
  const file = workflowsDir ? join(workflowsDir, basename(path)) : join(repoRoot, path);
  if (!existsSync(file)) throw new RehearsalError(`uses: ${uses}: no ${path} in this repo`);
  return file;
}
