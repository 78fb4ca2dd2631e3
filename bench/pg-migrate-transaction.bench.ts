/**
 * What the server spends on pg-migrate's wrapping of one transactional migration: 1,000
 * pipelined transactions with an empty script (`SELECT 1`), each variant on its own connection,
 * measured as that backend's CPU time (/proc/<pid>/stat), which the load of other processes
 * hardly moves. Variants: the wrapping before the pooler checks (guard, SET LOCALs, bookkeeping),
 * the lock check with the pg_locks lookup (through a pooler), and the pid check (direct
 * connection); both with the session reset after the script. Mirrors transactionText in
 * packages/migrate/src/apply.ts. PostgreSQL 18, fsync on. Figures only.
 * BENCH_TRANSACTIONS (default 1000), BENCH_REPEAT (rounds, default 3).
 */
import { readFileSync } from 'node:fs';
import { startPostgres } from '@deploy-actions/testkit/postgres';
import pg from 'pg';

const N = Number(process.env.BENCH_TRANSACTIONS ?? 1000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const T = 'public.schema_migrations';
const KEY = 4242;

/** utime + stime of a process, in ms (100 ticks a second). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Lock {
  pid: number;
  database: string;
}
const guard = (i: number) =>
  i === 1
    ? ''
    : `IF NOT EXISTS (SELECT FROM ${T} WHERE version = '${i - 1}' AND finished) THEN RAISE EXCEPTION 'guard'; END IF;`;
const poolerCheck = (l: Lock) =>
  `IF NOT (pg_backend_pid() = ${l.pid} AND EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = ${l.pid} AND database = '${l.database}'::oid AND classid = '0'::oid AND objid = '${KEY}'::oid AND objsubid = 1)) THEN RAISE EXCEPTION 'lost'; END IF;`;
const pidCheck = (l: Lock) => `IF NOT (pg_backend_pid() = ${l.pid}) THEN RAISE EXCEPTION 'lost'; END IF;`;
const reset = `DISCARD TEMP; SET SESSION AUTHORIZATION DEFAULT; RESET ALL; SET client_connection_check_interval = '1000ms'; SET LOCAL synchronous_commit = off;`;
const insert = (i: number) => `INSERT INTO ${T} (version) VALUES ('${i}');`;

const variants: [string, (i: number, l: Lock) => string][] = [
  [
    'before the pooler checks',
    (i) =>
      `BEGIN; DO $g$ BEGIN ${guard(i)} END $g$; SET LOCAL lock_timeout = '5000ms'; SET LOCAL synchronous_commit = off; SELECT 1; ${insert(i)} COMMIT;`,
  ],
  [
    'pg_locks check + session reset',
    (i, l) =>
      `BEGIN; SET LOCAL lock_timeout = '5000ms'; DO $g$ BEGIN ${poolerCheck(l)}${guard(i)} END $g$; SELECT 1; ${insert(i)} ${reset} COMMIT;`,
  ],
  [
    'pid check + session reset (direct)',
    (i, l) =>
      `BEGIN; SET LOCAL lock_timeout = '5000ms'; DO $g$ BEGIN ${pidCheck(l)}${guard(i)} END $g$; SELECT 1; ${insert(i)} ${reset} COMMIT;`,
  ],
];

const server = await startPostgres({ version: 18, durable: true });
try {
  const samples = new Map<string, number[]>();
  for (let round = 0; round < REPEAT; round++) {
    for (const [name, text] of variants) {
      const db = await server.createDatabase('tx');
      const client = new pg.Client({ connectionString: db.url, pipeline: true } as pg.ClientConfig);
      await client.connect();
      await client.query(`CREATE TABLE ${T} (version text PRIMARY KEY, finished boolean NOT NULL DEFAULT true)`);
      const { rows } = await client.query(
        `SELECT pg_backend_pid() AS pid, (SELECT oid FROM pg_database WHERE datname = current_database())::text AS database, pg_advisory_lock(${KEY})`,
      );
      const lock: Lock = { pid: rows[0].pid, database: rows[0].database };
      const before = cpuMs(lock.pid);
      const inFlight: Promise<unknown>[] = [];
      for (let i = 1; i <= N; i++) {
        inFlight.push(client.query(text(i, lock)));
        if (inFlight.length >= 32) await inFlight.shift();
      }
      await Promise.all(inFlight);
      samples.set(name, [...(samples.get(name) ?? []), (cpuMs(lock.pid) - before) / N]);
      await client.end();
    }
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const base = median(samples.get(variants[0][0]) ?? []);
  console.log(`${N} pipelined transactions with an empty script, backend CPU per transaction (median of ${REPEAT}):`);
  for (const [name] of variants) {
    const m = median(samples.get(name) ?? []);
    console.log(`${name.padEnd(38)} ${m.toFixed(3)} ms  ${(m / base).toFixed(2)}×`);
  }
} finally {
  await server.stop();
}
