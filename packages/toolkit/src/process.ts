import { UserError } from './errors';
import { redact } from './secrets';

export interface RunProcessOptions {
  /** Environment of the child; secrets go here or through `input`, never in argv. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to the child's stdin, which is then closed. */
  input?: string;
  /** Hard deadline: the whole process group is killed when it passes. */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL on timeout. */
  killGraceMs?: number;
  /** Called with each complete output line, already redacted (for streaming to the log). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Aborting it ends the child the way a timeout does (SIGTERM to the group, then SIGKILL). */
  signal?: AbortSignal;
}

export interface ProcessResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** Splits a text stream into lines (without `\r\n`) for `emit`, keeping the unfinished tail until `end`. */
export function lineSplitter(emit: (line: string) => void) {
  let pending = '';
  return {
    push(chunk: string) {
      pending += chunk;
      let nl = pending.indexOf('\n');
      while (nl !== -1) {
        emit(pending.slice(0, nl).replace(/\r$/, ''));
        pending = pending.slice(nl + 1);
        nl = pending.indexOf('\n');
      }
    },
    end() {
      if (pending !== '') emit(pending);
      pending = '';
    },
  };
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Processes runProcess started that have not ended yet. */
const running = new Set<Promise<ProcessResult>>();

/**
 * Resolves once every process runProcess started has ended, also one nobody awaits any more
 * (its sibling failed first): a step ends after its processes, not before them. Each is
 * bounded by its own timeout.
 */
export async function processesEnded(): Promise<void> {
  while (running.size > 0) await Promise.allSettled([...running]);
}

/**
 * Runs `command` with an argv array (no shell), a hard timeout that kills the whole
 * process group, optional stdin, and captured plus streamed (redacted) output.
 * A command that cannot be started is a UserError naming it.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: RunProcessOptions,
): Promise<ProcessResult> {
  const result = startProcess(command, args, options);
  running.add(result);
  const forget = () => running.delete(result);
  result.then(forget, forget);
  return result;
}

/**
 * Why `command` could not start, as a user error. Node reports a working directory that is a
 * file as a thrown ENOTDIR and one that does not exist as ENOENT, the code of a missing command.
 */
function startError(command: string, cwd: string | undefined, error: NodeJS.ErrnoException): Error {
  const start = `Could not start \`${command}\``;
  if (cwd !== undefined) {
    const { statSync } = process.getBuiltinModule('node:fs');
    const stat = statSync(cwd, { throwIfNoEntry: false });
    if (!stat) return new UserError(`${start}: its working directory ${cwd} does not exist`);
    if (!stat.isDirectory()) return new UserError(`${start}: its working directory ${cwd} is not a directory`);
  }
  if (error.code === 'ENOENT') return new UserError(`${start}: it was not found on PATH`);
  if (error.code === 'EACCES') return new UserError(`${start}: permission denied (is it an executable?)`);
  return error;
}

function startProcess(command: string, args: readonly string[], options: RunProcessOptions): Promise<ProcessResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // Loaded on first use: most steps never start a process, and child_process costs start-up.
    const { spawn } = process.getBuiltinModule('node:child_process');
    let child: import('node:child_process').ChildProcessWithoutNullStreams;
    try {
      child = spawn(command, [...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
    } catch (error) {
      reject(startError(command, options.cwd, error as NodeJS.ErrnoException));
      return;
    }
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const outLines = lineSplitter((line) => options.onLine?.(redact(line), 'stdout'));
    const errLines = lineSplitter((line) => options.onLine?.(redact(line), 'stderr'));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      outLines.push(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      errLines.push(chunk);
    });
    const terminate = () => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 3_000);
      killTimer.unref();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      terminate();
    }, options.timeoutMs);
    const onAbort = () => terminate();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(startError(command, options.cwd, error));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      // Children the command left behind die with it.
      killGroup(child.pid, 'SIGKILL');
      options.signal?.removeEventListener('abort', onAbort);
      outLines.end();
      errLines.end();
      resolve({ code, signal, stdout, stderr, timedOut, durationMs: Date.now() - started });
    });
    child.stdin.on('error', () => {
      // The child may exit without reading its input; that is its answer, not ours to report.
    });
    child.stdin.end(options.input ?? '');
  });
}
