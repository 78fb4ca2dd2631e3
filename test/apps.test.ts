/**
 * The deployment guides' systems as sample repositories (examples/apps/), rehearsed inside `npm test`
 * through the `--repo` command line a user types: each green and with its failure case. One
 * PostgreSQL server for the file; each scenario has its own stage. A caller workflow the rehearsal
 * cannot run is refused before anything starts, naming file, line and feature.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GitHubClient, waitForChecks } from '@deploy-actions/github';
import {
  APP_SCENARIOS,
  parseRepoArgs,
  parseSeededCheck,
  preflight,
  RehearsalError,
  runScenario,
  seedChecks,
  stageUrl,
} from '@deploy-actions/rehearsal';
import { REPO_ROOT } from '@deploy-actions/runner';
import { startGitHubApi } from '@deploy-actions/testkit/github-api';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from './setup/temp-folder';

const outDir = join(ARTIFACTS, 'rehearsal-apps');
let pg: PgServer;

beforeAll(async () => {
  pg = await startPostgres({ version: 15 }); // as the --repo command does: pg_dump here is 15
});
afterAll(async () => {
  await pg?.stop();
});

describe('sample apps rehearsed through --repo', () => {
  for (const scenario of APP_SCENARIOS) {
    it(`${scenario.name}: ${scenario.title}`, { timeout: 600_000 }, async () => {
      const result = await runScenario(scenario, pg, { outDir });
      const failed = result.checks.filter((c) => !c.ok).map((c) => `${c.name}${c.detail ? `: ${c.detail}` : ''}`);
      expect(failed.join('\n'), `report: ${result.report?.html}`).toBe('');
      expect(result.checks.length).toBeGreaterThan(5);
    });
  }
});

describe('the --repo command line', () => {
  const ignition = join(REPO_ROOT, 'examples', 'apps', 'ignition');

  it('refuses bad arguments by name', () => {
    const bad = (argv: string[]) => () => parseRepoArgs(argv, REPO_ROOT);
    expect(bad(['--workflow', 'x.yml'])).toThrow(/--repo is required/);
    expect(bad(['--repo', ignition])).toThrow(/--workflow is required/);
    expect(bad(['--repo', ignition, '--workflow', 'nope.yml'])).toThrow(/--workflow nope\.yml: no such file/);
    const wf = ['--repo', ignition, '--workflow', '.github/workflows/deploy-backend.yml'];
    expect(bad([...wf, '--event', 'schedule'])).toThrow(/--event must be push, workflow_dispatch or pull_request/);
    expect(bad([...wf, '--input', 'novalue'])).toThrow(/--input needs NAME=value/);
    expect(bad([...wf, '--sha', 'abc'])).toThrow(/--sha must be 40/);
    expect(bad([...wf, '--expect', 'green'])).toThrow(/--expect must be success, failure or rolled-back/);
    expect(bad([...wf, '--bogus'])).toThrow(/unknown option '--bogus'/);
    expect(bad([...wf, '--psql', 'nope.sql'])).toThrow(/--psql nope\.sql: no such file/);
    expect(bad([...wf, '--psql', '../../package.json'])).toThrow(
      /--psql \.\.\/\.\.\/package\.json: must be a file inside --repo/,
    );
    expect(bad([...wf, '--check', 'lint'])).toThrow(/--check needs NAME=RESULT .* got "lint"/);
    expect(bad([...wf, '--check', 'lint=green'])).toThrow(/--check needs NAME=RESULT .*success, failure.* got "green"/);
    expect(bad([...wf, '--check', 'lint=pending@5s'])).toThrow(/--check lint: @<seconds>s must be 1 to 3600/);
    expect(bad([...wf, '--check', 'lint=success@0s'])).toThrow(/--check lint: @<seconds>s must be 1 to 3600/);
    expect(bad([...wf, '--check', '=success'])).toThrow(/--check needs NAME=RESULT/);
    expect(bad([...wf, '--check', 'a\tb=success'])).toThrow(/--check: the name must be 1 to 255 printable/);
    expect(bad([...wf, '--status', 'ci/build=neutral'])).toThrow(/--status needs CONTEXT=RESULT .*error, pending/);
    expect(bad([...wf, '--status'])).toThrow(/--status needs CONTEXT=RESULT/);
  });

  it("seeds the deployed commit's check runs and statuses, later runs keeping them unless named again", () => {
    const parsed = parseRepoArgs(
      [
        '--repo',
        ignition,
        '--workflow',
        '.github/workflows/deploy-backend.yml',
        '--check',
        'tests (node 24)=success',
        '--status',
        'ci/build=success@20s',
        '--then',
        '--check',
        'tests (node 24)=failure',
      ],
      REPO_ROOT,
    );
    expect(parsed.runs[0].checks).toEqual([
      { kind: 'check', name: 'tests (node 24)', result: 'success', afterS: 0 },
      { kind: 'status', name: 'ci/build', result: 'success', afterS: 20 },
    ]);
    expect(parsed.runs[1].checks).toEqual([
      { kind: 'status', name: 'ci/build', result: 'success', afterS: 20 },
      { kind: 'check', name: 'tests (node 24)', result: 'failure', afterS: 0 },
    ]);
  });

  it('any command line either parses or is refused with a RehearsalError, never a crash', () => {
    const flags = [
      '--repo',
      '--workflow',
      '--event',
      '--input',
      '--var',
      '--secret',
      '--secret-file',
      '--ref',
      '--sha',
      '--expect',
      '--label',
      '--attach-postgres',
      '--fly-postgres',
      '--psql',
      '--check',
      '--status',
      '--then',
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...flags),
            fc.string(),
            fc.constantFrom(ignition, 'x=y', 'push', 'lint=success', 'ci=failure@5s', 'a=b=pending'),
          ),
          {
            maxLength: 12,
          },
        ),
        (argv) => {
          try {
            parseRepoArgs(argv, REPO_ROOT);
          } catch (err) {
            if (!(err instanceof RehearsalError)) throw err;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('later runs keep the workflow and secrets, not the inputs or ref', () => {
    const parsed = parseRepoArgs(
      [
        '--repo',
        ignition,
        '--workflow',
        '.github/workflows/deploy-backend.yml',
        '--secret',
        'A=1',
        '--ref',
        'refs/tags/v1',
        '--then',
        '--expect',
        'rolled-back',
      ],
      REPO_ROOT,
    );
    expect(parsed.runs).toHaveLength(2);
    expect(parsed.runs[1]).toMatchObject({
      workflow: '.github/workflows/deploy-backend.yml',
      secrets: { A: '1' },
      expect: 'rolled-back',
    });
    expect(parsed.runs[1].ref).toBeUndefined();
  });

  it('seeded checks read through the GitHub client as require-checks reads them: pending, then the result', async () => {
    const api = await startGitHubApi();
    const sha = 'a'.repeat(40);
    const seeded = parseRepoArgs(
      [
        '--repo',
        ignition,
        '--workflow',
        '.github/workflows/deploy-backend.yml',
        '--check',
        'lint=success',
        '--check',
        'test=success@1s',
        '--status',
        'ci/build=success@1s',
      ],
      REPO_ROOT,
    ).runs[0].checks;
    const cancel = seedChecks(api, sha, seeded);
    try {
      const client = new GitHubClient({ token: api.token, repository: api.repository, apiUrl: api.url });
      const polls: string[][] = [];
      const names = ['lint', 'test', 'ci/build'];
      const result = await waitForChecks(client, sha, {
        names,
        timeoutMs: 20_000,
        intervalMs: 200,
        onPoll: (verdicts) => polls.push(verdicts.map((v) => `${v.name}:${v.outcome}`)),
      });
      expect(polls[0]?.sort()).toEqual(['ci/build:pending', 'lint:passed', 'test:pending']);
      expect(result.passed).toBe(true);
      seedChecks(api, sha, [parseSeededCheck('--check', 'test=failure')]);
      const failed = await waitForChecks(client, sha, { names, timeoutMs: 20_000, intervalMs: 200 });
      expect([failed.passed, failed.reason]).toEqual([false, 'failed: test (failure)']);
    } finally {
      cancel();
      await api.close();
    }
  });

  it("answers https://<app>.fly.dev with the stage's app, and nothing else leaves the machine", () => {
    const appUrl = (app: string) => (app === 'hotdash-staging' ? 'http://127.0.0.1:4567/' : '');
    expect(stageUrl('https://hotdash-staging.fly.dev/health', appUrl)?.value).toBe('http://127.0.0.1:4567/health');
    expect(stageUrl('https://hotdash-staging.fly.dev', appUrl)?.value).toBe('http://127.0.0.1:4567');
    expect(stageUrl('https://hotdash-staging.fly.dev?x=1', appUrl)?.value).toBe('http://127.0.0.1:4567?x=1');
    // An app not deployed on the stage: a name that cannot resolve, never the internet.
    expect(stageUrl('https://other.fly.dev/health', appUrl)?.value).toBe('http://other.fly.dev.invalid/health');
    for (const kept of [
      'VITE_API_URL=https://hotdash-staging.fly.dev',
      'https://hotdash-staging.fly.dev.example.com/',
      'http://hotdash-staging.fly.dev/',
      'https://example.com/health',
    ]) {
      expect(stageUrl(kept, appUrl)).toBeUndefined();
    }
  });

  const unsupported = () => {
    const repo = mkdtempSync(join(tmpdir(), 'apps-bad-'));
    cpSync(ignition, repo, { recursive: true });
    writeFileSync(
      join(repo, '.github/workflows/matrix.yml'),
      [
        'name: Matrix',
        'on: push',
        'jobs:',
        '  test:',
        '    runs-on: ubuntu-latest',
        '    strategy:',
        '      matrix: { node: [20, 22] }',
        '    steps:',
        '      - run: echo hi',
        '',
      ].join('\n'),
    );
    return repo;
  };
  // The feature's value starts on line 7 (GitHub's parser places a mapping where its first key is).
  const named = /\.github\/workflows\/matrix\.yml:7: job key 'strategy' \(in job 'test'\) is not supported/;

  it('refuses an unsupported feature with one error naming file, line and feature', async () => {
    const repo = unsupported();
    try {
      const rehearsal = parseRepoArgs(['--repo', repo, '--workflow', '.github/workflows/matrix.yml']);
      const error = await preflight(rehearsal).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RehearsalError);
      expect((error as Error).message).toMatch(named);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it('npm run rehearse -- --repo prints that error and exits 1 before starting anything', async () => {
    const repo = unsupported();
    try {
      const failed = await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          join(REPO_ROOT, 'scripts/rehearse.ts'),
          '--repo',
          repo,
          '--workflow',
          '.github/workflows/matrix.yml',
        ],
        { cwd: REPO_ROOT },
      ).catch((e: { code: number; stderr: string }) => e);
      expect((failed as { code: number }).code).toBe(1);
      expect((failed as { stderr: string }).stderr).toMatch(/^rehearsal: cannot rehearse /);
      expect((failed as { stderr: string }).stderr).toMatch(named);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
