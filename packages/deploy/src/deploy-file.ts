import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { redact } from '@deploy-actions/toolkit';
import type { DeployAppOutcome } from './deploy-app';

/** The deployment file fly-deploy writes (the `deployment-file` output): one JSON object. */
export interface DeployFile extends RecordBase {
  app: string;
  release: { id: string; version: number | null };
  image: string;
  finished: string;
  strategy: string;
  result: 'success' | 'failure' | 'unchanged' | 'destroyed';
  previous: { version: number | null; image: string };
  url: string;
  error: string;
}

/** Writes the record under RUNNER_TEMP (or the OS temp folder) and returns its path. */
export function writeDeploymentFile(record: DeployFile, env: NodeJS.ProcessEnv = process.env): string {
  const dir = join(env.RUNNER_TEMP || tmpdir(), 'fly-deploy');
  mkdirSync(dir, { recursive: true });
  const name = `${record.app}-${env.GITHUB_RUN_ID || 'local'}-${env.GITHUB_RUN_ATTEMPT || '1'}-${Date.now()}.json`;
  const path = join(dir, name);
  // Redacted like every output: flyctl's error text can echo a token or a build secret.
  const safe = JSON.stringify(record, (_key, value) => (typeof value === 'string' ? redact(value) : value), 2);
  writeFileSync(path, `${safe}\n`);
  return path;
}

/** What every record of a run shares: who, what commit, why, since when. */
export interface RecordBase {
  sha: string;
  ref: string;
  actor: string;
  reason: string;
  started: string;
}

/** The record of a deploy (successful, failed or unchanged). */
export function deployRecord(outcome: DeployAppOutcome, base: RecordBase, strategy: string): DeployFile {
  return {
    ...base,
    app: outcome.app,
    release: { id: outcome.release?.id ?? '', version: outcome.release?.version ?? null },
    image: outcome.imageRef,
    finished: outcome.finishedAt.toISOString(),
    strategy,
    result: outcome.result,
    previous: { version: outcome.previous?.version ?? null, image: outcome.previous?.imageRef ?? '' },
    url: outcome.appUrl,
    error: outcome.error?.flyMessage ?? '',
  };
}

/** The record of a destroyed (or already gone) app. */
export function destroyRecord(app: string, base: RecordBase): DeployFile {
  return {
    ...base,
    app,
    release: { id: '', version: null },
    image: '',
    finished: new Date().toISOString(),
    strategy: '',
    result: 'destroyed',
    previous: { version: null, image: '' },
    url: '',
    error: '',
  };
}
