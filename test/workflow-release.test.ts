/**
 * release.yml's shell steps, run with bash against real git repositories: a bare "origin" and a
 * clone standing in for the checkout (fetch-depth 0). Checks which versions release (a pushed tag or
 * one given by hand), the notes taken from CHANGELOG.md, that a branch named like the major tag
 * stops the release, that the major tag moves forward only, and that the job holding the write
 * token runs none of the project's code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadWorkflow, ROOT } from './workflow-checks';

type Step = { id?: string; name?: string; run?: string; uses?: string };
const release = loadWorkflow(join(ROOT, '.github/workflows/release.yml'));
const checkSteps: Step[] = release.data.jobs.check.steps;
const releaseSteps: Step[] = release.data.jobs.release.steps;
const checkTag = checkSteps.find((s) => s.id === 'tag')?.run ?? '';
const readNotes = checkSteps.find((s) => s.id === 'notes')?.run ?? '';
const moveMajor = releaseSteps.find((s) => s.name?.startsWith('Move'))?.run ?? '';

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

/** A push of `tag` (the release workflow's `on: push: tags`). */
const pushed = (tag: string) => ({ EVENT: 'push', PUSHED_TAG: tag });
/** GITHUB_SERVER_URL/GITHUB_REPOSITORY.git is the bare origin. */
const remote = () => ({ GITHUB_SERVER_URL: `file://${dir}`, GITHUB_REPOSITORY: 'origin' });

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
  git(work, 'commit', '-q', '--allow-empty', '-m', 'unreleased');
  shas.main = git(work, 'rev-parse', 'HEAD');
  git(work, 'push', '-q', 'origin', 'main', '--tags');
  git(work, 'fetch', '-q', 'origin');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('release.yml: which tags release', () => {
  test('a vX.Y.Z tag on main releases, and knows the newest release of its major', () => {
    const r = runStep(checkTag, pushed('v1.2.0'));
    expect(r.code).toBe(0);
    // v1.3.0 exists but is not on main, so it does not count.
    expect(r.outputs).toEqual({
      tag: 'v1.2.0',
      major: 'v1',
      sha: shas['v1.2.0'],
      newest: 'v1.2.0',
      'create-tag': 'false',
    });
  });

  test('an older release of the major reports the newer one', () => {
    expect(runStep(checkTag, pushed('v1.1.0')).outputs.newest).toBe('v1.2.0');
  });

  test('a tag that is not on main is refused', () => {
    const r = runStep(checkTag, pushed('v1.3.0'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('is not on main');
  });

  test('anything but vX.Y.Z is refused', () => {
    for (const tag of ['v1.2', 'v1.2.0-rc.1', '1.2.0']) {
      const r = runStep(checkTag, pushed(tag));
      expect(r.code, tag).toBe(1);
      expect(r.stdout).toContain('is not a vX.Y.Z version');
    }
  });

  test('a branch named like the major tag stops the release', () => {
    git(work, 'push', '-q', 'origin', 'main:refs/heads/v1');
    try {
      const r = runStep(checkTag, pushed('v1.2.0'));
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('A branch named v1 exists');
    } finally {
      git(work, 'push', '-q', 'origin', ':refs/heads/v1');
    }
  });
});

describe('release.yml: a version released by hand from main', () => {
  const byHand = (version: string, ref = 'refs/heads/main') =>
    runStep(checkTag, { EVENT: 'workflow_dispatch', VERSION: version, GITHUB_REF: ref, GITHUB_SHA: shas.main });

  test('is tagged at the commit the run checked, and becomes the newest of its major', () => {
    expect(byHand('1.4.0').outputs).toEqual({
      tag: 'v1.4.0',
      major: 'v1',
      sha: shas.main,
      newest: 'v1.4.0',
      'create-tag': 'true',
    });
    expect(byHand('v2.0.0').outputs).toMatchObject({ tag: 'v2.0.0', major: 'v2', newest: 'v2.0.0' });
  });

  test('is refused when its tag exists, or from another branch', () => {
    expect(byHand('1.2.0').stdout).toContain('v1.2.0 already exists');
    expect(byHand('1.5.0', 'refs/heads/topic').stdout).toContain('Run the release on main');
  });
});

describe('release.yml: release notes', () => {
  const changelog = [
    '# Changelog',
    '',
    '## [Unreleased]',
    '- not yet',
    '',
    '## [1.2.0] - 2026-12-01',
    '',
    '### Added',
    '- Previews.',
    '',
    '## [1.1.0] - 2026-11-01',
    '- Older.',
    '',
  ].join('\n');

  test("are the version's section of CHANGELOG.md", () => {
    writeFileSync(join(work, 'CHANGELOG.md'), changelog);
    const r = runStep(readNotes, { TAG: 'v1.2.0' });
    expect(r.code).toBe(0);
    const notes = readFileSync(join(dir, 'output'), 'utf8');
    expect(notes).toMatch(/^notes<<(notes_[0-9a-f]{32})\n### Added\n- Previews\.\n\1\n$/);
  });

  test('stop the release when the version has no section', () => {
    writeFileSync(join(work, 'CHANGELOG.md'), changelog);
    const r = runStep(readNotes, { TAG: 'v1.3.0' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("No section '## [1.3.0]'");
  });

  test("this repository's CHANGELOG.md has notes for its first release", () => {
    writeFileSync(join(work, 'CHANGELOG.md'), readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8'));
    expect(runStep(readNotes, { TAG: 'v1.0.0' }).code).toBe(0);
  });
});

describe('release.yml: who holds the write token', () => {
  test('tests run in a read-only job; the job that writes runs no checkout, npm or action', () => {
    expect(release.data.permissions).toEqual({});
    expect(release.data.jobs.check.permissions).toEqual({ contents: 'read' });
    expect(release.data.jobs.release.permissions).toEqual({ contents: 'write' });
    expect(release.data.jobs.release.needs).toBe('check');
    expect(releaseSteps.filter((s) => s.uses)).toEqual([]);
    expect(releaseSteps.map((s) => s.run ?? '').join('\n')).not.toMatch(/\bnpm\b|\bnpx\b|\bnode\b|checkout/);
    expect(checkSteps.map((s) => s.run ?? '').join('\n')).toMatch(/npm test/);
  });
});

describe('release.yml: moving the major tag', () => {
  const originTag = () => spawnSync('git', ['rev-parse', 'refs/tags/v1^{commit}'], { cwd: origin, encoding: 'utf8' });

  test('moves vX to the release, atomically, and again to a newer one', () => {
    const move = (tag: string) =>
      runStep(moveMajor, { ...remote(), GH_TOKEN: 'token', TAG: tag, MAJOR: 'v1', SHA: shas[tag], NEWEST: tag });
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
      ...remote(),
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
