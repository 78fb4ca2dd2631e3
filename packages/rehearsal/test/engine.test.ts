import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  allJobs,
  allLeaks,
  allSteps,
  formatTimeline,
  type RehearsalOptions,
  type RunRecord,
  rehearse,
} from '../src/index';

const fixtures = join(import.meta.dirname, 'fixtures', 'repo');
const workflows = join(fixtures, '.github', 'workflows');

const workspace = mkdtempSync(join(tmpdir(), 'rehearsal-ws-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function options(overrides: Partial<RehearsalOptions> = {}): RehearsalOptions {
  return {
    workflow: join(workflows, 'pipeline.yml'),
    eventName: 'push',
    inputs: { app: 'demo' },
    secrets: { API_TOKEN: 'api-token-value-1234' },
    environments: { production: { secrets: { ENV_ONLY: 'environment-secret-5678' } } },
    workspace,
    repoRoot: fixtures,
    node: 'current',
    ...overrides,
  };
}

function step(run: RunRecord, job: string, name: string) {
  const found = allSteps(run).find((s) => s.job === job && s.name === name);
  if (!found) throw new Error(`no step ${job}/${name} in ${allSteps(run).map((s) => `${s.job}/${s.name}`)}`);
  return found;
}

describe('rehearse: a passing run', async () => {
  const run = await rehearse(options());

  it('runs the jobs in needs order and succeeds', () => {
    expect(run.jobs.map((j) => [j.id, j.result])).toEqual([
      ['build', 'success'],
      ['deploy', 'success'],
      ['after-deploy', 'success'],
      ['report', 'success'],
    ]);
    expect(run.result).toBe('success');
  });

  it('evaluates names, env at every level, step outputs, GITHUB_ENV and GITHUB_PATH between steps', () => {
    const hello = step(run, 'build', 'Say hello to demo');
    expect(hello.outputs.greeting).toBe('hello demo at step (3)');
    const after = step(run, 'build', 'After echo');
    expect(after.conclusion).toBe('success');
    expect(after.log).toContain('ECHOED=hello demo at step (3) FROM_ENV=set-by-hello LEVEL=job label=acme/shop-label');
    expect(after.log).toContain('tool-ran');
  });

  it("shares the job's RUNNER_TEMP between its steps and removes it when the job ends", () => {
    const temp = step(run, 'build', 'Say hello to demo').outputs.temp;
    expect(temp).toMatch(/job-/);
    expect(step(run, 'build', 'After echo').conclusion).toBe('success');
    expect(existsSync(temp)).toBe(false);
  });

  it("runs this repo's actions through the runner, with expression defaults and unexpected inputs flagged", () => {
    const echo = step(run, 'build', './echo-action');
    expect(echo.kind).toBe('action');
    expect(echo.outputs.echoed).toBe('hello demo at step (3)');
    expect(echo.log).toContain('token is ***');
    expect(echo.log).toContain('FROM_ENV is set-by-hello');
    expect(echo.summary).toContain('| message | hello demo at step (3) |');
    expect(echo.annotations).toContainEqual(
      expect.objectContaining({ level: 'warning', message: expect.stringContaining("'surplus'") }),
    );
  });

  it('treats checkout as a no-op with a note', () => {
    const checkout = allSteps(run)[0];
    expect(checkout.kind).toBe('noop');
    expect(checkout.notes[0]).toMatch(/no-op/);
  });

  it('masks secrets and drops a job output that holds one', () => {
    expect(step(run, 'build', 'Say hello to demo').log).toContain('token is ***');
    const build = run.jobs[0];
    expect(build.outputs).toEqual({ greeting: 'hello demo at step (3)' });
    expect(build.notes).toContain("output 'leaked' held a secret and was dropped");
    expect(JSON.stringify(run)).not.toContain('api-token-value-1234');
  });

  it('applies continue-on-error: outcome failure, conclusion success', () => {
    const flaky = step(run, 'deploy', 'acme/deploy-actions/fail-action@v1');
    expect([flaky.outcome, flaky.conclusion]).toEqual(['failure', 'success']);
    expect(flaky.annotations).toContainEqual({ level: 'error', message: 'failed flaky' });
    expect(step(run, 'deploy', 'Check flaky').conclusion).toBe('success');
    expect(step(run, 'deploy', 'On failure').conclusion).toBe('skipped');
    expect(run.jobs[1].environment).toEqual({ name: 'production', url: 'https://demo.example.test' });
  });

  it('evaluates the workflow outputs', () => {
    expect(run.outputs).toEqual({ greeting: 'hello demo at step (3)', 'deploy-result': 'success' });
  });

  it('reports every place a secret was printed or written, masked or not', () => {
    expect(allLeaks(run)).toEqual([
      'build / Say hello to demo: secret API_TOKEN appears in stdout',
      'build / Say hello to demo: secret API_TOKEN appears in output secret',
      'build / ./echo-action: secret GITHUB_TOKEN appears in stdout',
    ]);
  });
});

describe('rehearse: a failing run', async () => {
  const run = await rehearse(options({ inputs: { app: 'demo', fail: true, retries: '5' } }));

  it('skips later steps, runs failure() steps, skips dependent jobs, runs always() jobs', () => {
    expect(step(run, 'deploy', '$/fail-action').conclusion).toBe('failure');
    expect(step(run, 'deploy', 'Skipped after failure').conclusion).toBe('skipped');
    const onFailure = step(run, 'deploy', 'On failure');
    expect(onFailure.conclusion).toBe('success');
    expect(onFailure.log).toContain('cleaning up after hello demo at step (5); env secret ***');
    expect(run.jobs.map((j) => [j.id, j.result])).toEqual([
      ['build', 'success'],
      ['deploy', 'failure'],
      ['after-deploy', 'skipped'],
      ['report', 'success'],
    ]);
    expect(step(run, 'report', 'Report').log).toContain('deploy=failure after=skipped');
    expect(run.result).toBe('failure');
    expect(run.outputs['deploy-result']).toBe('failure');
  });
});

describe('rehearse: a job that calls a reusable workflow', async () => {
  const run = await rehearse(
    options({
      workflow: join(workflows, 'caller.yml'),
      inputs: {},
      secrets: { CALLER_TOKEN: 'caller-token-value-99' },
    }),
  );

  it('runs the called workflow with the inputs and secrets the job passes, named after the calling job', () => {
    expect(allJobs(run).map((j) => [j.id, j.result])).toEqual([
      ['prepare', 'success'],
      ['call', 'success'],
      ['call / build', 'success'],
      ['call / deploy', 'success'],
      ['call / after-deploy', 'success'],
      ['call / report', 'success'],
      ['after', 'success'],
    ]);
    expect(step(run, 'call / build', 'Say hello to called-app').outputs.greeting).toBe('hello called-app at step (7)');
    expect(step(run, 'call / build', 'Say hello to called-app').log).toContain('token is ***');
  });

  it("gives the called workflow's outputs and result to the jobs that need the calling job", () => {
    expect(run.jobs[1].outputs).toEqual({ greeting: 'hello called-app at step (7)', 'deploy-result': 'success' });
    expect(step(run, 'after', 'Read the call').log).toBe('result=success greeting=hello called-app at step (7)\n');
    expect(formatTimeline(run)).toContain('call                 (calls pipeline.yml)');
  });
});

describe('rehearse: a pull request from a fork', () => {
  const event = (headRepo: string) => ({
    pull_request: { number: 3, head: { repo: { full_name: headRepo } } },
  });
  const fork = (headRepo: string) =>
    rehearse(
      options({
        workflow: join(workflows, 'fork.yml'),
        eventName: 'pull_request',
        event: event(headRepo),
        inputs: {},
        secrets: { CALLER_TOKEN: 'caller-token-value-99' },
      }),
    );

  it('gets no secrets, so a call that requires one fails, as on GitHub', async () => {
    const run = await fork('mallory/shop');
    expect(run.notes).toEqual(['pull request from a fork: the secrets were withheld, as GitHub does']);
    expect(run.jobs[0].result).toBe('failure');
    expect(run.jobs[0].notes).toEqual(["error: pipeline: required secret 'API_TOKEN' was not given"]);
  });

  it('gets its secrets when the branch is in the repository', async () => {
    const run = await fork('acme/shop');
    expect(run.notes).toEqual([]);
    expect(run.jobs[0].result).toBe('success');
  });
});

describe('rehearse: refusals before anything runs', () => {
  it('names unknown, missing and mistyped inputs and secrets', async () => {
    await expect(rehearse(options({ inputs: { app: 'demo', nope: 'x' } }))).rejects.toThrow(
      /unknown input\(s\) nope; the workflow declares: app, fail, retries, label/,
    );
    await expect(rehearse(options({ inputs: {} }))).rejects.toThrow("required input 'app' was not given");
    await expect(rehearse(options({ inputs: { app: 'a', fail: 'yes' } }))).rejects.toThrow(
      'input \'fail\' must be a boolean (true or false), got "yes"',
    );
    await expect(rehearse(options({ secrets: {} }))).rejects.toThrow("required secret 'API_TOKEN' was not given");
    await expect(rehearse(options({ secrets: { API_TOKEN: 'x', OTHER: 'y' } }))).rejects.toThrow(
      'secret(s) OTHER are not declared',
    );
  });

  it('refuses matrix jobs, unknown third-party actions and docker actions', async () => {
    const at = (name: string) => options({ workflow: join(workflows, name), inputs: {}, secrets: {} });
    await expect(rehearse(at('matrix.yml'))).rejects.toThrow(
      "matrix.yml:6: job key 'strategy' (in job 'build') is not supported",
    );
    await expect(rehearse(at('inherit.yml'))).rejects.toThrow(
      "inherit.yml:4: job 'call' uses 'secrets: inherit'; pass each secret by name",
    );
    const error = await rehearse(at('third-party.yml')).catch((e: Error) => e.message);
    expect(error).toContain(
      'uses: actions/cache@0000000000000000000000000000000000000000: third-party actions are not run',
    );
    expect(error).toContain('uses: docker://alpine:3: docker actions are not supported');
  });

  it('runs until a step whose bundle is not built, and fails that step saying so', async () => {
    const run = await rehearse(options({ workflow: join(workflows, 'unbuilt.yml'), inputs: {}, secrets: {} }));
    expect(run.jobs.map((j) => [j.id, j.result])).toEqual([
      ['first', 'success'],
      ['second', 'failure'],
    ]);
    expect(run.jobs[1].steps[0].annotations[0].message).toBe(
      'uses: $/unbuilt-action: its bundle ../dist/unbuilt-action/index.js does not exist; run `npm run build`',
    );
  });

  it('masks and reports sensitive values that are parts of secrets', async () => {
    const run = await rehearse(
      options({
        workflow: join(workflows, 'prints.yml'),
        inputs: {},
        secrets: {},
        sensitive: { 'APP_SECRETS STRIPE_API_KEY': 'sk_part_of_a_secret_42' },
      }),
    );
    expect(run.jobs[0].steps[0].log).toBe('the value is ***\n');
    expect(allLeaks(run)).toEqual(['print / Print a value: secret APP_SECRETS STRIPE_API_KEY appears in stdout']);
  });

  it("reports schema and expression errors from GitHub's parser", async () => {
    const error = await rehearse(options({ workflow: join(workflows, 'invalid.yml') })).catch((e: Error) => e.message);
    expect(error).toContain('invalid.yml is not a valid workflow');
    expect(error).toContain("Unexpected value 'bogus'");
    expect(error).toContain("Unexpected symbol: '('");
  });
});
