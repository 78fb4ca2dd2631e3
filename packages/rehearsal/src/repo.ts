/**
 * Rehearsing a caller's own pipeline: `npm run rehearse -- --repo <path> --workflow <file> ...`.
 * The repository is checked out on a fresh stage (its fly.toml files name the Fly apps, seeded in
 * fly-sim), and its workflow runs with its `uses:` of this suite resolved to this working tree.
 * `--then` starts another run on the same stage (a good release, then a crashing one).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '@deploy-actions/runner';
import { RehearsalError } from './errors';
import type { Json } from './expressions';
import type { RunRecord } from './model';
import { describeChecks, parseSeededCheck, type SeededCheck, seedChecks } from './repo-checks';
import type { RunSpec, Scenario, ScenarioContext } from './scenario';
import { FLY_TOKEN, type Stage, WEBHOOK_SECRET } from './stage';
import { resolveUses, resolveWorkflow } from './uses';
import { loadWorkflow } from './workflow';

export type Expectation = 'success' | 'failure' | 'rolled-back';

export interface RepoRunOptions {
  workflow: string;
  event: 'push' | 'workflow_dispatch' | 'pull_request';
  inputs: Record<string, string>;
  /** Secrets given on the command line (`--secret NAME=value`, `--secret-file NAME=path`). */
  secrets: Record<string, string>;
  /** Configuration variables (`--var NAME=value`: the `vars` context). */
  vars: Record<string, string>;
  ref?: string;
  sha?: string;
  expect: Expectation;
  /** A label for the report; `<event> <ref>` by default. */
  label?: string;
  /** The deployed commit's check runs and commit statuses (`--check`, `--status`), seeded before the run. */
  checks: SeededCheck[];
}

export interface RepoRehearsal {
  repo: string;
  /** Apps given the stage database's DATABASE_URL as a Fly secret first, as `fly postgres attach` does. */
  attach: string[];
  /** Fly Postgres apps (`fly postgres create`) whose `fly proxy` tunnel reaches the stage's database. */
  flyPostgres: string[];
  /** SQL files (relative to the repository) run on the stage's database first, as a team migrating by hand does. */
  psql: string[];
  runs: RepoRunOptions[];
}

export const REPO_USAGE = `npm run rehearse -- --repo <path> --workflow <file> [--event push|workflow_dispatch|pull_request]
    [--input k=v]... [--var NAME=value]... [--secret NAME=value]... [--secret-file NAME=path]... [--ref refs/...] [--sha <40 hex>]
    [--expect success|failure|rolled-back] [--label text] [--attach-postgres <fly app>]...
    [--fly-postgres <postgres app>]... [--psql <file.sql in the repository>]...
    [--check NAME=conclusion[@<seconds>s]]... [--status CONTEXT=state[@<seconds>s]]...
    [--then <options of the next run>]...`;

const EVENTS = new Set(['push', 'workflow_dispatch', 'pull_request']);
const EXPECTATIONS = new Set(['success', 'failure', 'rolled-back']);

function pair(flag: string, value: string | undefined): [string, string] {
  const at = value?.indexOf('=') ?? -1;
  if (!value || at < 1) throw new RehearsalError(`${flag} needs NAME=value, got ${JSON.stringify(value ?? '')}`);
  return [value.slice(0, at), value.slice(at + 1)];
}

/**
 * Parses the `--repo` command line. Options before the first `--then` are the first run's; each
 * later run starts from the previous one's workflow, event and secrets, with its own inputs and ref.
 */
