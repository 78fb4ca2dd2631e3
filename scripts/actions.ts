import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '..');

/** The actions, in pipeline order, then the preview janitor and the pull request's deploy plan. */
export const ACTIONS = [
  'business-hours-gate',
  'require-checks',
  'pg-migrate',
  'fly-secrets-sync',
  'fly-deploy',
  'health-gate',
  'auto-rollback',
  'notify',
  'preview-janitor',
  'deploy-plan',
] as const;
export type ActionName = (typeof ACTIONS)[number];

export interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
}
export interface ActionYml {
  name: string;
  description: string;
  author?: string;
  inputs?: Record<string, ActionInput>;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string; main: string; post?: string };
}

export function actionYmlPath(name: string): string {
  return join(ROOT, name, 'action.yml');
}

export function readActionYml(name: string): ActionYml {
  return parse(readFileSync(actionYmlPath(name), 'utf8')) as ActionYml;
}

export function entryPath(name: string): string {
  return join(ROOT, 'actions', name, 'src', 'main.ts');
}

/** Every top-level folder holding an action.yml (a check that ACTIONS is complete). */
export function discoverActions(): string[] {
  return readdirSync(ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, d.name, 'action.yml')))
    .map((d) => d.name)
    .sort();
}
