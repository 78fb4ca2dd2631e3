import { type DeployWindow, formatLocal } from '@deploy-actions/deploy-window';

/** Whether the deploy window will be open at the likely merge time, in one sentence. */
export function windowAtMerge(window: DeployWindow, mergeAt: number): string {
  const verdict = window.at(mergeAt);
  const at = formatLocal(window, mergeAt);
  if (verdict.allowed) return `open at the likely merge time, ${at} (${verdict.rule}).`;
  const next = window.nextOpen(mergeAt);
  return `closed at the likely merge time, ${at}: ${verdict.rule}. The deploy would wait for ${next === undefined ? 'a window (none found within 400 days)' : formatLocal(window, next)}, or an override.`;
}
