/**
 * `actions/upload-artifact` as the rehearsal models it: the files named by `path` are copied into the
 * run's artifact store under `name`, with the retention asked for, so a rehearsal can check that a
 * backup outlives its job. Inputs, defaults and errors follow actions/upload-artifact@v7 action.yml
 * (name `artifact`, `if-no-files-found` warn|error|ignore, `retention-days` 1 to 90 or 0 for the
 * repository's setting, `overwrite` false: a second upload of a name fails as GitHub's API refuses it).
 * Globs are not expanded: a path with wildcards is refused, naming the input.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { RehearsalError } from './errors';

export interface ArtifactRecord {
  name: string;
  /** File names inside the artifact, with their sizes. */
  files: { name: string; bytes: number }[];
  /** 0 means the repository's setting (90 days unless changed). */
  retentionDays: number;
  /** Where the rehearsal keeps the artifact's files (inside the stage; gone when the stage closes). */
  dir: string;
}

export interface UploadResult {
  artifact?: ArtifactRecord;
  warning?: string;
}

function filesOf(dir: string, prefix = ''): { name: string; bytes: number }[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory()
      ? filesOf(path, `${prefix}${entry}/`)
      : [{ name: `${prefix}${entry}`, bytes: statSync(path).size }];
  });
}

export function uploadArtifact(
  inputs: Record<string, string>,
  store: string,
  existing: ArtifactRecord[],
  workspace: string,
): UploadResult {
  const name = inputs.name?.trim() || 'artifact';
  const paths = (inputs.path ?? '')
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean);
  if (paths.length === 0) throw new RehearsalError('upload-artifact: Input required and not supplied: path');
  if (paths.some((p) => /[*?[]/.test(p) || p.startsWith('!'))) {
    throw new RehearsalError(
      `upload-artifact: input 'path' uses a glob, which the rehearsal does not expand: ${paths.join(', ')}`,
    );
  }
  const mode = inputs['if-no-files-found']?.trim() || 'warn';
  if (!['warn', 'error', 'ignore'].includes(mode)) {
    throw new RehearsalError(`upload-artifact: input 'if-no-files-found' must be warn, error or ignore, got '${mode}'`);
  }
  const retention = inputs['retention-days']?.trim() ? Number(inputs['retention-days']) : 0;
  if (!Number.isInteger(retention) || retention < 0 || retention > 90) {
    throw new RehearsalError(
      `upload-artifact: input 'retention-days' must be a whole number from 0 to 90, got '${inputs['retention-days']}'`,
    );
  }
  if (existing.some((a) => a.name === name) && inputs.overwrite !== 'true') {
    throw new RehearsalError(
      `upload-artifact: an artifact named '${name}' already exists in this run (set overwrite: true)`,
    );
  }
  const found = paths.map((p) => resolve(workspace, p)).filter((p) => existsSync(p));
  if (found.length === 0) {
    const message = `No files were found with the provided path: ${paths.join(', ')}. No artifacts will be uploaded.`;
    if (mode === 'error') throw new RehearsalError(`upload-artifact: ${message}`);
    return mode === 'warn' ? { warning: message } : {};
  }
  const dir = join(store, name);
  mkdirSync(dir, { recursive: true });
  for (const path of found) cpSync(path, join(dir, basename(path)), { recursive: true });
  return { artifact: { name, files: filesOf(dir), retentionDays: retention, dir } };
}
