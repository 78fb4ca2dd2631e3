import { UserError } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import { ident, literal } from './db';
import { type MigrationFile, migrationLabel, versionKey } from './files';
import type { AppliedRow, Tracking } from './tracking';

/**
 * Migrations a run records as applied without running them: a database migrated before
 * pg-migrate, by hand (`baseline`) or by another tool whose history table is imported.
 */
export interface Adoption {
  /** Where the history comes from, for messages: `baseline 0042`, `dbmate's public.schema_migrations`. */
  source: string;
  /** The files recorded, in version order, with the checksums of the files as they are now. */
  files: MigrationFile[];
  /** The same as tracking rows, for planning. */
  rows: AppliedRow[];
  warnings: string[];
}

/** A history table of another migration tool, as found in the database. */
interface ForeignTable {
  tool: 'dbmate' | 'node-pg-migrate' | 'Flyway' | 'Prisma Migrate';
  schema: string;
  table: string;
}

/**
 * The tools' default tables, their columns, and how each records an applied migration:
 * dbmate `schema_migrations(version)` (amacneil/dbmate pkg/driver/postgres: one row per applied
 * version); node-pg-migrate `pgmigrations(id, name, run_on)` (src/runner.ts: `name` is the file
 * name without extension); Flyway `flyway_schema_history(version, success, ...)` (failed rows
 * have success = false); Prisma `_prisma_migrations(migration_name, finished_at,
 * rolled_back_at, checksum)` (a started but unfinished row is a failed migration).
 */
const TOOLS: { tool: ForeignTable['tool']; table: string; columns: string[] }[] = [
  { tool: 'dbmate', table: 'schema_migrations', columns: ['version'] },
  { tool: 'node-pg-migrate', table: 'pgmigrations', columns: ['name', 'run_on'] },
  { tool: 'Flyway', table: 'flyway_schema_history', columns: ['version', 'success', 'installed_rank'] },
  { tool: 'Prisma Migrate', table: '_prisma_migrations', columns: ['migration_name', 'finished_at', 'rolled_back_at'] },
];

/** The first foreign history table in `schemas` (the tracking schema, then `public`), in one query. */
async function findForeignTable(client: Client, schemas: string[]): Promise<ForeignTable | undefined> {
  const { rows } = await client.query(
    `SELECT c.table_schema, c.table_name, array_agg(c.column_name::text) AS columns
       FROM information_schema.columns c
      WHERE c.table_schema IN (${schemas.map(literal).join(', ')})
        AND c.table_name IN (${TOOLS.map((t) => literal(t.table)).join(', ')})
      GROUP BY 1, 2`,
  );
  for (const schema of schemas) {
    for (const tool of TOOLS) {
      const row = rows.find((r) => r.table_schema === schema && r.table_name === tool.table);
      const columns = (row?.columns ?? []) as string[];
      // dbmate's table has one column; pg-migrate's own has `version` and more.
      const shape = tool.tool === 'dbmate' ? columns.length === 1 : true;
      if (row && shape && tool.columns.every((c) => columns.includes(c)))
        return { tool: tool.tool, schema, table: tool.table };
    }
  }
  return undefined;
}

/** The history of `found`: `versions` applied, and problems that stop an import. */
async function readForeign(
  client: Client,
  found: ForeignTable,
): Promise<{ versions: { version: string; label: string; checksum?: string }[]; problems: string[] }> {
  const table = `${ident(found.schema)}.${ident(found.table)}`;
  const problems: string[] = [];
  const versioned = (label: string) => /^(\d+)/.exec(label)?.[1];
  const versions: { version: string; label: string; checksum?: string }[] = [];
  const add = (label: string, checksum?: string) => {
    const version = versioned(label);
    if (version === undefined) problems.push(`${label} (its version is not a number)`);
    else versions.push({ version, label, checksum });
  };
  switch (found.tool) {
    case 'dbmate':
      for (const r of (await client.query(`SELECT version::text AS v FROM ${table}`)).rows) add(String(r.v));
      break;
    case 'node-pg-migrate':
      for (const r of (await client.query(`SELECT name FROM ${table} ORDER BY run_on, name`)).rows) add(String(r.name));
      break;
    case 'Flyway': {
      const { rows } = await client.query(
        `SELECT version, success FROM ${table} WHERE version IS NOT NULL ORDER BY installed_rank`,
      );
      for (const r of rows) {
        if (!r.success) problems.push(`${r.version} (failed: Flyway's \`repair\` removes it)`);
        else if (!/^\d+$/.test(String(r.version)))
          problems.push(`${r.version} (a dotted version; pg-migrate versions are whole numbers)`);
        else add(String(r.version));
      }
      break;
    }
    case 'Prisma Migrate': {
      const { rows } = await client.query(
        `SELECT migration_name, checksum, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back FROM ${table} ORDER BY started_at`,
      );
      for (const r of rows) {
        if (r.rolled_back) continue;
        if (!r.finished)
          problems.push(`${r.migration_name} (failed: \`prisma migrate resolve\` marks it applied or rolled back)`);
        else add(String(r.migration_name), String(r.checksum));
      }
      break;
    }
  }
  return { versions, problems };
}

