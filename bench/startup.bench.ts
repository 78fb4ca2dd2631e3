/**
 * Start-up of every bundle under Node 24, run with no inputs (parse inputs, fail,
 * exit), against two floors run side by side: bare `node -e 0`, and an ncc bundle
 * of @actions/core alone doing the same.
 *
 * Every target runs once per round, rounds repeated, so a busy machine slows all of
 * them alike. Two figures per target: the median wall time, and the mean CPU time
 * (user + system, read from this process's children totals in /proc/self/stat). On a
 * shared machine the CPU figure is the steadier one; only ratios mean anything.
 *
 * `BENCH_STARTUP_ALT=<dir>` also runs `<dir>/<action>/index.mjs` (or index.js) for
 * every action, in the same rounds: a second build measured beside dist/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { node24Path } from '@deploy-actions/runner';
import { ACTIONS, ROOT } from '../scripts/actions';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ALT = process.env.BENCH_STARTUP_ALT ? resolve(process.env.BENCH_STARTUP_ALT) : undefined;
const node = node24Path();
const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc');

/** CPU time of waited-for children so far, in ms (cutime + cstime, clock ticks of 10 ms). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

interface Target {
  label: string;
  args: string[];
  wall: number[];
  cpu: number;
}

const work = mkdtempSync(join(tmpdir(), 'bench-startup-'));
// The floor bundle: @actions/core alone, failing the step like our actions do.
const floorDir = join(work, 'core-only');
mkdirSync(floorDir);
const entry = join(ROOT, 'bench', '.core-only-entry.ts');
writeFileSync(
  entry,
  "import * as core from '@actions/core';\ncore.setFailed('Input required and not supplied: app');\n",
);
const { code } = await ncc(entry, { minify: true, quiet: true, transpileOnly: true, target: 'es2022' });
writeFileSync(join(floorDir, 'index.mjs'), code);
rmSync(entry);

function altEntry(name: string): string {
  const dir = join(ALT as string, name);
  const mjs = join(dir, 'index.mjs');
  return existsSync(mjs) ? mjs : join(dir, 'index.js');
}

const target = (label: string, args: string[]): Target => ({ label, args, wall: [], cpu: 0 });
const bare = target('bare node -e 0', ['-e', '0']);
const coreOnly = target('@actions/core-only bundle', [join(floorDir, 'index.mjs')]);
const dist = ACTIONS.map((name) => target(name, [join(ROOT, 'dist', name, 'index.js')]));
const alt = ALT ? ACTIONS.map((name) => target(`${name} (alt)`, [altEntry(name)])) : [];
const all = [bare, coreOnly, ...dist, ...alt];

const env = { PATH: process.env.PATH, GITHUB_OUTPUT: join(work, 'out'), GITHUB_STEP_SUMMARY: join(work, 'summary') };
for (let round = 0; round < RUNS; round++) {
  for (const t of all) {
    const cpuBefore = childrenCpuMs();
    const started = process.hrtime.bigint();
    spawnSync(node, t.args, { cwd: work, env, stdio: 'ignore' });
    t.wall.push(Number(process.hrtime.bigint() - started) / 1e6);
    t.cpu += childrenCpuMs() - cpuBefore;
  }
}
rmSync(work, { recursive: true, force: true });

const wallOf = (t: Target) => median(t.wall);
const cpuOf = (t: Target) => t.cpu / RUNS;
const cell = (t: Target) =>
  `${wallOf(t).toFixed(0).padStart(5)} ms ${(wallOf(t) / wallOf(bare)).toFixed(2)}x` +
  ` | ${cpuOf(t).toFixed(0).padStart(4)} ms ${(cpuOf(t) / cpuOf(bare)).toFixed(2)}x`;

console.log(`Node ${spawnSync(node, ['--version']).stdout.toString().trim()}, ${RUNS} interleaved rounds`);
console.log(`${''.padEnd(26)} wall (median), ratio to bare | CPU (mean), ratio to bare`);
console.log(`${bare.label.padEnd(26)} ${cell(bare)}`);
console.log(`${coreOnly.label.padEnd(26)} ${cell(coreOnly)}`);
ACTIONS.forEach((name, i) => {
  console.log(`${name.padEnd(26)} ${cell(dist[i])}${ALT ? `   alt: ${cell(alt[i])}` : ''}`);
});
if (ALT) console.log(`alt = ${ALT}`);
