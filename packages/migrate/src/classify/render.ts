import { escapeMarkdown } from '@deploy-actions/toolkit';
import type { Classification, MigrationClass } from './types';
import { CLASS_ORDER } from './types';

/** One table cell: the class, the reasons that made it (not the expand ones), the override. */
export function classCell(c: Classification | undefined): string {
  if (!c) return '';
  const reasons = [
    ...new Set(
      c.statements.flatMap((s) =>
        s.reasons.filter((r) => r.class !== 'expand').map((r) => `${r.code} (line ${s.line})`),
      ),
    ),
  ];
  const base = `**${c.class}**${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}`;
  return c.override
    ? `${base}; set by override (computed ${c.override.computed}): ${escapeMarkdown(c.override.reason)}`
    : base;
}

/** "1 contract, 2 expand": the classes of a run, worst first. */
export function classCounts(classes: readonly { class: MigrationClass }[]): string {
  return CLASS_ORDER.map((k) => [k, classes.filter((c) => c.class === k).length] as const)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}
