/**
 * Start-up of every bundle under Node 24, run with no inputs (parse inputs, fail,
 * exit), against two floors run side by side: bare `node -e 0`, and an ncc bundle
 * of @actions/core alone doing the same. Reports medians and ratios.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { node24Path } from '@deploy-actions/runner';
import { ACTIONS, ROOT } from '../scripts/actions';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const node = node24Path();
const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(args: string[], cwd: string): number {
  const samples: number[] = [];
  const env = { PATH: process.env.PATH, GITHUB_OUTPUT: join(cwd, 'out'), GITHUB_STEP_SUMMARY: join(cwd, 'summary') };
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    spawnSync(node, args, { cwd, env, stdio: 'ignore' });
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(samples);
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
(await import('node:fs')).rmSync(entry);

const bare = time(['-e', '0'], work);
const coreOnly = time([join(floorDir, 'index.mjs')], work);
console.log(`Node ${spawnSync(node, ['--version']).stdout.toString().trim()}, median of ${RUNS} runs each`);
console.log(`bare node -e 0            ${bare.toFixed(1)} ms  1.00x`);
console.log(`@actions/core-only bundle ${coreOnly.toFixed(1)} ms  ${(coreOnly / bare).toFixed(2)}x`);
for (const name of ACTIONS) {
  const ms = time([join(ROOT, 'dist', name, 'index.js')], work);
  console.log(
    `${name.padEnd(25)} ${ms.toFixed(1)} ms  ${(ms / bare).toFixed(2)}x bare, ${(ms / coreOnly).toFixed(2)}x core-only`,
  );
}
