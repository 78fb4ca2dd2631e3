import { escapeCell, escapeMarkdown } from '@deploy-actions/toolkit';
import { classCell } from './classify/render';
import type { LintFinding } from './lint';
import type { Plan } from './plan';

const PLAN_MARKER = '<!-- pg-migrate-plan -->';

/**
 * The plan as Markdown: pending (or to-revert) migrations with transaction mode and
 * statement counts, then lint findings. Starts with a hidden marker so a PR comment
 * can be found and updated instead of posted again.
 */
export function renderPlan(args: {
  direction: 'up' | 'down';
  database: string;
  plan: Plan;
  findings: LintFinding[];
  dryRun: boolean;
}): string {
  const { plan, findings } = args;
  const verb = args.direction === 'up' ? 'apply' : 'revert';
  const lines = [PLAN_MARKER, `### pg-migrate plan for ${escapeMarkdown(args.database)}`, ''];
  if (plan.items.length === 0) {
    lines.push(args.direction === 'up' ? 'Nothing to apply: the database is up to date.' : 'Nothing to revert.');
  } else {
    lines.push(
      `${plan.items.length} migration${plan.items.length > 1 ? 's' : ''} to ${verb}${args.dryRun ? ' (dry run: nothing was changed)' : ''}, current version ${plan.currentVersion ?? 'none'}.`,
      '',
      '| Version | Name | Transaction | Statements | File | Class |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const item of plan.items) {
      const script = item.action === 'revert' ? item.file.down! : item.file.up;
      const count = item.statements?.length;
      const statements =
        count === undefined
          ? ''
          : item.action === 'resume'
            ? `${count} (resume after ${item.resumeFrom})`
            : String(count);
      lines.push(
        `| ${escapeCell(item.file.version)} | ${escapeCell(item.file.name)} | ${script.noTransaction ? 'none (statement by statement)' : 'one per migration'} | ${statements} | \`${escapeCell(script.path)}\` | ${escapeCell(classCell(item.classification))} |`,
      );
    }
  }
  if (plan.notInRun > 0) lines.push('', `${plan.notInRun} more pending after the target (not in this run).`);
  if (plan.warnings.length > 0)
    lines.push('', '**Warnings**', '', ...plan.warnings.map((w) => `- ${escapeMarkdown(w)}`));
  if (findings.length > 0) {
    lines.push('', `**Lint (squawk): ${findings.length} finding${findings.length > 1 ? 's' : ''}**`, '');
    lines.push('| File | Line | Rule | Message |', '| --- | --- | --- | --- |');
    for (const f of findings) {
      lines.push(`| \`${escapeCell(f.file)}\` | ${f.line} | ${escapeCell(f.rule)} | ${escapeCell(f.message)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}
