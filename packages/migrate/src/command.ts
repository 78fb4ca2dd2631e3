import { formatDuration, runProcess, UserError } from '@deploy-actions/toolkit';
import type { Client } from 'pg';
import { close, connect, loginPid, poolerReason } from './db';
import { type FlyAccess, runAppMigrator, withFlyPostgresTunnel } from './fly';
import { acquire, type HeldLock, lockKey, release } from './lock';
import { tracking } from './tracking';
import type { MigrateLogger } from './types';
import { registerDatabaseUrl, requireDatabaseName } from './url';

/**
 * Shell syntax a command would need a shell for. `flyctl ssh console -C <command>` sends the
 * string as an SSH exec request (superfly/flyctl@v0.4.87 internal/command/ssh/console.go:194,
 * ssh/io.go:92 `sess.Run(cmd)`); on a Fly machine the SSH server splits it into words and execs
 * them, without a shell (flyctl issues #1220, #1442), so these would reach the program as words.
 * On the runner the command is exec'd as argv the same way, so one rule holds for both.
 */
const SHELL_SYNTAX: [RegExp, string][] = [
  [/&&|\|\|/, 'a command list (&& or ||)'],
  [/[|]/, 'a pipe (|)'],
  [/;/, 'a command separator (;)'],
  [/[<>]/, 'a redirect (< or >)'],
  [/&/, 'a background job (&)'],
  [/\$/, 'a variable or substitution ($)'],
  [/`/, 'a command substitution (`)'],
  [/[*?[\]]/, 'a glob (* ? [)'],
  [/^~|[\s]~/, 'a home directory (~)'],
  [/[()]/, 'a subshell or group ( )'],
  [/^[A-Za-z_][A-Za-z0-9_]*=/, 'a variable assignment (NAME=value before the command)'],
];

/** The command as one argument of `sh -c`, single-quoted. */
export const shForm = (command: string) => `sh -c '${command.replace(/'/g, `'\\''`)}'`;

/**
 * Splits `command` into argv as the machine's SSH server does: words at white space, single
 * and double quotes grouping (and removed), a backslash escaping the next character, nothing
 * expanded. Shell syntax outside single quotes (`$` also inside double quotes) is refused with
 * the `sh -c '...'` form that asks for a shell by name.
 */
export function commandArgv(command: string, input = 'command'): string[] {
  const words: string[] = [];
  /** The text outside quotes, and inside double quotes for `$` and backticks. */
  let bare = '';
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else {
        if (quote === '"' && (c === '$' || c === '`')) bare += c;
        if (c === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
        else word += c;
      }
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      bare += ' ';
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
      bare += ' ';
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      bare += ' ';
    } else {
      word += c;
      inWord = true;
      bare += c;
    }
  }
  if (quote) throw new UserError(`Invalid input '${input}': a ${quote} quote is never closed`);
  if (inWord) words.push(word);
  if (words.length === 0) throw new UserError(`Invalid input '${input}': expected a command, got only white space`);
  for (const [pattern, what] of SHELL_SYNTAX) {
    if (pattern.test(bare.trim())) {
      throw new UserError(
        `Invalid input '${input}': it uses shell syntax (${what}), but no shell runs it: the command is split into words and executed as they are, on the runner and by \`flyctl ssh console -C\` on a Fly machine.`,
        { hint: `Ask for a shell by name: ${input}: ${shForm(command)}` },
      );
    }
  }
  return words;
}

export interface LockOptions {
  schema?: string;
  table?: string;
  lockWaitMs?: number;
  allowPooler?: boolean;
  /** Names this runner to others waiting for the lock. */
  appliedBy?: string;
  logger: MigrateLogger;
}

/**
 * Runs `work` holding pg-migrate's migration lock for `schema.table` (its run and work locks,
 * taken as a pg-migrate run takes them), so a team's own migrator and pg-migrate runs of other
 * jobs never migrate the same database at once.
 */
export async function withMigrationLock<T>(url: string, options: LockOptions, work: () => Promise<T>): Promise<T> {
  requireDatabaseName(url);
  const t = tracking(options.schema ?? 'public', options.table ?? 'schema_migrations');
  const waitMs = options.lockWaitMs ?? 120_000;
  const deadline = Date.now() + waitMs;
  let client: Client | undefined;
  let held: HeldLock | undefined;
  try {
    client = await connect({
      url,
      applicationName: `pg-migrate ${options.appliedBy ?? ''} (lock for a command)`.replace(/\s+/g, ' '),
      deadline: Date.now() + 60_000,
    });
    // The key a pg-migrate run holds while it migrates, taken the same way (a pooler found by the
    // pid it made up at login is refused unless allowed).
    held = await acquire(client, lockKey(t, 'work'), {
      deadline,
      waitMs,
      what: `the migration lock on ${t.schema}.${t.table}`,
      loginPid: loginPid(client),
      allowPooler: options.allowPooler ?? false,
      urlHint: poolerReason(url),
      onWait: () =>
        options.logger.info(`Waiting up to ${formatDuration(waitMs)} for another runner's migration lock...`),
    });
    options.logger.info(`Holding the migration lock on ${t.schema}.${t.table} while the command runs.`);
    return await work();
  } finally {
    if (client) {
      if (held) await release(client, held).catch(() => undefined);
      await close(client);
    }
  }
}

