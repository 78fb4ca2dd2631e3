import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isRunnerVariable, RUNNER_VARIABLE_PREFIXES, registerSecret, UserError } from '@deploy-actions/toolkit';
import { parseDotenv, SECRET_NAME } from './dotenv';

export interface SourceOptions {
  /** Multi-line dotenv text (the `secrets` input). */
  secrets?: string;
  /** Path of a dotenv file, relative to `cwd`. */
  envFile?: string;
  /** Take every environment variable with this prefix, prefix removed. */
  envPrefix?: string;
  env?: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Declared {
  values: Map<string, string>;
  /** Where each name's value came from, e.g. `env-file .env.production`. */
  origin: Map<string, string>;
  /** Names declared more than once (saying where; the last one wins), a prefix matching nothing. */
  warnings: string[];
}

/** Token variables flyctl itself reads: never synced as app secrets by a prefix. */
const FLYCTL_TOKENS = new Set(['FLY_API_TOKEN', 'FLY_ACCESS_TOKEN']);

/**
 * A prefix names a family of variables the workflow sets on purpose (`FLY_SECRET_`): at least
 * 3 characters and ending in `_`, so that `G` or `A` cannot sweep up the job's environment.
 */
export const ENV_PREFIX = /^[A-Za-z][A-Za-z0-9_]*_$/;
export const ENV_PREFIX_EXPECTED = 'a variable-name prefix of at least 3 characters ending in `_`, such as FLY_SECRET_';

/** Why `prefix` cannot be used as an env-prefix, or undefined when it can. */
export function envPrefixProblem(prefix: string): string | undefined {
  if (prefix.length < 3 || !ENV_PREFIX.test(prefix)) return `expected ${ENV_PREFIX_EXPECTED}`;
  if (isRunnerVariable(prefix) || FLYCTL_TOKENS.has(prefix.slice(0, -1)))
    return `it names the runner's own variables (${RUNNER_VARIABLE_PREFIXES.join(', ')}), which are never synced`;
  return undefined;
}

/** True for a variable that no prefix may take. */
function neverSynced(key: string): boolean {
  return FLYCTL_TOKENS.has(key) || isRunnerVariable(key);
}

/**
 * `true`, `1` and the like carry no secret on their own; masking them would hide every
 * such word in the job log and in outputs (`staged=true`), so they are not registered.
 */
const TOO_COMMON = /^(true|false|yes|no|on|off|null|none|enabled|disabled)$/i;

/**
 * Registers a declared value (and each of its lines) before anything can print it.
 * A value that is part of a secret name (`PROD` beside `PROD_DB_URL`) is printed with
 * every name anyway; masking it would garble the names and refuse the name outputs.
 */
export function registerValue(value: string, names: Iterable<string> = []): void {
  const t = value.trim();
  if (t.length < 3 || TOO_COMMON.test(t)) return;
  for (const name of names) if (name.includes(t)) return;
  registerSecret(value);
}

/**
 * Collects the declared secrets from env-file, then env-prefix, then the `secrets`
 * text; a name declared again keeps the last value, with a warning. Every value read
 * is registered as a secret before this returns or throws (nothing is logged meanwhile).
 */
export function collectDeclared(options: SourceOptions): Declared {
  const values = new Map<string, string>();
  const origin = new Map<string, string>();
  const declaredIn = new Map<string, string[]>();
  const warnings: string[] = [];
  const read: string[] = [];
  const add = (name: string, value: string, from: string) => {
    read.push(value);
    values.set(name, value);
    origin.set(name, from);
    declaredIn.set(name, [...(declaredIn.get(name) ?? []), from]);
  };
  try {
    collect(options, add, warnings);
  } finally {
    for (const value of read) registerValue(value, values.keys());
  }

  const empty = [...values].filter(([, v]) => v === '').map(([n]) => `${n} (${origin.get(n)})`);
  if (empty.length > 0) {
    throw new UserError(`Empty secret values: ${empty.join(', ')}`, {
      hint: 'Fly cannot store an empty secret. An empty value often means a GitHub secret is missing or misspelled.',
    });
  }
  for (const [n, where] of declaredIn) {
    if (where.length > 1)
      warnings.push(`${n} is declared ${where.length} times (${where.join(', ')}); the last value wins`);
  }
  return { values, origin, warnings };
}

type Add = (name: string, value: string, from: string) => void;

function collect(options: SourceOptions, add: Add, warnings: string[]): void {
  const addDotenv = (text: string, from: string) => {
    for (const e of parseDotenv(text, from).entries) add(e.name, e.value, `${from} line ${e.line}`);
  };

  if (!options.secrets && !options.envFile && !options.envPrefix) {
    throw new UserError('Nothing to sync: set at least one of the inputs secrets, env-file or env-prefix');
  }
  if (options.envFile) {
    const path = resolve(options.cwd, options.envFile);
    if (!existsSync(path)) throw new UserError(`Input 'env-file': file not found: ${options.envFile}`);
    addDotenv(readFileSync(path, 'utf8'), `env-file ${options.envFile}`);
  }
  if (options.envPrefix) {
    const prefix = options.envPrefix;
    const problem = envPrefixProblem(prefix);
    if (problem) throw new UserError(`Invalid input 'env-prefix': got ${JSON.stringify(prefix)}; ${problem}`);
    const env = options.env ?? process.env;
    let matched = 0;
    for (const key of Object.keys(env).sort()) {
      if (!key.startsWith(prefix) || neverSynced(key)) continue;
      const name = key.slice(prefix.length);
      if (!SECRET_NAME.test(name)) {
        throw new UserError(
          `Environment variable ${key}: the name after the prefix ${prefix} is not a valid secret name`,
        );
      }
      add(name, env[key] ?? '', `env ${key}`);
      matched++;
    }
    if (matched === 0) warnings.push(`No environment variable starts with the env-prefix ${prefix}`);
  }
  if (options.secrets) addDotenv(options.secrets, "input 'secrets'");
}
