import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The deployment record fly-deploy writes (the `deployment-file` output): one JSON object. */
export interface DeploymentRecord {
  app: string;
  release: { id: string; version: number | null };
  image: string;
  sha: string;
  ref: string;
  actor: string;
  reason: string;
  started: string;
  finished: string;
  strategy: string;
  result: 'success' | 'failure' | 'unchanged' | 'destroyed';
  previous: { version: number | null; image: string };
  url: string;
  error: string;
}

/** Writes the record under RUNNER_TEMP (or the OS temp folder) and returns its path. */
export function writeDeploymentFile(record: DeploymentRecord, env: NodeJS.ProcessEnv = process.env): string {
  const dir = join(env.RUNNER_TEMP || tmpdir(), 'fly-deploy');
  mkdirSync(dir, { recursive: true });
  const name = `${record.app}-${env.GITHUB_RUN_ID || 'local'}-${env.GITHUB_RUN_ATTEMPT || '1'}-${Date.now()}.json`;
  const path = join(dir, name);
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}
