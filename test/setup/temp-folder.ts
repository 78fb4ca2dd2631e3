/**
 * Every test process gets its temp folder (TMPDIR, which os.tmpdir() reads) inside one folder per
 * run in the system's temp folder, removed when the run ends: a run leaves nothing behind, whatever
 * a test forgot to remove. It stays outside the repository, as a runner's temp folder is outside the
 * checkout (a bundle copied there must not find this repository's node_modules). What a person may
 * want after the run (rehearsal reports, screenshots) goes to `.tmp/artifacts/` instead, which stays.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ARTIFACTS = resolve(import.meta.dirname, '..', '..', '.tmp', 'artifacts');

export default function setup(): () => void {
  const before = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'deploy-actions-tests-'));
  // Others may pass through (a test PostgreSQL runs as the postgres user when we are root), not list it.
  chmodSync(dir, 0o711);
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
