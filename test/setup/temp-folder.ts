/**
 * Every test process gets its temp folder (TMPDIR, which os.tmpdir() reads) inside the repository's
 * `.tmp/`, and the whole folder is removed when the run ends: a run leaves nothing in the system's
 * temp folder, whatever a test forgot to remove. What a person may want after the run (rehearsal
 * reports, screenshots) goes to `.tmp/artifacts/` instead, which stays.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_TEMP = resolve(import.meta.dirname, '..', '..', '.tmp');
export const ARTIFACTS = join(REPO_TEMP, 'artifacts');

export default function setup(): () => void {
  mkdirSync(REPO_TEMP, { recursive: true });
  const dir = mkdtempSync(join(REPO_TEMP, 'tests-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(dir, { recursive: true, force: true });
  };
}
