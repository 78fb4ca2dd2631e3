/**
 * `npm run rehearse [-- <scenario>]`: executes the reusable workflows (.github/workflows/deploy.yml and
 * preview.yml) locally against fly-sim, an embedded PostgreSQL, and local SMTP, webhook and GitHub API
 * servers, then prints a pass/fail table. Scenarios: happy, bad-release, closed-hours, autostop, preview,
 * the sample apps of examples/apps/ (app-ignition, ...; `apps` runs only those), all (default). Reports (every step's summary, one HTML page per scenario) go to --out <dir>, by default
 * rehearsal-output/ (git-ignored; CI uploads it when a check fails). --workflows <dir> rehearses copies of
 * deploy.yml and preview.yml from another folder (e.g. while changing them).
 *
 * `npm run rehearse -- --repo <path> --workflow <file> [--event ...] [--input k=v] ...` rehearses a
 * caller's own workflow from their repository instead (see REPO_USAGE and README.md).
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  APP_SCENARIOS,
  formatResults,
  parseRepoArgs,
  preflight,
  REPO_USAGE,
  RehearsalError,
  repoScenario,
  runScenarios,
  SCENARIOS,
  type Scenario,
} from '@deploy-actions/rehearsal';
import { REPO_ROOT } from '@deploy-actions/runner';

/** The built-in scenarios, then the sample apps of examples/apps/ (`apps` runs those alone). */
const EVERY = [...SCENARIOS, ...APP_SCENARIOS];

function usage(): string {
  return [
    `usage: npm run rehearse [-- <${[...EVERY.map((s) => s.name), 'apps', 'all'].join('|')}>] [--out <dir>] [--workflows <dir>]`,
    `   or: ${REPO_USAGE} [--out <dir>]`,
  ].join('\n');
}

/** `--repo ...`: a caller's own workflow; its report goes to <out>/repo. */
async function repoRun(argv: string[]): Promise<{ scenario: Scenario; outDir?: string }> {
  const rest = [...argv];
  const out = rest.indexOf('--out');
  const outDir = out >= 0 ? rest.splice(out, 2)[1] : undefined;
  const rehearsal = parseRepoArgs(rest);
  await preflight(rehearsal);
  return { scenario: repoScenario('repo', rehearsal), outDir };
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--repo')) {
    const { scenario, outDir } = await repoRun(argv);
    const out = outDir ? resolve(outDir) : join(REPO_ROOT, 'rehearsal-output');
    const started = Date.now();
    const results = await runScenarios([scenario], { outDir: out, print: (line) => console.log(line) });
    console.log(`\nRehearsal finished in ${((Date.now() - started) / 1000).toFixed(1)}s; reports in ${out}\n`);
    console.log(formatResults(results));
    return results.every((r) => r.ok) ? 0 : 1;
  }
  let name = 'all';
  let outDir: string | undefined;
  let workflowsDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') outDir = argv[++i];
    else if (argv[i] === '--workflows') workflowsDir = resolve(argv[++i]);
    else if (argv[i] === '--help' || argv[i] === '-h') {
      console.log(usage());
      return 0;
    } else name = argv[i];
  }
  const chosen = name === 'all' ? EVERY : name === 'apps' ? APP_SCENARIOS : EVERY.filter((s) => s.name === name);
  if (chosen.length === 0) {
    console.error(`unknown scenario '${name}'\n${usage()}`);
    return 2;
  }
  const out = outDir ? resolve(outDir) : join(REPO_ROOT, 'rehearsal-output');
  // The index lists this rehearsal's scenarios only, so earlier reports of the others go.
  for (const known of EVERY) rmSync(join(out, known.name), { recursive: true, force: true });
  const started = Date.now();
  const results = await runScenarios(chosen, { outDir: out, workflowsDir, print: (line) => console.log(line) });
  console.log(`\nRehearsal finished in ${((Date.now() - started) / 1000).toFixed(1)}s; reports in ${out}\n`);
  console.log(formatResults(results));
  return results.every((r) => r.ok) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof RehearsalError ? `rehearsal: ${err.message}` : err);
    process.exitCode = 1;
  },
);
