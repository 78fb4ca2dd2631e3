import { UserError } from '@deploy-actions/toolkit';

export type FailureKind = 'transient' | 'permanent';

/** Messages of failures that a later attempt can get past (platform busy, network blips). */
const TRANSIENT: readonly RegExp[] = [
  // Leases held by another deploy: the deploy path says `failed to get lease on VM <id>: ...`
  // (superfly/fly-go@v0.9.5 flaps/flaps_machines.go:294), the recovery path wraps it in
  // `failed to acquire leases: ...` (flyctl@v0.4.87 plan.go:212), other commands say
  // `failed to obtain lease: ...` (internal/machine/lease.go:108), a refused one
  // `did not acquire lease ...` (leasable_machine.go:526,547). The server's own text starts
  // `lease currently held by` (plan.go:272).
  /failed to get lease on VM/i,
  /failed to acquire leases?/i,
  /failed to obtain lease/i,
  /lease currently held by/i,
  /did not acquire lease/i,
  /\b429\b/,
  /rate.?limit/i,
  /too many requests/i,
  /connection reset/i,
  /ECONNRESET/,
  /broken pipe/i,
  /\bEOF\b/,
  /timeout awaiting response headers|Client\.Timeout exceeded/i,
  /i\/o timeout/i,
  /\b50[234]\b.*(bad gateway|unavailable|gateway timeout)|(bad gateway|service unavailable|gateway timeout)/i,
  /temporary failure in name resolution/i,
];

/** flyctl's ways of saying the app does not exist. */
const APP_NOT_FOUND = /could not find app|could not be found|app not found/i;

/**
 * Messages that no retry can fix; checked first so "health checks timed out ... request canceled"
 * is never mistaken for a blip. (flyctl's own "Unrecoverable error:" prefix is not here: it wraps
 * lease conflicts, which do clear up.)
 */
const PERMANENT: readonly RegExp[] = [
  APP_NOT_FOUND,
  /unauthori[sz]ed|not authorized|no access token available|authentication required/i,
  /failed to fetch an image or build from source|could not find image|build failed|failed to build/i,
  /release command failed/i,
  /timeout reached waiting for health checks|health checks? (timed out|failed)/i,
  /smoke checks for .* failed/i,
  /invalid|not valid|unknown flag|unknown command/i,
];

/**
 * Decides whether a failed flyctl run is worth another attempt. Exit 127 (interrupted)
 * is never transient: we or the runner stopped it.
 */
export function classifyFailure(message: string, exitCode: number | null): FailureKind {
  if (exitCode === 127) return 'permanent';
  if (PERMANENT.some((re) => re.test(message))) return 'permanent';
  if (TRANSIENT.some((re) => re.test(message))) return 'transient';
  return 'permanent';
}

/**
 * flyctl's own error text: its `Error: ...` line and what follows it on stderr
 * (description, suggestion), without ANSI codes or our annotations. flyctl prints its
 * error last (superfly/flyctl@v0.4.87 internal/cli/cli.go:162-183), after any build log or
 * release-command log, which may hold `Error:` lines of their own; so the last `Error:`
 * line counts, except inside the app log lines a smoke-check suggestion ends with
 * (internal/command/deploy/machines_deploymachinesapp.go:1494-1501).
 */
export function flyErrorMessage(stderr: string, stdout = ''): string {
  const clean = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
  const lines = clean(stderr).split(/\r?\n/);
  const appLogs = lines.findIndex((line) => /^Check its logs: here's the last lines below/.test(line));
  const searchable = appLogs === -1 ? lines.length : appLogs;
  let start = -1;
  for (let i = searchable - 1; i >= 0; i--) {
    if (lines[i].startsWith('Error:')) {
      start = i;
      break;
    }
  }
  if (start !== -1) {
    return lines
      .slice(start)
      .filter((line) => line.trim() !== '')
      .join('\n')
      .replace(/^Error:\s*/, '')
      .trim();
  }
  const annotation = clean(stdout)
    .split(/\r?\n/)
    .find((line) => line.startsWith('::error'));
  if (annotation) return annotation.replace(/^::error[^:]*::/, '').replace(/⏎/g, '\n');
  const tail = lines.filter((line) => line.trim() !== '').slice(-5);
  return tail.join('\n').trim();
}

/** A failed flyctl command, with flyctl's message kept for the summary. */
export class FlyError extends UserError {
  override name = 'FlyError';
  readonly kind: FailureKind;
  /** flyctl's own message, for summaries. */
  readonly flyMessage: string;
  readonly exitCode: number | null;
  /** The flyctl subcommand, e.g. `deploy` or `secrets import`. */
  readonly command: string;
  readonly timedOut: boolean;
  constructor(options: {
    command: string;
    flyMessage: string;
    exitCode: number | null;
    kind?: FailureKind;
    timedOut?: boolean;
    hint?: string;
  }) {
    const why = options.timedOut ? 'did not finish in time' : `failed (exit ${options.exitCode ?? 'signal'})`;
    super(`flyctl ${options.command} ${why}: ${options.flyMessage || 'no error message'}`, { hint: options.hint });
    this.command = options.command;
    this.flyMessage = options.flyMessage;
    this.exitCode = options.exitCode;
    this.timedOut = options.timedOut ?? false;
    this.kind = options.kind ?? (this.timedOut ? 'permanent' : classifyFailure(options.flyMessage, options.exitCode));
  }
}

export function isTransient(error: unknown): boolean {
  return error instanceof FlyError && error.kind === 'transient';
}

/** True when flyctl says the app does not exist (idempotent teardown treats this as done). */
export function isAppNotFound(message: string): boolean {
  return APP_NOT_FOUND.test(message);
}