const asRow = (f: MigrationFile): AppliedRow => ({
  version: f.version,
  name: f.name,
  checksum: f.checksum,
  finished: true,
  statementsDone: null,
  statementsTotal: null,
});

/**
 * The tool whose history table sits where pg-migrate's tracking table should be (dbmate's
 * default `schema_migrations` is pg-migrate's default name too), with how to adopt it.
 */
export async function foreignOccupant(client: Client, t: Tracking): Promise<string | undefined> {
  const found = await findForeignTable(client, [t.schema]);
  if (!found || found.table !== t.table) return undefined;
  return `It is ${found.tool}'s history table. pg-migrate keeps its own: set the \`table\` input to another name (e.g. \`pg_migrate_history\`); the first run then records every migration ${found.tool} applied there as applied, without running it, and leaves ${found.tool}'s table as it is.`;
}

/**
 * What a run records without running, when the tracking table is empty (or missing): every
 * migration up to `baseline`, or the history of another tool's table found in the tracking
 * schema or `public`. Nothing when there is nothing to adopt. Refuses a baseline when
 * migrations are recorded already (a repeated run with the same baseline is a no-op), a
 * baseline that is not a migration in the folder, and a foreign history with failed or
 * unmatched entries, with what to do.
 */
export async function adoption(
  client: Client,
  t: Tracking,
  files: MigrationFile[],
  recorded: AppliedRow[],
  baseline: string | undefined,
): Promise<Adoption | undefined> {
  if (baseline !== undefined) return baselineAdoption(client, t, files, recorded, baseline);
  if (recorded.length > 0) return undefined;
  const schemas = t.schema === 'public' ? ['public'] : [t.schema, 'public'];
  const found = await findForeignTable(client, schemas);
  if (!found || (found.schema === t.schema && found.table === t.table)) return undefined;
  const source = `${found.tool}'s ${found.schema}.${found.table}`;
  const { versions, problems } = await readForeign(client, found);
  const byVersion = new Map(files.map((f) => [versionKey(f.version), f]));
  const adopted = new Map<string, MigrationFile>();
  const warnings: string[] = [];
  const unmatched: string[] = [];
  for (const v of versions) {
    const file = byVersion.get(versionKey(v.version));
    if (!file) unmatched.push(v.label);
    else {
      adopted.set(versionKey(v.version), file);
      // Prisma's checksum is the SHA-256 of migration.sql as applied: pg-migrate's too, for a
      // file without BOM and CRLF.
      if (v.checksum && file.layout === 'prisma' && v.checksum !== file.checksum) {
        warnings.push(
          `${file.up.path} differs from what ${found.tool} applied (checksum; edited, or its line ends changed)`,
        );
      }
    }
  }
  if (unmatched.length > 0)
    problems.push(
      ...unmatched.map((label) => `${label} (recorded there, no migration with its version in the folder)`),
    );
  if (problems.length > 0) {
    throw new UserError(`Found ${source} and could not import it: ${problems.join('; ')}.`, {
      hint: `Fix these entries, or adopt by hand: set \`baseline\` to the newest version ${found.tool} applied (pg-migrate records every migration up to it without running it).`,
    });
  }
  const chosen = files.filter((f) => adopted.has(versionKey(f.version)));
  if (chosen.length === 0) return undefined;
  return { source, files: chosen, rows: chosen.map(asRow), warnings };
}

/** `applied_by` of rows recorded by a baseline: the runner, then this. */
export const baselineSource = (version: string) => `baseline ${version}`;

async function baselineAdoption(
  client: Client,
  t: Tracking,
  files: MigrationFile[],
  recorded: AppliedRow[],
  baseline: string,
): Promise<Adoption | undefined> {
  const at = /^\d+$/.test(baseline) ? BigInt(baseline) : undefined;
  if (at === undefined || !files.some((f) => f.order === at)) {
    throw new UserError(
      `Invalid input 'baseline': ${baseline} is not the version of a migration in the folder; expected the version of the newest migration the database already has.`,
    );
  }
  const chosen = files.filter((f) => f.order <= at);
  if (recorded.length > 0) {
    // Recorded by an earlier run with this same baseline (the input left in the workflow): nothing to do.
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM ${t.qualified} WHERE applied_by LIKE ${literal(`%(${baselineSource(baseline)})`)}`,
    );
    if (rows[0].n === chosen.length) return undefined;
    const newest = recorded.reduce((a, b) => (BigInt(b.version) > BigInt(a.version) ? b : a));
    throw new UserError(
      `Cannot baseline at ${baseline}: ${t.schema}.${t.table} already records ${recorded.length} migration${recorded.length > 1 ? 's' : ''} (newest ${migrationLabel(newest)}). A baseline only adopts a database pg-migrate has not migrated yet; remove the \`baseline\` input.`,
    );
  }
  return { source: baselineSource(baseline), files: chosen, rows: chosen.map(asRow), warnings: [] };
}
