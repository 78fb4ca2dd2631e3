import type { DeploymentInfo, MigrationRecord } from '@deploy-actions/deployments';

/** The classes an image-only rollback cannot pass (packages/migrate classify: ROLLBACK_BLOCKING). */
const BLOCKING = new Set(['contract', 'breaking']);

/** What a rollback does about the migrations applied since the release it returns to. */
export type CompatDecision =
  /** Only expand or data migrations since: the older image runs against the newer schema. */
  | { action: 'image'; since: MigrationRecord[]; blocking: []; note: string }
  /** Blocking migrations, each with a down migration: revert everything newer than `revertTo` first. */
  | { action: 'downs'; since: MigrationRecord[]; blocking: MigrationRecord[]; revertTo: string; note: string }
  /** Blocking migrations, and the caller said the older release copes (`rollback-past-contract`). */
  | { action: 'forced'; since: MigrationRecord[]; blocking: MigrationRecord[]; note: string }
  | { action: 'refuse'; since: MigrationRecord[]; blocking: MigrationRecord[]; reason: string };

const byVersion = (a: MigrationRecord, b: MigrationRecord) => (BigInt(a.version) < BigInt(b.version) ? -1 : 1);

function describe(m: MigrationRecord): string {
  const why = m.reasons.length > 0 ? `: ${m.reasons.join(', ')}` : '';
  const override = m.override ? `; override reason: ${m.override}` : '';
  return `${m.version} ${m.name} is ${m.class}${why}${override}`;
}

/**
 * The migrations applied after the release a rollback returns to: those in the records of this
 * repository's deployments newer than the newest one of `targetImage` (all on the page when the
 * target has no record: a rollback must not pass a migration it cannot place), and those this run
 * applied. One record per version.
 */
export function migrationsSince(
  deployments: readonly DeploymentInfo[],
  options: { app: string; repository: string; targetImage: string; appliedByThisRun: readonly MigrationRecord[] },
): MigrationRecord[] {
  const ours = deployments.filter((d) => d.record?.app === options.app && d.record.repository === options.repository);
  const boundary = ours.find((d) => d.record?.image_ref === options.targetImage && !d.record.rollback);
  const newer = boundary ? ours.filter((d) => d.id > boundary.id) : ours;
  const seen = new Map<string, MigrationRecord>();
  for (const m of [...options.appliedByThisRun, ...newer.flatMap((d) => d.record?.migrations ?? [])]) {
    const key = BigInt(m.version).toString();
    if (!seen.has(key)) seen.set(key, m);
  }
  return [...seen.values()].sort(byVersion);
}

export interface CompatOptions {
  /** `rollback-past-contract: true`: the caller knows the older release copes with the schema. */
  pastContract: boolean;
  /** A database to run down migrations on is configured (database-url). */
  canRunDowns: boolean;
  /** An explicit revert to this version is already asked for (rollback-migrations with migrate-to). */
  migrateTo?: string;
}

/**
 * Whether the older image may come back. Past expand-only migrations it may. Past a contract or
 * breaking one it may not, unless each of them (and every migration after the oldest, which the
 * revert undoes too) has a down migration and a database is configured, in which case they are
 * reverted newest first before the image; or the caller set `rollback-past-contract`.
 */
export function decideCompat(since: MigrationRecord[], options: CompatOptions): CompatDecision {
  const explicit = options.migrateTo === undefined ? undefined : BigInt(options.migrateTo);
  const blocking = since.filter(
    (m) => BLOCKING.has(m.class) && (explicit === undefined || BigInt(m.version) <= explicit),
  );
  if (blocking.length === 0) {
    const note =
      since.length === 0
        ? 'no migrations recorded since the target release'
        : `${since.length} migration(s) since the target release, none contract or breaking: the older image runs against this schema`;
    return { action: 'image', since, blocking: [], note };
  }
  const list = blocking.map(describe).join('; ');
  if (options.pastContract) {
    return {
      action: 'forced',
      since,
      blocking,
      note: `rolling back past ${list}, as rollback-past-contract allows`,
    };
  }
  const oldest = BigInt(blocking[0].version);
  const toRevert = since.filter((m) => BigInt(m.version) >= oldest);
  const noDown = toRevert.filter((m) => !m.down);
  if (noDown.length === 0 && options.canRunDowns) {
    return {
      action: 'downs',
      since,
      blocking,
      revertTo: (oldest - 1n).toString(),
      note: `reverting ${toRevert
        .map((m) => m.version)
        .reverse()
        .join(', ')} with their down migrations before the image, because ${list}`,
    };
  }
  const why =
    noDown.length > 0
      ? `${noDown.map((m) => `${m.version} ${m.name}`).join(', ')} ${noDown.length > 1 ? 'have' : 'has'} no down migration`
      : 'down migrations exist, but no database-url is given to run them';
  return {
    action: 'refuse',
    since,
    blocking,
    reason: `an image-only rollback would run the older release against a schema it may not work with: ${list}; ${why}. Add down migrations (and give database-url), or set rollback-past-contract: true when the older release does not use what changed.`,
  };
}