export function parseRepoArgs(argv: string[], cwd = process.cwd()): RepoRehearsal {
  let repo: string | undefined;
  const attach: string[] = [];
  const flyPostgres: string[] = [];
  const psql: string[] = [];
  const runs: RepoRunOptions[] = [];
  let current: RepoRunOptions = {
    workflow: '',
    event: 'push',
    inputs: {},
    secrets: {},
    vars: {},
    expect: 'success',
    checks: [],
  };
  const value = (i: number, flag: string) => {
    const v = argv[i];
    if (v === undefined || v.startsWith('--')) throw new RehearsalError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--repo') repo = resolve(cwd, value(++i, flag));
    else if (flag === '--workflow') current.workflow = value(++i, flag);
    else if (flag === '--event') {
      const event = value(++i, flag);
      if (!EVENTS.has(event))
        throw new RehearsalError(`--event must be push, workflow_dispatch or pull_request, got '${event}'`);
      current.event = event as RepoRunOptions['event'];
    } else if (flag === '--input') {
      const [k, v] = pair(flag, argv[++i]);
      current.inputs[k] = v;
    } else if (flag === '--var') {
      const [k, v] = pair(flag, argv[++i]);
      current.vars[k] = v;
    } else if (flag === '--secret') {
      const [k, v] = pair(flag, argv[++i]);
      current.secrets[k] = v;
    } else if (flag === '--secret-file') {
      const [k, path] = pair(flag, argv[++i]);
      const file = resolve(cwd, path);
      if (!existsSync(file)) throw new RehearsalError(`--secret-file ${k}: no file ${path}`);
      current.secrets[k] = readFileSync(file, 'utf8').replace(/\n$/, '');
    } else if (flag === '--check' || flag === '--status') {
      const check = parseSeededCheck(flag, argv[++i]);
      // The same name again (here or in a later run) replaces the earlier one.
      current.checks = [...current.checks.filter((c) => c.kind !== check.kind || c.name !== check.name), check];
    } else if (flag === '--ref') current.ref = value(++i, flag);
    else if (flag === '--sha') {
      const sha = value(++i, flag);
      if (!/^[0-9a-f]{40}$/.test(sha)) throw new RehearsalError(`--sha must be 40 lowercase hex digits, got '${sha}'`);
      current.sha = sha;
    } else if (flag === '--expect') {
      const expect = value(++i, flag);
      if (!EXPECTATIONS.has(expect))
        throw new RehearsalError(`--expect must be success, failure or rolled-back, got '${expect}'`);
      current.expect = expect as Expectation;
    } else if (flag === '--label') current.label = value(++i, flag);
    else if (flag === '--attach-postgres') attach.push(value(++i, flag));
    else if (flag === '--fly-postgres') {
      const name = value(++i, flag);
      // Fly app names: lowercase letters, digits and dashes (flyctl's validation of `apps create`).
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name))
        throw new RehearsalError(`--fly-postgres must be a Fly app name (a-z, 0-9, -), got '${name}'`);
      flyPostgres.push(name);
    } else if (flag === '--psql') psql.push(value(++i, flag));
    else if (flag === '--then') {
      runs.push(current);
      current = {
        ...current,
        inputs: {},
        secrets: { ...current.secrets },
        vars: { ...current.vars },
        checks: [...current.checks],
        ref: undefined,
        sha: undefined,
        expect: 'success',
        label: undefined,
      };
    } else throw new RehearsalError(`unknown option '${flag}'\nusage: ${REPO_USAGE}`);
  }
  runs.push(current);
  if (!repo) throw new RehearsalError(`--repo is required\nusage: ${REPO_USAGE}`);
  if (!existsSync(repo) || !statSync(repo).isDirectory()) throw new RehearsalError(`--repo ${repo}: no such folder`);
  for (const run of runs) {
    if (!run.workflow) throw new RehearsalError(`--workflow is required\nusage: ${REPO_USAGE}`);
    const file = isAbsolute(run.workflow) ? run.workflow : join(repo, run.workflow);
    if (!existsSync(file)) throw new RehearsalError(`--workflow ${run.workflow}: no such file in ${repo}`);
    run.workflow = relative(repo, file);
    if (run.workflow.startsWith('..')) throw new RehearsalError(`--workflow must be a file inside --repo`);
  }
  for (const [i, path] of psql.entries()) {
    const file = resolve(repo, path);
    psql[i] = relative(repo, file);
    if (psql[i].startsWith('..')) throw new RehearsalError(`--psql ${path}: must be a file inside --repo`);
    if (!existsSync(file) || !statSync(file).isFile())
      throw new RehearsalError(`--psql ${path}: no such file in ${repo}`);
  }
  return { repo, attach, flyPostgres, psql, runs };
}

/**
 * Refuses, before any server starts, a workflow the rehearsal cannot run: invalid, an unsupported
 * feature, or a `uses:` it cannot resolve, each named by file and line.
 */
