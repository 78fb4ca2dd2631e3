import { escapeCell, escapeMarkdown } from '@deploy-actions/toolkit';
import type { SettingChange } from './flytoml';

export const PLAN_MARKER = '<!-- deploy-actions-plan -->';

/** Outside text for a table cell: Markdown and HTML escaped (pipes too), one line. */
const cell = (text: string) => escapeMarkdown(text).replace(/\r?\n/g, ' ');

/** A pending migration as the plan shows it: class, reasons, the lock each statement takes. */
export interface PlannedMigration {
  version: string;
  name: string;
  file: string;
  class: 'expand' | 'contract' | 'breaking' | 'data';
  override?: string;
  hasDown: boolean;
  statements: { line: number; statement: string; lock?: string; reasons: string[] }[];
  lint: { line: number; rule: string; message: string }[];
}

export interface DeployPlan {
  migrations: PlannedMigration[];
  flyToml: SettingChange[];
  /** `basis` says what the names were compared with (the base branch, or the app's current secrets). */
  secrets: { added: string[]; removed: string[]; basis?: string };
  /** Whether the deploy window is open at the likely merge time, in one sentence. */
  window?: string;
  /** Migration files the base has already whose SQL the pull request changed. */
  edited?: string[];
}

const BLOCKING = new Set(['contract', 'breaking']);

/** What auto-rollback could do after this deploy, from the classes of its migrations. */
export function rollbackOutlook(migrations: readonly PlannedMigration[]): string {
  const blocking = migrations.filter((m) => BLOCKING.has(m.class));
  if (blocking.length === 0) {
    return migrations.length === 0
      ? 'No migrations: auto-rollback can put the previous image back.'
      : 'Only expand or data migrations: auto-rollback can put the previous image back on the new schema.';
  }
  const oldest = BigInt(blocking[0].version);
  const needDown = migrations.filter((m) => BigInt(m.version) >= oldest && !m.hasDown);
  const names = blocking.map((m) => `${m.version} ${escapeMarkdown(m.name)} (${m.class})`).join(', ');
  return needDown.length === 0
    ? `Past ${names}, auto-rollback runs the down migrations newest first, then puts the previous image back (needs database-url).`
    : `Past ${names}, auto-rollback refuses an image-only rollback: ${needDown.map((m) => `${m.version} ${escapeMarkdown(m.name)}`).join(', ')} ${needDown.length > 1 ? 'have' : 'has'} no down migration. Add one, or accept that a failed deploy is fixed forward (or rolled back with rollback-past-contract).`;
}

/**
 * The plan comment: one per pull request, found again by its marker and updated in place. Every
 * name and message comes from the pull request, so each is escaped; secret values never reach it.
 */
export function renderDeployPlan(plan: DeployPlan): string {
  const lines = [PLAN_MARKER, '### Deploy plan: what merging would deploy', ''];
  if (plan.migrations.length === 0) lines.push('**Migrations:** none pending.');
  else {
    lines.push('**Migrations**', '', '| Version | Name | Class | Down | File |', '| --- | --- | --- | --- | --- |');
    for (const m of plan.migrations) {
      const klass = m.override ? `**${m.class}** (override: ${escapeMarkdown(m.override)})` : `**${m.class}**`;
      lines.push(
        `| ${escapeCell(m.version)} | ${cell(m.name)} | ${klass.replace(/\r?\n/g, ' ')} | ${m.hasDown ? 'yes' : 'no'} | \`${escapeCell(m.file)}\` |`,
      );
    }
    lines.push('', '| File:line | Statement | Lock | Reasons |', '| --- | --- | --- | --- |');
    for (const m of plan.migrations) {
      for (const s of m.statements) {
        lines.push(
          `| \`${escapeCell(`${m.file}:${s.line}`)}\` | \`${escapeCell(s.statement.replace(/`/g, "'"))}\` | ${escapeCell(s.lock ?? 'none')} | ${escapeCell(s.reasons.join(', '))} |`,
        );
      }
    }
    const findings = plan.migrations.flatMap((m) => m.lint.map((f) => ({ ...f, file: m.file })));
    if (findings.length > 0) {
      lines.push('', `**Lint (squawk): ${findings.length}**`, '');
      for (const f of findings)
        lines.push(
          `- \`${escapeCell(`${f.file}:${f.line}`)}\` ${escapeMarkdown(f.rule)}: ${escapeMarkdown(f.message)}`,
        );
    }
  }
  if (plan.edited && plan.edited.length > 0) {
    lines.push('', '**Edited migrations** (pg-migrate refuses a changed migration once applied):', '');
    for (const f of plan.edited) lines.push(`- \`${escapeCell(f)}\``);
  }
  lines.push('');
  if (plan.secrets.added.length + plan.secrets.removed.length === 0)
    lines.push('**Secrets:** no names added or removed.');
  else {
    lines.push(`**Secrets** (names only${plan.secrets.basis ? `, ${escapeMarkdown(plan.secrets.basis)}` : ''})`, '');
    for (const n of plan.secrets.added) lines.push(`- added \`${escapeCell(n)}\``);
    for (const n of plan.secrets.removed) lines.push(`- removed \`${escapeCell(n)}\``);
  }
  lines.push('');
  if (plan.flyToml.length === 0)
    lines.push('**fly.toml:** no change to services, checks, strategy, VM size, processes or mounts.');
  else {
    lines.push('**fly.toml changes that matter**', '', '| Setting | Before | After |', '| --- | --- | --- |');
    for (const c of plan.flyToml) {
      lines.push(
        `| \`${escapeCell(c.key)}\` | ${c.before === undefined ? '(none)' : `\`${escapeCell(c.before)}\``} | ${c.after === undefined ? '(removed)' : `\`${escapeCell(c.after)}\``} |`,
      );
    }
  }
  if (plan.window) lines.push('', `**Deploy window:** ${escapeMarkdown(plan.window)}`);
  lines.push('', `**If this deploy fails:** ${rollbackOutlook(plan.migrations)}`);
  return `${lines.join('\n')}\n`;
}
