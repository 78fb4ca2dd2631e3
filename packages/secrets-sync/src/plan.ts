import type { Secret } from '@deploy-actions/fly';
import { digestMatches } from './digest';

/** What the plan needs of a secret `flyctl secrets list --json` reports (packages/fly reads all three shapes). */
export type RemoteSecret = Pick<Secret, 'name' | 'digest' | 'status'>;

export type SyncMode = 'merge' | 'exact';
export type Action = 'add' | 'change' | 'remove' | 'unchanged' | 'keep';

export interface PlanItem {
  name: string;
  action: Action;
  /** Why a remote secret stays (`keep`): not declared in merge mode, or protected in exact mode. */
  reason?: 'not declared' | 'protected';
  /** flyctl's status of the remote secret, when it reports one. */
  remoteStatus?: string;
}

export interface Plan {
  /** Every declared and remote name, sorted. */
  items: PlanItem[];
  add: string[];
  change: string[];
  remove: string[];
  unchanged: string[];
  kept: string[];
  /** Names present after the sync. */
  after: Set<string>;
}

/**
 * Compares declared secrets with the app's. Names decide add and remove; a value is
 * unchanged only when the remote digest provably matches it, otherwise it is set again.
 */
export function buildPlan(
  declared: ReadonlyMap<string, string>,
  remote: readonly RemoteSecret[],
  options: { mode: SyncMode; protectedNames?: readonly string[] },
): Plan {
  const remoteByName = new Map(remote.map((r) => [r.name, r]));
  const protectedNames = new Set(options.protectedNames ?? []);
  const names = [...new Set([...declared.keys(), ...remoteByName.keys()])].sort();
  const items: PlanItem[] = names.map((name) => {
    const r = remoteByName.get(name);
    const status = r?.status ? { remoteStatus: r.status } : {};
    const value = declared.get(name);
    if (value !== undefined) {
      if (!r) return { name, action: 'add' };
      return { name, action: digestMatches(value, r.digest) ? 'unchanged' : 'change', ...status };
    }
    if (options.mode === 'merge') return { name, action: 'keep', reason: 'not declared', ...status };
    if (protectedNames.has(name)) return { name, action: 'keep', reason: 'protected', ...status };
    return { name, action: 'remove', ...status };
  });
  const pick = (action: Action) => items.filter((i) => i.action === action).map((i) => i.name);
  return {
    items,
    add: pick('add'),
    change: pick('change'),
    remove: pick('remove'),
    unchanged: pick('unchanged'),
    kept: pick('keep'),
    after: new Set(items.filter((i) => i.action !== 'remove').map((i) => i.name)),
  };
}

/** Number of secrets the plan writes (added, changed or removed). */
export function changeCount(plan: Plan): number {
  return plan.add.length + plan.change.length + plan.remove.length;
}

/** The plan in one line for the log: names and actions only. */
export function describePlan(plan: Plan): string {
  const part = (verb: string, names: string[]) => (names.length > 0 ? [`${verb} ${names.join(', ')}`] : []);
  const parts = [
    ...part('add', plan.add),
    ...part('change', plan.change),
    ...part('remove', plan.remove),
    ...(plan.unchanged.length > 0 ? [`${plan.unchanged.length} unchanged`] : []),
    ...part('leave', plan.kept),
  ];
  return `Plan: ${parts.length > 0 ? parts.join('; ') : 'no secrets declared or on the app'}`;
}