export async function preflight(rehearsal: RepoRehearsal): Promise<void> {
  const problems: string[] = [];
  for (const workflow of new Set(rehearsal.runs.map((r) => r.workflow))) {
    try {
      const plan = await loadWorkflow(join(rehearsal.repo, workflow));
      for (const job of plan.jobs) {
        try {
          if (job.call) await loadWorkflow(resolveWorkflow(job.call.ref, REPO_ROOT));
        } catch (err) {
          if (!(err instanceof RehearsalError)) throw err;
          problems.push(`${workflow}: jobs.${job.id}: ${err.message}`);
        }
        for (const step of job.steps) {
          if (!step.uses) continue;
          try {
            resolveUses(step.uses, REPO_ROOT);
          } catch (err) {
            if (!(err instanceof RehearsalError)) throw err;
            problems.push(`${workflow}:${step.line}: ${err.message}`);
          }
        }
      }
    } catch (err) {
      if (!(err instanceof RehearsalError)) throw err;
      // The loader names the file by its base name; the repository path says which one.
      const named = `${basename(workflow)}:`;
      problems.push(
        err.message.startsWith(named)
          ? `${workflow}:${err.message.slice(named.length)}`
          : `${workflow}: ${err.message}`,
      );
    }
  }
  if (problems.length > 0)
    throw new RehearsalError(`cannot rehearse ${rehearsal.repo}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** Names of the secrets a workflow file reads (`secrets.NAME`). */
export function secretNames(text: string): string[] {
  return [...new Set([...text.matchAll(/\bsecrets\.([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]))].filter(
    (n) => n !== 'GITHUB_TOKEN',
  );
}

/**
 * What the stage answers for a secret the caller did not give: the stage's own servers for the names
 * that say what they are (a Fly token, a database, SMTP, webhooks), else a placeholder, noted.
 */
export function stageSecret(stage: Stage, name: string): { value: string; note?: string } {
  if (/FLY.*TOKEN/.test(name)) return { value: FLY_TOKEN };
  if (/DATABASE_URL$/.test(name)) return { value: stage.database.url };
  if (/SMTP_URL$/.test(name)) return { value: stage.smtp.url };
  if (/WEBHOOK_URL$/.test(name)) return { value: stage.hooks.url(`/${name.toLowerCase()}`) };
  if (name === 'WEBHOOK_SECRET') return { value: WEBHOOK_SECRET };
  return {
    value: `rehearsal-${name.toLowerCase().replace(/_/g, '-')}-value`,
    note: `secret ${name} was not given (--secret ${name}=...): a placeholder stands in`,
  };
}

/**
 * Every value inside a dotenv secret (APP_SECRETS), so the leak checks look for each one too; a URL
 * without credentials (CORS origins, public endpoints) is configuration that flyctl prints anyway.
 */
function dotenvParts(name: string, value: string): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const line of value.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+?)\s*$/.exec(line);
    if (!m || m[2].length < 8) continue;
    const part = m[2].replace(/^(['"])(.*)\1$/, '$2');
    if (/^https?:\/\/[^@\s]+$/.test(part)) continue;
    parts[`${name} ${m[1]}`] = part;
  }
  return parts;
}

const DEFAULT_SHAS = ['1111111111111111111111111111111111111111', '2222222222222222222222222222222222222222'];

/** The event payload GitHub would send for this run (the fields the suite and common workflows read). */
function eventPayload(
  stage: Stage,
  run: RepoRunOptions,
  ref: string,
  sha: string,
  before: string,
): Record<string, Json> {
  const repository = { full_name: stage.github.repository ?? '', default_branch: 'main' };
  if (run.event === 'workflow_dispatch') return { inputs: run.inputs, ref, repository };
  if (run.event === 'pull_request') {
    const head = ref.replace(/^refs\/heads\//, '');
    return {
      action: 'opened',
      number: 1,
      pull_request: {
        number: 1,
        head: { ref: head, sha, repo: repository },
        base: { ref: 'main', sha: before, repo: repository },
      },
      repository,
    };
  }
  return { ref, before, after: sha, head_commit: { id: sha, message: 'Rehearsed commit' }, repository };
}

/** The run spec of one `--repo` run on `stage` (its checkout of the repository). */
export function repoRunSpec(
  stage: Stage,
  run: RepoRunOptions,
  index: number,
  before: string,
): RunSpec & {
  notes: string[];
} {
  const workflow = join(stage.workspace, run.workflow);
  const notes: string[] = [];
  const secrets: Record<string, string> = {};
  for (const name of secretNames(readFileSync(workflow, 'utf8'))) {
    if (name in run.secrets) continue;
    const { value, note } = stageSecret(stage, name);
    secrets[name] = value;
    if (note) notes.push(note);
  }
  Object.assign(secrets, run.secrets);
  for (const [name, value] of Object.entries(run.secrets)) Object.assign(stage.sensitive, dotenvParts(name, value));
  const ref = run.ref ?? (run.event === 'pull_request' ? 'refs/heads/feature' : 'refs/heads/main');
  const sha = run.sha ?? DEFAULT_SHAS[index % 2] ?? DEFAULT_SHAS[0];
  return {
    workflow,
    eventName: run.event,
    event: eventPayload(stage, run, ref, sha, before),
    // A workflow run by hand gets its inputs as the `inputs` context; others take none.
    inputs: run.event === 'workflow_dispatch' ? run.inputs : {},
    secrets,
    vars: run.vars,
    sha,
    ref,
    notes,
  };
}

/** The result a run is judged by: a caller of deploy.yml reports `rolled-back` through its outputs. */
export function outcomeOf(run: RunRecord): Expectation {
  const rolledBack = run.jobs.some((job) => job.called?.outputs.result === 'rolled-back');
  if (rolledBack) return 'rolled-back';
  return run.result === 'success' ? 'success' : 'failure';
}

/**
 * `fly postgres attach` leaves the app a DATABASE_URL secret (staged until the next deploy); here it
 * points at the stage's database. Through flyctl's stdin, never its argv.
 */
async function attachPostgres(stage: Stage, app: string): Promise<void> {
  if (!stage.apps.some((a) => a.name === app)) {
    throw new RehearsalError(`--attach-postgres ${app}: no fly.toml in the repository names that app`);
  }
  const result = await stage.fly.sim.run(['secrets', 'import', '--app', app, '--stage'], {
    env: { FLY_API_TOKEN: FLY_TOKEN },
    input: `DATABASE_URL=${stage.database.url}\n`,
  });
  if (result.code !== 0) throw new RehearsalError(`--attach-postgres ${app}: ${result.stderr.trim()}`);
}

/**
 * A Fly Postgres app as `fly postgres create` leaves it: `fly proxy 0:5432 -a <app>` opens a tunnel,
 * here to the stage's database server (its host and port; the database name stays in the URL).
 */
async function flyPostgresApp(stage: Stage, app: string): Promise<void> {
  if (stage.apps.some((a) => a.name === app)) {
    throw new RehearsalError(`--fly-postgres ${app}: that name is one of the repository's own apps`);
  }
  const { hostname, port } = new URL(stage.database.url);
  await stage.fly.sim.seedApp(app, { org: 'personal', proxyTarget: `${hostname}:${port || 5432}` });
}

