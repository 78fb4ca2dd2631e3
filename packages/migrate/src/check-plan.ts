import { analyse, scriptOf } from './analyse';
import { startClassifying } from './classify/plan';
import { type LintFinding, lint } from './lint';
import { refuseProblems } from './plan';
import type { Reading, Run } from './run';

/**
 * Checks the pending migrations before anything changes: analysis (parsed all in a dry run),
 * squawk's findings (a problem with `lint: error`) and, on the way up, their override comments.
 * Every problem is refused at once; the findings go into the result. Their compatibility classes
 * are computed meanwhile, beside what follows (`classified` waits for them).
 */
export async function checkPlan(run: Run, reading: Reading): Promise<LintFinding[]> {
  const { options, logger, settings } = run;
  const items = reading.plan.items;
  const problems: string[] = [];
  await analyse(items, problems, run.dryRun);
  const findings =
    (options.lint ?? 'warn') === 'off'
      ? []
      : await lint(items.map(scriptOf), {
          serverVersionNum: reading.state.versionNum,
          lockTimeoutMs: settings.lockTimeoutMs,
          statementTimeoutMs: settings.statementTimeoutMs,
          root: run.root,
          logger,
        });
  for (const f of findings) logger.warning(`${f.rule}: ${f.message}`, { file: f.file, line: f.line });
  if (options.lint === 'error' && findings.length > 0) {
    problems.push(
      `squawk found ${findings.length} problem${findings.length > 1 ? 's' : ''} in pending migrations (lint: error); see the annotations`,
    );
  }
  if (run.direction === 'up') startClassifying(items, findings, problems, run.classify);
  refuseProblems(problems);
  return findings;
}