export interface LocalCommandResult {
  durationMs: number;
  /** The last lines the command printed, for the summary. */
  tail: string;
}

/** Environment variables the migrator must not see: the action's inputs and Fly tokens. */
const HIDDEN_ENV = /^(INPUT_|FLY_API_TOKEN$|FLY_ACCESS_TOKEN$)/;

/**
 * Runs the team's migrator on the runner: `argv` exec'd (no shell) in `cwd` with
 * `DATABASE_URL` set to `databaseUrl` (a tunnel's, through `fly proxy`), output streamed to
 * the log (redacted, through the log boundary). A non-zero exit fails with the output's tail.
 */
export async function runLocalCommand(
  argv: string[],
  databaseUrl: string,
  options: { cwd: string; timeoutMs?: number; logger: MigrateLogger },
): Promise<LocalCommandResult> {
  registerDatabaseUrl(databaseUrl);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!HIDDEN_ENV.test(name)) env[name] = value;
  env.DATABASE_URL = databaseUrl;
  options.logger.info(`Running ${argv[0]} with DATABASE_URL set...`);
  const run = await runProcess(argv[0], argv.slice(1), {
    cwd: options.cwd,
    env,
    timeoutMs: options.timeoutMs ?? 30 * 60_000,
    onLine: (line) => options.logger.info(line),
  });
  const tail = `${run.stdout}${run.stderr ? `\n${run.stderr}` : ''}`.trim().split('\n').slice(-30).join('\n');
  if (run.code !== 0) {
    throw new UserError(
      `The migration command failed (${run.timedOut ? 'timed out' : run.signal ? `killed by ${run.signal}` : `exit ${run.code}`}): ${argv[0]}`,
      { hint: tail ? `Last output:\n${tail}` : undefined },
    );
  }
  options.logger.info(`Migration command finished in ${formatDuration(run.durationMs)}`);
  return { durationMs: run.durationMs, tail };
}

export interface CommandModeOptions {
  /** The migrator's command line (split into argv; shell syntax refused). */
  command: string;
  /** Run it on a machine of this Fly app (`flyctl ssh console -C`) instead of on the runner. */
  app?: string;
  /** On the runner: the database, given to the command as DATABASE_URL. With `app`: only locked. */
  databaseUrl?: string;
  /** Reach `databaseUrl` through a `flyctl proxy` tunnel to this Fly Postgres app. */
  flyPostgresApp?: string;
  fly: FlyAccess;
  /** Where the command runs on the runner (the workspace). */
  cwd: string;
  lock: LockOptions;
}

export interface CommandModeResult {
  durationMs: number;
  tail: string;
  /** Where it ran, for the summary: `the runner` or `a machine of <app>`. */
  where: string;
  /** Whether pg-migrate's migration lock was held while it ran. */
  locked: boolean;
}

/**
 * Runs a team's own migrator: on the runner with DATABASE_URL (through a `fly proxy` tunnel
 * when asked), or on a machine of `app` for a migrator inside the image; under pg-migrate's
 * migration lock whenever a database URL is given.
 */
export async function runMigrationCommand(options: CommandModeOptions): Promise<CommandModeResult> {
  const argv = commandArgv(options.command);
  const { databaseUrl, flyPostgresApp, app } = options;
  if (!app && !databaseUrl) {
    throw new UserError(
      "Input 'database-url' is required with 'command' (the command gets it as DATABASE_URL), unless 'app' is set to run the command on a machine of that Fly app",
    );
  }
  const run = async (url: string | undefined): Promise<CommandModeResult> => {
    const go = async () =>
      app
        ? { ...(await runAppMigrator(app, options.command, options.fly)), where: `a machine of ${app}` }
        : {
            ...(await runLocalCommand(argv, url!, { cwd: options.cwd, logger: options.lock.logger })),
            where: 'the runner',
          };
    if (!url) return { ...(await go()), locked: false };
    return { ...(await withMigrationLock(url, options.lock, go)), locked: true };
  };
  if (databaseUrl && flyPostgresApp) return withFlyPostgresTunnel(flyPostgresApp, databaseUrl, options.fly, run);
  return run(databaseUrl);
}
