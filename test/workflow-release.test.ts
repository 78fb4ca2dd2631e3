/**
 * release.yml's shell steps, run with bash against real git repositories: a bare "origin" and a
 * clone standing in for the checkout (fetch-depth 0). Checks which tags release, that a branch
 * named like the major tag stops the release, and that the major tag moves forward only.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadWorkflow, ROOT } from './workflow-checks';

const release = loadWorkflow(join(ROOT, '.github/workflows/release.yml'));
const steps: { id?: string; name?: string; run?: string }[] = release.data.jobs.release.steps;
const checkTag = steps.find((s) => s.id === 'tag')?.run ?? '';
const moveMajor = steps.find((s) => s.name?.startsWith('Move'))?.run ?? '';

let dir: string;
let work: string;
let origin: string;
const shas: Record<string, string> = {};

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Runs a step's script in the clone, as the runner would (bash -e, GITHUB_OUTPUT file). */
function runStep(script: string, env: Record<string, string>) {
  const output = join(dir, 'output');
  writeFileSync(output, '');
  const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
    cwd: work,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: dir, GITHUB_OUTPUT: output, ...env },
  });
  const outputs = Object.fromEntries(
    readFileSync(output, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { code: r.status, stdout: r.stdout, outputs };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'release-'));
  origin = join(dir, 'origin.git');
  work = join(dir, 'work');
  git(dir, 'init', '-q', '--bare', '-b', 'main', origin);
  git(dir, 'clone', '-q', origin, work);
  git(work, 'config', 'user.email', 'release@test');
  git(work, 'config', 'user.name', 'release');
  for (const version of ['v1.0.0', 'v1.1.0', 'v1.2.0']) {
    git(work, 'commit', '-q', '--allow-empty', '-m', version);
    git(work, 'tag', '-a', version, '-m', version);
    shas[version] = git(work, 'rev-parse', 'HEAD');
  }
  // A commit that is not on main.
  git(work, 'checkout', '-q', '-b', 'topic');
  git(work, 'commit', '-q', '--allow-empty', '-m', 'topic');
  git(work, 'tag', 'v1.3.0');
  git(work, 'checkout', '-q', 'main');
  git(work, 'push', '-q', 'origin', 'main', '--tags');
  git(work, 'fetch', '-q', 'origin');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('release.yml: which tags release', () => {
  test('a vX.Y.Z tag on main releases, and knows the newest release of its major', () => {
    const r = runStep(checkTag, { TAG: 'v1.2.0' });
    expect(r.code).toBe(0);
    // v1.3.0 exists but is not on main, so it does not count.
    expect(r.outputs).toEqual({ major: 'v1', sha: shas['v1.2.0'], newest: 'v1.2.0' });
  });

  test('an older release of the major reports the newer one', () => {
    expect(runStep(checkTag, { TAG: 'v1.1.0' }).outputs.newest).toBe('v1.2.0');
  });

  test('a tag that is not on main is refused', () => {
    const r = runStep(checkTag, { TAG: 'v1.3.0' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('is not on main');
  });

  test('anything but vX.Y.Z is refused', () => {
    for (const tag of ['v1.2', 'v1.2.0-rc.1', '1.2.0']) {
      const r = runStep(checkTag, { TAG: tag });
      expect(r.code, tag).toBe(1);
      expect(r.stdout).toContain('is not a vX.Y.Z tag');
    }
  });

  test('a branch named like the major tag stops the release', () => {
    git(work, 'push', '-q', 'origin', 'main:refs/heads/v1');
    try {
      const r = runStep(checkTag, { TAG: 'v1.2.0' });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('A branch named v1 exists');
    } finally {
      git(work, 'push', '-q', 'origin', ':refs/heads/v1');
    }
  });
});

describe('release.yml: moving the major tag', () => {
  const originTag = () => spawnSync('git', ['rev-parse', 'refs/tags/v1^{commit}'], { cwd: origin, encoding: 'utf8' });

  test('moves vX to the release, atomically, and again to a newer one', () => {
    const move = (tag: string) =>
      runStep(moveMajor, { GH_TOKEN: 'token', TAG: tag, MAJOR: 'v1', SHA: shas[tag], NEWEST: tag });
    expect(move('v1.1.0').code).toBe(0);
    expect(originTag().stdout.trim()).toBe(shas['v1.1.0']);
    expect(move('v1.2.0').code).toBe(0);
    expect(originTag().stdout.trim()).toBe(shas['v1.2.0']);
    // Running it twice is harmless.
    expect(move('v1.2.0').code).toBe(0);
    expect(originTag().stdout.trim()).toBe(shas['v1.2.0']);
  });

  test('an older patch release leaves vX where it is', () => {
    const r = runStep(moveMajor, {
      GH_TOKEN: 'token',
      TAG: 'v1.0.0',
      MAJOR: 'v1',
      SHA: shas['v1.0.0'],
      NEWEST: 'v1.2.0',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('v1 stays where it is');
    expect(originTag().stdout.trim()).toBe(shas['v1.2.0']);
  });
});