/**
 * What `psql "$DATABASE_URL" -f <file>` leaves: the file's statements run on the stage's database,
 * before any workflow, as a database migrated by hand before the pipeline took over.
 */
async function runSqlFile(stage: Stage, file: string): Promise<void> {
  try {
    await stage.pg.query(stage.database.name, readFileSync(join(stage.workspace, file), 'utf8'));
  } catch (error) {
    throw new RehearsalError(`--psql ${file}: ${(error as Error).message}`);
  }
}

/** A scenario rehearsing `rehearsal`'s runs in order on one stage of its repository. */
export function repoScenario(
  name: string,
  rehearsal: RepoRehearsal,
  extraChecks?: (s: ScenarioContext, runs: RunRecord[]) => Promise<void>,
): Scenario {
  return {
    name,
    title: `${basename(rehearsal.repo)}: ${rehearsal.runs.map((r) => `${r.workflow} (${r.event}) expecting ${r.expect}`).join(', then ')}`,
    source: rehearsal.repo,
    // `backup: true` runs this machine's pg_dump (15), which must be as new as the server.
    postgres: 15,
    async run(s) {
      const records: RunRecord[] = [];
      for (const app of s.stage.apps) if (app.note) s.note(app.note);
      for (const app of rehearsal.flyPostgres) await flyPostgresApp(s.stage, app);
      for (const app of rehearsal.attach) await attachPostgres(s.stage, app);
      for (const file of rehearsal.psql) await runSqlFile(s.stage, file);
      let before = '0000000000000000000000000000000000000000';
      for (const [i, options] of rehearsal.runs.entries()) {
        const spec = repoRunSpec(s.stage, options, i, before);
        for (const note of spec.notes) s.note(note);
        const label =
          options.label ??
          `${options.event} ${spec.ref}${
            Object.keys(options.inputs).length > 0
              ? ` (${Object.entries(options.inputs)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')})`
              : ''
          }`;
        if (options.checks.length > 0) s.note(`${label}: seeded ${describeChecks(options.checks)}`);
        const cancel = seedChecks(s.stage.api, spec.sha ?? DEFAULT_SHAS[0], options.checks);
        const record = await s.run(label, spec).finally(cancel);
        records.push(record);
        s.expect(`the run ended ${options.expect}`, outcomeOf(record), options.expect);
        before = spec.sha ?? before;
      }
      await extraChecks?.(s, records);
    },
  };
}
