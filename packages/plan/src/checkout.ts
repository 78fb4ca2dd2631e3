import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type MigrationFile, readMigrations } from '@deploy-actions/migrate';
import { parseDotenv } from '@deploy-actions/secrets-sync';
import { UserError } from '@deploy-actions/toolkit';

/** Where the pieces of a plan sit inside a checkout (paths relative to it). */
export interface CheckoutLayout {
  migrationsDir: string;
  flyConfig: string;
  /** A dotenv-style file declaring the secrets the pipeline syncs; only its names are read. */
  secretNamesFile?: string;
}

/** What a plan needs from one checkout (the pull request's base or head). */
export interface Checkout {
  migrations: MigrationFile[];
  flyToml: string;
  secretNames: string[];
}

/**
 * Reads one checkout. A missing migrations folder, fly.toml or names file is empty (the pull
 * request may add it); a file that exists but cannot be parsed is an error naming it.
 */
export function readCheckout(dir: string, layout: CheckoutLayout, which: 'base' | 'head'): Checkout {
  const root = resolve(dir);
  if (!existsSync(root)) {
    throw new UserError(`The ${which} checkout ${dir} does not exist`, {
      hint: `Check out the pull request's ${which} commit there (actions/checkout with path:) before this step.`,
    });
  }
  const migrationsDir = join(root, layout.migrationsDir);
  const flyPath = join(root, layout.flyConfig);
  return {
    migrations: existsSync(migrationsDir) ? readMigrations(migrationsDir, root) : [],
    flyToml: existsSync(flyPath) ? readFileSync(flyPath, 'utf8') : '',
    secretNames: layout.secretNamesFile ? readSecretNames(root, layout.secretNamesFile) : [],
  };
}

/**
 * The names a dotenv-style file declares. Lines may be `NAME` alone (a names list) or
 * `NAME=value`: values are dropped as soon as the line is parsed and never leave this function.
 */
export function readSecretNames(root: string, file: string): string[] {
  const path = join(root, file);
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .map((line) => (/^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*$/.test(line) ? `${line.trim()}=` : line))
    .join('\n');
  return [...new Set(parseDotenv(text, file).entries.map((e) => e.name))].sort();
}
