import { type ProcessResult, redact, registerSecret, runProcess, UserError } from '@deploy-actions/toolkit';
import type { z } from 'zod';
import { flyEnv, noTokenError } from './env';
import { FlyError, flyErrorMessage } from './errors';

export interface FlyOptions {
  /** Fly API token; passed to flyctl as FLY_API_TOKEN in its environment, never in argv. */
  token: string;
  /** flyctl executable (a path, or a name looked up on PATH). */
  bin?: string;
  /** Base environment for flyctl; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Default hard timeout per command. */
  timeoutMs?: number;
  /** Streams each output line (already redacted), e.g. to the job log. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunOptions {
  /** Text written to flyctl's stdin (how secret values travel). */
  input?: string;
  timeoutMs?: number;
  cwd?: string;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Return a failed result instead of throwing FlyError. */
  allowFailure?: boolean;
  /** Do not stream stdout lines (JSON documents are data, not log); stderr still streams. */
  quietStdout?: boolean;
  /** Aborting it stops flyctl as a timeout does (its whole process group). */
  signal?: AbortSignal;
}

export interface FlyRun extends ProcessResult {
  /** The flyctl subcommand for messages, e.g. `secrets import`. */
  command: string;
  /** flyctl's error message when it failed, else ''. */
  errorMessage: string;
}

/** Flags whose value may be secret: shown as NAME=*** in anything we print about a command. */
const SECRET_VALUE_FLAGS = new Set(['--build-secret', '--build-arg', '--env', '-e']);

/** A command line for logs: values of secret-bearing flags replaced by `***`. */
export function describeArgs(args: readonly string[]): string {
  const shown: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    shown.push(arg);
    if (SECRET_VALUE_FLAGS.has(arg) && i + 1 < args.length) {
      const value = args[++i];
      const eq = value.indexOf('=');
      shown.push(eq === -1 ? '***' : `${value.slice(0, eq)}=***`);
    }
  }
  return `flyctl ${shown.join(' ')}`;
}

/**
 * What of flyctl's output may reach the job log. flyctl's own `::error` annotation is
 * dropped: callers report the failure themselves, with context, once (and an expected
 * "app not found" probe must not mark the job). Any other line that would be read as a
 * workflow command is indented, so flyctl's (or a build's) output can never issue one.
 */
export function forLog(line: string): string | undefined {
  if (line.startsWith('::error title=flyctl error::')) return undefined;
  return line.startsWith('::') ? ` ${line}` : line;
}

/** The subcommand words of an argv (`secrets import` from `secrets import --app x`). */
function commandName(args: readonly string[]): string {
  const words: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-') || words.length === 2) break;
    words.push(arg);
  }
  return words.join(' ');
}

/**
 * One flyctl, configured once: the token in its env, hygiene switches set, every
 * command under a hard timeout that kills flyctl's whole process group.
 */
export class Fly {
  readonly bin: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly options: FlyOptions;

  constructor(options: FlyOptions) {
    if (!options.token?.trim()) throw noTokenError();
    registerSecret(options.token);
    this.options = options;
    this.bin = options.bin ?? 'flyctl';
    this.env = flyEnv(options.env ?? process.env, options.token.trim());
  }

  /** Runs flyctl with `args`; throws FlyError (classified) when it fails, unless `allowFailure`. */
  async run(args: readonly string[], options: RunOptions = {}): Promise<FlyRun> {
    for (const arg of args) {
      if (arg.includes('\0')) throw new UserError('A flyctl argument contains a NUL character');
    }
    const onLine = options.onLine ?? this.options.onLine;
    onLine?.(redact(`[command]${describeArgs(args)}`), 'stdout');
    const result = await runProcess(this.bin, args, {
      env: this.env,
      cwd: options.cwd ?? this.options.cwd,
      input: options.input,
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? this.options.timeoutMs ?? 120_000,
      onLine: onLine
        ? (line, stream) => {
            if (stream === 'stdout' && options.quietStdout) return;
            const shown = forLog(line);
            if (shown !== undefined) onLine(shown, stream);
          }
        : undefined,
    });
    const failed = result.code !== 0 || result.timedOut;
    const run: FlyRun = {
      ...result,
      command: commandName(args),
      errorMessage: failed ? flyErrorMessage(result.stderr, result.stdout) : '',
    };
    if (failed && !options.allowFailure) throw this.failure(run);
    return run;
  }

  /** Runs a `--json` command and parses its stdout with `schema`. */
  async json<S extends z.ZodType>(args: readonly string[], schema: S, options: RunOptions = {}): Promise<z.output<S>> {
    const run = await this.run(args, { quietStdout: true, ...options });
    let data: unknown;
    try {
      data = JSON.parse(run.stdout.trim() === '' ? 'null' : run.stdout);
    } catch {
      throw new FlyError({
        command: run.command,
        exitCode: run.code,
        kind: 'permanent',
        flyMessage: `printed output that is not JSON: ${run.stdout.trim().slice(0, 200)}`,
      });
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FlyError({
        command: run.command,
        exitCode: run.code,
        kind: 'permanent',
        flyMessage: `printed JSON of an unexpected shape (${issue?.path.join('.') || 'top level'}: ${issue?.message})`,
      });
    }
    return parsed.data;
  }

  /** The error for a failed run: flyctl's own message, classified transient or permanent. */
  failure(run: FlyRun): FlyError {
    return new FlyError({
      command: run.command,
      flyMessage: run.timedOut ? run.errorMessage || 'killed after its timeout' : run.errorMessage,
      exitCode: run.code,
      timedOut: run.timedOut,
    });
  }
}
