/**
 * The leak scan: every action, run as the runner runs it (the committed bundle under Node 24),
 * with each of 25 secret shapes in the inputs that take secrets, while the outside world echoes
 * them back (flyctl's error text and a Docker build printing them, a webhook service quoting its
 * path, PostgreSQL refusing the password). A shape must appear nowhere outside flyctl's
 * environment and stdin: not in the log (raw stdout and stderr, every line before and after its
 * `::add-mask::`), outputs, exported variables, state, step summary, any file the run wrote, or
 * any flyctl command line. The one exception is the documented one: flyctl takes build secrets
 * only as `--build-secret NAME=VALUE` in its argv (fly-deploy/action.yml, build-secrets).
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { findLeaks, type RunBundleOptions, type RunBundleResult, runBundle } from '@deploy-actions/runner';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { type HttpSink, startHttpSink } from '@deploy-actions/testkit/http-sink';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PEM = [
  '-----BEGIN PRIVATE KEY-----',
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj',
  'MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu',
  '-----END PRIVATE KEY-----',
].join('\n');

/** The app every run deploys or checks; one shape is a part of its name. */
const APP = 'acme-shop-prod';

/** The 25 shapes: quoting, encodings, white space, line ends, sizes, and a realistic Fly token. */
const SHAPES: Record<string, string> = {
  pem: PEM,
  json: '{"client_secret":"Js0n-v4lue-9f3","quote":"a \\"b\\""}',
  base64: 'c2VjcmV0LXZhbHVlLWJhc2U2NC0xMjM0NTY=',
  base64url: 'c2VjcmV0LXZhbHVl_YmFzZTY0dXJs-MTIz',
  urlencoded: 'p%40ss%2Fword%3Dencoded-42',
  hash: 'p4ss#word-after-hash-77',
  equals: 'key=value=more-secret-12',
  spaces: 'two words and spaces 93',
  doublequote: 'quote"inside"value-55',
  singlequote: "it's-o'clock-secret-71",
  backslash: 'C:\\keys\\n-is-not-newline-8',
  unicode: 'pässwörd-密码-🔑-unicode',
  tab: 'tab\tseparated\tsecret-6',
  dollar: '$HOME-${HOME}-dollar-secret',
  shell: 'a;b|c&d`e`$(f)<g>h-shell',
  command: '::add-mask::%0Anot-a-command-9',
  triple: '"""triple-quoted-secret"""',
  three: 'qZ9',
  eight: 'Zq7!pL2w',
  appsub: 'shop-prod',
  padded: '  padded-secret-value-3  ',
  crlf: 'crlf-line-one-1\r\ncrlf-line-two-2',
  digits: '839201746509183',
  big: `big-${'x7Qv'.repeat(1_100)}`,
  flytoken:
    'fm2_lJPECAAAAAAAAMHpxBCX7Z2n0xMBAl6CTpCMRhWcwrVodHRwczovL2FwaS5mbHkuaW8vdjGWAJLOAAfCEh8Lk7lodHRwczovL2FwaS5mbHkuaW8vYWFhL3YxxDyR2x',
};

/**
 * The leaks of one run: `shape` in any form, anywhere. The app's name is public, so the
 * `shop-prod` shape inside `acme-shop-prod` is not a leak; anywhere else it is.
 */
function scan(r: RunBundleResult, shape: string, argv: string[][], allowBuildSecrets = false): string[] {
  // flyctl takes a build secret only as the argument after --build-secret: that one is allowed.
  const checked = allowBuildSecrets
    ? argv.map((args) => args.filter((_, i) => args[i - 1] !== '--build-secret'))
    : argv;
  return findLeaks(r, [SHAPES[shape]], {
    files: true,
    argv: checked,
    publicTexts: [APP],
    minLength: 3,
  }).map((leak) => leak.replace('secret #0', shape));
}

let sim: FlySim;
let echoBin: string;
let sink: HttpSink;
let pg: PgServer;
let unhealthy: Server;
let api: GitHubApi;
const TOKEN = 'fm2_leak-scan-fixed-token-7d1e';
/** The repository of the pull-request runs (preview mode, the janitor). */
const REPO = 'acme/shop';

