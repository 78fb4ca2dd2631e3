/**
 * The deployed commit's CI as a `--repo` rehearsal seeds it in the local GitHub API: check runs
 * (`--check NAME=conclusion`) and commit statuses (`--status CONTEXT=state`), each optionally pending
 * for a while first (`NAME=success@20s`: still running when the run starts, green 20 s later), so a
 * `require-checks` job sees what it would on GitHub: passed, failed, or pending within its wait.
 */
import type { GitHubApi } from '@deploy-actions/testkit/github-api';
import { RehearsalError } from './errors';

/** Conclusions of a completed check run (components/schemas/check-run in GitHub's REST description). */
const CONCLUSIONS = ['success', 'failure', 'neutral', 'cancelled', 'skipped', 'timed_out', 'action_required', 'stale'];
/** States of a commit status (repos/create-commit-status). */
const STATES = ['success', 'failure', 'error', 'pending'];
/** The longest delay accepted: require-checks waits at most 6 h, a rehearsal far less. */
const MAX_DELAY_S = 3600;

export interface SeededCheck {
  kind: 'check' | 'status';
  /** The check run's name or the status's context. */
  name: string;
  /** The final conclusion (check) or state (status); `pending` stays pending. */
  result: string;
  /** Seconds after the run starts at which a pending check reaches `result`; 0 when it is there from the start. */
  afterS: number;
}

/**
 * Parses the value of `--check` / `--status`: `NAME=RESULT` or `NAME=RESULT@<seconds>s`. The name
 * is everything before the last `=` sign, so a context such as `ci/build` or `tests (node 24)` works.
 */
export function parseSeededCheck(flag: '--check' | '--status', value: string | undefined): SeededCheck {
  const kind = flag === '--check' ? 'check' : 'status';
  const allowed = kind === 'check' ? [...CONCLUSIONS, 'pending'] : STATES;
  const usage = `${flag} needs ${kind === 'check' ? 'NAME' : 'CONTEXT'}=RESULT or =RESULT@<seconds>s with RESULT one of ${allowed.join(', ')}`;
  const at = value?.lastIndexOf('=') ?? -1;
  if (!value || at < 1) throw new RehearsalError(`${usage}, got ${JSON.stringify(value ?? '')}`);
  const name = value.slice(0, at).trim();
  if (!name || name.length > 255 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new RehearsalError(`${flag}: the name must be 1 to 255 printable characters, got ${JSON.stringify(name)}`);
  }
  const m = /^([a-z_]+)(?:@(\d{1,4})s)?$/.exec(value.slice(at + 1));
  if (!m || !allowed.includes(m[1])) throw new RehearsalError(`${usage}, got ${JSON.stringify(value.slice(at + 1))}`);
  const afterS = Number(m[2] ?? 0);
  if (m[2] !== undefined && (afterS < 1 || afterS > MAX_DELAY_S || m[1] === 'pending')) {
    throw new RehearsalError(
      `${flag} ${name}: @<seconds>s must be 1 to ${MAX_DELAY_S} and lead to a final result, got ${JSON.stringify(value.slice(at + 1))}`,
    );
  }
  return { kind, name, result: m[1], afterS };
}

/**
 * Seeds `checks` on `sha` as GitHub would show them when the run starts; a delayed one moves on
 * from pending to its result later. Returns a function that cancels the moves not yet made.
 */
export function seedChecks(api: GitHubApi, sha: string, checks: SeededCheck[]): () => void {
  const timers: NodeJS.Timeout[] = [];
  const later = (afterS: number, move: () => void) => {
    const timer = setTimeout(move, afterS * 1000);
    timer.unref();
    timers.push(timer);
  };
  for (const check of checks) {
    const pendingFirst = check.afterS > 0;
    if (check.kind === 'check') {
      const final = check.result !== 'pending' && !pendingFirst;
      const run = api.seedCheckRun({
        sha,
        name: check.name,
        status: final ? 'completed' : 'in_progress',
        conclusion: final ? (check.result as 'success') : null,
      });
      if (pendingFirst) {
        later(check.afterS, () =>
          api.updateCheckRun(run.id, { status: 'completed', conclusion: check.result as 'success' }),
        );
      }
    } else {
      const state = pendingFirst ? 'pending' : (check.result as 'success');
      api.seedCommitStatus({ sha, context: check.name, state, description: `rehearsal: ${state}` });
      if (pendingFirst) {
        later(check.afterS, () =>
          api.seedCommitStatus({
            sha,
            context: check.name,
            state: check.result as 'success',
            description: `rehearsal: ${check.result}`,
          }),
        );
      }
    }
  }
  return () => {
    for (const timer of timers) clearTimeout(timer);
  };
}

/** How a run's seeded checks read in its label and the report. */
export function describeChecks(checks: SeededCheck[]): string {
  return checks
    .map((c) => `${c.kind} ${c.name}=${c.afterS > 0 ? `pending, then ${c.result} after ${c.afterS}s` : c.result}`)
    .join('; ');
}