/**
 * A flyctl that echoes what it was given, as flyctl's errors and a Docker build can: the token
 * and every argument on stderr, then fails `deploy` and `secrets import` (echoing stdin), and
 * hands everything else to fly-sim's flyctl.
 */
function writeEchoingFlyctl(dir: string, simFlyctl: string): string {
  const bin = join(dir, 'echo-bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'flyctl'),
    [
      '#!/bin/sh',
      'case "$1" in',
      '  deploy)',
      '    printf "#12 [build 3/5] RUN npm ci: %s\\n" "$@" >&2',
      '    printf "Error: unauthorized: token %s rejected (flyctl %s)\\n" "$FLY_API_TOKEN" "$*" >&2',
      '    exit 1 ;;',
      '  secrets)',
      '    if [ "$2" = import ]; then cat >&2; printf "Error: could not import, token %s\\n" "$FLY_API_TOKEN" >&2; exit 1; fi ;;',
      'esac',
      `exec ${JSON.stringify(simFlyctl)} "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'flyctl'), 0o755);
  return bin;
}

beforeAll(async () => {
  const tokens = [TOKEN, ...Object.values(SHAPES).flatMap((s) => [s, s.trim()])];
  [sim, sink, pg, api] = await Promise.all([
    startFlySim({ tokens, orgs: ['acme'] }),
    startHttpSink(),
    startPostgres({ version: 18 }),
    startGitHubApi({ repository: REPO }),
  ]);
  echoBin = writeEchoingFlyctl(mkdtempSync(join(tmpdir(), 'leak-scan-')), sim.flyctl);
  // A health endpoint that is never healthy, so every failure path prints.
  unhealthy = createServer((_req, res) => res.writeHead(503).end('{"status":"down"}'));
  await new Promise<void>((done) => unhealthy.listen(0, '127.0.0.1', done));
  await sim.seedApp(APP, { releases: ['v1', 'v2'] });
}, 180_000);

afterAll(async () => {
  await Promise.all([
    sim?.stop(),
    sink?.close(),
    pg?.stop(),
    api?.close(),
    new Promise((done) => unhealthy?.close(done)),
  ]);
});

const SHAPE_NAMES = Object.keys(SHAPES);

/** Runs `scenario` for every shape, a few at a time, and returns the leaks of all of them. */
async function everyShape(scenario: (shape: string) => Promise<string[]>): Promise<string[]> {
  const leaks: string[] = [];
  const queue = [...SHAPE_NAMES];
  await Promise.all(
    Array.from({ length: 3 }, async () => {
      for (let shape = queue.shift(); shape !== undefined; shape = queue.shift())
        leaks.push(...(await scenario(shape)));
    }),
  );
  return leaks.sort();
}

/** A bundle run and the flyctl command lines it caused. */
async function runWithArgv(name: string, options: RunBundleOptions): Promise<{ r: RunBundleResult; argv: string[][] }> {
  const before = (await sim.calls()).length;
  const r = await runBundle(name, { timeoutMs: 90_000, ...options });
  const argv = (await sim.calls()).slice(before).map((call) => call.args);
  if (/Unexpected error/.test(r.stdout)) return { r, argv: [...argv, ['CRASHED', r.stdout.slice(0, 500)]] };
  return { r, argv };
}

const crashed = (argv: string[][], shape: string) =>
  argv.some((a) => a[0] === 'CRASHED') ? [`${shape}: Unexpected error (crash)`] : [];

/** A dotenv line our parser reads back as exactly `value`. */
const dotenvLine = (name: string, value: string) =>
  `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '\\$').replace(/\r/g, '\\r').replace(/\n/g, '\\n')}"`;

describe('leak scan: 25 secret shapes through every action', { timeout: 600_000 }, () => {
  it('fly-deploy: the Fly token, echoed by flyctl in a failed deploy', async () => {
    const leaks = await everyShape(async (shape) => {
      const { r, argv } = await runWithArgv('fly-deploy', {
        inputs: { app: APP, image: 'registry.fly.io/acme-shop-prod:v3' },
        env: { ...sim.env, PATH: `${echoBin}:${sim.env.PATH}`, FLY_API_TOKEN: SHAPES[shape] },
      });
      return [...scan(r, shape, argv), ...crashed(argv, shape)];
    });
    expect(leaks).toEqual([]);
  });

  it('fly-deploy: a build secret, echoed by the build of a failed deploy (argv excepted: flyctl’s only channel)', async () => {
    const leaks = await everyShape(async (shape) => {
      const { r, argv } = await runWithArgv('fly-deploy', {
        inputs: { app: APP, 'build-secrets': `NPM_TOKEN=${SHAPES[shape]}` },
        env: { ...sim.env, PATH: `${echoBin}:${sim.env.PATH}`, FLY_API_TOKEN: TOKEN },
      });
      return [...scan(r, shape, argv, true), ...crashed(argv, shape)];
    });
    expect(leaks).toEqual([]);
  });

  it('fly-secrets-sync: a secret value, echoed by flyctl secrets import, and through env-prefix', async () => {
    const leaks = await everyShape(async (shape) => {
      const echoed = await runWithArgv('fly-secrets-sync', {
        inputs: { app: APP, secrets: dotenvLine('API_KEY', SHAPES[shape]) },
        env: { ...sim.env, PATH: `${echoBin}:${sim.env.PATH}`, FLY_API_TOKEN: TOKEN },
      });
      const prefixed = await runWithArgv('fly-secrets-sync', {
        inputs: { app: APP, 'env-prefix': 'APP_SECRET_', stage: 'true', 'dry-run': shape.length % 2 === 0 },
        env: { ...sim.env, FLY_API_TOKEN: TOKEN, APP_SECRET_API_KEY: SHAPES[shape] },
      });
      return [
        ...scan(echoed.r, shape, echoed.argv),
        ...scan(prefixed.r, shape, prefixed.argv),
        ...crashed(echoed.argv, shape),
        ...crashed(prefixed.argv, shape),
      ];
    });
    expect(leaks).toEqual([]);
  });

  it('pg-migrate: the database password, refused by PostgreSQL and accepted', async () => {
    const db = await pg.createDatabase('leaks');
    const workspace = mkdtempSync(join(tmpdir(), 'leak-scan-pg-'));
    mkdirSync(join(workspace, 'migrations'));
    writeFileSync(join(workspace, 'migrations', '0001_a.sql'), 'CREATE TABLE IF NOT EXISTS a (id bigint);\n');
    const url = new URL(db.url);
    const leaks = await everyShape(async (shape) => {
      const role = `leak_${shape}`;
      await pg.query(db.name, `DROP ROLE IF EXISTS ${role}`);
      await pg.query(db.name, `CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${SHAPES[shape].replace(/'/g, "''")}'`);
      const withPassword = (user: string, password: string) =>
        `postgres://${user}:${encodeURIComponent(password)}@${url.host}${url.pathname}`;
      const refused = await runWithArgv('pg-migrate', {
        cwd: workspace,
        inputs: { 'database-url': withPassword('postgres', SHAPES[shape]), lint: 'off', 'dry-run': 'true' },
      });
      const accepted = await runWithArgv('pg-migrate', {
        cwd: workspace,
        inputs: { 'database-url': withPassword(role, SHAPES[shape]), lint: 'off', 'dry-run': 'true' },
      });
      return [...scan(refused.r, shape, []), ...scan(accepted.r, shape, []), ...crashed(accepted.argv, shape)];
    });
    expect(leaks).toEqual([]);
  });

  it('health-gate: credentials in the url and in a header of a check that fails', async () => {
    const port = (unhealthy.address() as AddressInfo).port;
    const leaks = await everyShape(async (shape) => {
      const secret = encodeURIComponent(SHAPES[shape]);
      const { r, argv } = await runWithArgv('health-gate', {
        inputs: {
          url: `http://deploy:${secret}@127.0.0.1:${port}/health?token=${secret}`,
          headers: `X-Api-Key: ${SHAPES[shape].replace(/[\r\n]+/g, ' ').trim()}`,
          timeout: '1s',
          interval: '200ms',
        },
      });
      return [...scan(r, shape, argv), ...crashed(argv, shape)];
    });
    expect(leaks).toEqual([]);
  });

  it('auto-rollback: the Fly token, echoed by flyctl in a failed rollback deploy', async () => {
    const leaks = await everyShape(async (shape) => {
      const { r, argv } = await runWithArgv('auto-rollback', {
        inputs: {
          app: APP,
          'failed-release-version': '2',
          'lkg-source': 'fly-releases',
          'fly-api-token': SHAPES[shape],
        },
        env: { ...sim.env, PATH: `${echoBin}:${sim.env.PATH}`, FLY_API_TOKEN: '' },
      });
      return [...scan(r, shape, argv), ...crashed(argv, shape)];
    });
    expect(leaks).toEqual([]);
  });

  it('notify: a webhook path and signing secret, quoted back by a service that refuses them', async () => {
    const leaks = await everyShape(async (shape) => {
      const path = `/services/T0AAA/B0BBB/${encodeURIComponent(SHAPES[shape])}`;
      // A service (or proxy) that quotes the path it could not find.
      sink.script(path, [{ status: 404, body: `no_service: unknown hook ${path}` }], { repeatLast: true });
      const { r, argv } = await runWithArgv('notify', {
        inputs: {
          status: 'success',
          app: APP,
          'slack-webhook': sink.url(path),
          'webhook-url': sink.url(`/hook/${encodeURIComponent(SHAPES[shape])}`),
          'webhook-secret': SHAPES[shape],
          retries: '0',
        },
      });
      return [...scan(r, shape, argv), ...crashed(argv, shape)];
    });
    expect(leaks).toEqual([]);
  });

  it('business-hours-gate: a secret in the job’s environment is never printed', async () => {
    const leaks = await everyShape(async (shape) => {
      const { r, argv } = await runWithArgv('business-hours-gate', {
        inputs: { now: '2026-08-21T16:00:00-07:00' },
        env: { FLY_API_TOKEN: SHAPES[shape], DEPLOY_TOKEN: SHAPES[shape] },
      });
      return [...scan(r, shape, argv), ...crashed(argv, shape)];
    });
    expect(leaks).toEqual([]);
  });
});

/** A pull-request run of REPO: number `pr`, event `action`, against the local GitHub API. */
const pullRequest = (pr: number, action: string): Pick<RunBundleOptions, 'eventName' | 'event' | 'context'> => ({
  eventName: 'pull_request',
  event: { action, number: pr, pull_request: { number: pr, title: 'Leak scan' } },
  context: { repository: REPO, ref: `refs/pull/${pr}/merge`, apiUrl: api.url },
});

describe('leak scan: preview, janitor, checks-file and migrator secrets', { timeout: 600_000 }, () => {
  it('fly-deploy preview: database-url password, app-secrets and preview-secrets values; then the janitor’s database-url', async () => {
    const url = new URL(pg.url('postgres'));
    const leaks = await everyShape(async (shape) => {
      const pr = 100 + SHAPE_NAMES.indexOf(shape);
      const role = `preview_${shape}`;
      await pg.query('postgres', `DROP ROLE IF EXISTS ${role}`);
      await pg.query('postgres', `CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${SHAPES[shape].replace(/'/g, "''")}'`);
      const withPassword = (user: string) =>
        `postgres://${user}:${encodeURIComponent(SHAPES[shape])}@${url.host}/postgres`;
      // Every other shape meets the echoing flyctl (secrets import and deploy fail, quoting stdin and argv).
      const echo = SHAPE_NAMES.indexOf(shape) % 2 === 0;
      const deployed = await runWithArgv('fly-deploy', {
        ...pullRequest(pr, 'opened'),
        inputs: {
          preview: 'true',
          org: 'acme',
          image: 'registry.fly.io/pr:v1',
          'database-url': withPassword(role),
          'preview-secrets': 'API_KEY',
          'app-secrets': [dotenvLine('API_KEY', SHAPES[shape]), dotenvLine('NOT_LISTED', SHAPES[shape])].join('\n'),
        },
        env: { ...sim.env, ...(echo ? { PATH: `${echoBin}:${sim.env.PATH}` } : {}), FLY_API_TOKEN: TOKEN },
      });
      // The pull request closes unseen: the janitor removes its app and database (refused password every other shape).
      api.seedPull(pr, 'closed');
      const janitor = await runWithArgv('preview-janitor', {
        context: { repository: REPO, apiUrl: api.url },
        inputs: {
          org: 'acme',
          ttl: '1h',
          'database-url': withPassword(echo ? 'postgres' : role),
          'github-token': api.token,
        },
        env: { ...sim.env, FLY_API_TOKEN: TOKEN },
      });
      return [
        ...scan(deployed.r, shape, deployed.argv),
        ...scan(janitor.r, shape, janitor.argv),
        ...crashed(deployed.argv, shape),
        ...crashed(janitor.argv, shape),
      ];
    });
    expect(leaks).toEqual([]);
  });

  it('fly-deploy: BUILD_SECRETS as deploy.yml passes them (several lines), echoed by a failed build (argv excepted)', async () => {
    const leaks = await everyShape(async (shape) => {
      const { r, argv } = await runWithArgv('fly-deploy', {
        inputs: { app: APP, 'build-secrets': `SENTRY_DSN=https://public@sentry.example/1\nNPM_TOKEN=${SHAPES[shape]}` },
        env: { ...sim.env, PATH: `${echoBin}:${sim.env.PATH}`, FLY_API_TOKEN: TOKEN },
      });
      return [...scan(r, shape, argv, true), ...crashed(argv, shape)];
    });
    expect(leaks).toEqual([]);
  });

  it('health-gate and auto-rollback: a checks-file `${NAME}` from `secrets`, sent to a check that fails', async () => {
    const port = (unhealthy.address() as AddressInfo).port;
    const dir = mkdtempSync(join(tmpdir(), 'leak-scan-checks-'));
    const checksFile = join(dir, 'checks.yml');
    writeFileSync(
      checksFile,
      [
        'checks:',
        '  - name: admin',
        '    path: /admin/health',
        '    headers:',
        '      X-Admin-Key: ${ADMIN_KEY}',
        '    expect:',
        '      status: 200',
        '      body-contains: ${ADMIN_KEY}',
        '',
      ].join('\n'),
    );
    const leaks = await everyShape(async (shape) => {
      const secrets = `ADMIN_KEY=${SHAPES[shape]}`;
      const gate = await runWithArgv('health-gate', {
        inputs: {
          'checks-file': checksFile,
          'base-url': `http://127.0.0.1:${port}`,
          secrets,
          timeout: '1s',
          interval: '200ms',
        },
      });
      const rollback = await runWithArgv('auto-rollback', {
        inputs: {
          app: APP,
          'failed-release-version': '2',
          'lkg-source': 'fly-releases',
          'checks-file': checksFile,
          'health-url': `http://127.0.0.1:${port}/health`,
          secrets,
          timeout: '1s',
          'dry-run': 'true',
        },
        env: { ...sim.env, FLY_API_TOKEN: TOKEN },
      });
      return [
        ...scan(gate.r, shape, gate.argv),
        ...scan(rollback.r, shape, rollback.argv),
        ...crashed(gate.argv, shape),
        ...crashed(rollback.argv, shape),
      ];
    });
    expect(leaks).toEqual([]);
  });

  it('pg-migrate command: a migrator that prints its DATABASE_URL and fails', async () => {
    const db = await pg.createDatabase('leaks_command');
    const url = new URL(db.url);
    const workspace = mkdtempSync(join(tmpdir(), 'leak-scan-command-'));
    // The migrator prints the URL it was given, its password decoded, and fails, as a verbose ORM may.
    writeFileSync(
      join(workspace, 'migrate.mjs'),
      [
        'const url = new URL(process.env.DATABASE_URL);',
        'console.log(`connecting to ${process.env.DATABASE_URL}`);',
        'console.error(`auth failed for ${url.username} with password ${decodeURIComponent(url.password)}`);',
        'process.exit(1);',
        '',
      ].join('\n'),
    );
    const leaks = await everyShape(async (shape) => {
      // A role with the shape as its password, so the migration lock is taken and the migrator runs.
      const role = `command_${shape}`;
      await pg.query(db.name, `DROP ROLE IF EXISTS ${role}`);
      await pg.query(db.name, `CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${SHAPES[shape].replace(/'/g, "''")}'`);
      const { r, argv } = await runWithArgv('pg-migrate', {
        cwd: workspace,
        inputs: {
          'database-url': `postgres://${role}:${encodeURIComponent(SHAPES[shape])}@${url.host}${url.pathname}`,
          command: `node migrate.mjs`,
        },
      });
      return [...scan(r, shape, argv), ...crashed(argv, shape)];
    });
    expect(leaks).toEqual([]);
  });
});
