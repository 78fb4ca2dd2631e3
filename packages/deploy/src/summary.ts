import { errorMessage, escapeMarkdown, formatDuration, Summary } from '@deploy-actions/toolkit';
import type { DeployAppOutcome } from './deploy-app';
import type { DeployFile } from './deploy-file';
import { describeCrash } from './fleet';

const version = (v: number | null | undefined) => (v ? `v${v}` : '');
/** Text for inside a code span: shown as is (escapes would be copied along), minus backticks. */
const code = (text: string) => `\`${text.replace(/`/g, '')}\``;

/** The job summary of a deploy: what runs now, what ran before, and what to do if it failed. */
export function deploySummary(outcome: DeployAppOutcome, record: DeployFile, durationMs: number): Summary {
  const s = new Summary();
  const app = escapeMarkdown(outcome.app);
  if (outcome.result === 'unchanged') {
    s.heading(`Fly deploy: nothing to do for ${app}`);
    s.text(`The app already runs ${code(outcome.imageRef)} as release ${version(outcome.release?.version)}.`);
  } else if (outcome.result === 'success' && outcome.convergence === 'deployed-but-flyctl-failed') {
    s.heading(
      `Fly deploy: ${app} release ${version(outcome.release?.version)} reached every machine, but flyctl failed`,
    );
  } else if (outcome.result === 'success') {
    // Only the health gate after this step can say the release works; a failed gate rolls it back.
    s.heading(`Fly deploy: ${app} release ${version(outcome.release?.version)} deployed; not yet verified`);
  } else {
    s.heading(`Fly deploy failed: ${app}`);
  }
  s.facts([
    ['App', outcome.app],
    [
      'Release',
      outcome.release
        ? `${version(outcome.release.version)}${outcome.result === 'failure' ? ' failed' : ''} (${outcome.release.id})`
        : '',
    ],
    ['Image', outcome.imageRef],
    ['Strategy', record.strategy],
    ['Duration', formatDuration(durationMs)],
    ['URL', outcome.appUrl],
    [
      'Previous release',
      outcome.previous ? `${version(outcome.previous.version)} ${outcome.previous.imageRef}` : 'none',
    ],
  ]);
  if (outcome.convergence) s.text(convergenceText(outcome));
  if (outcome.fleet.length > 0 && outcome.result !== 'unchanged') {
    s.table(
      ['Machine', 'Group', 'Region', 'State', 'Release', 'New release'],
      outcome.fleet.map((m) => [m.id, m.group, m.region, m.state, version(m.release), m.current ? 'yes' : 'no']),
    );
  }
  if (outcome.crash) {
    s.text(`**Crashed during the deploy:** ${escapeMarkdown(describeCrash(outcome.crash))}.`);
    if (outcome.crash.logs.length > 0) s.code(outcome.crash.logs.join('\n'));
    else
      s.text(
        `flyctl could not read its logs: run ${code(`flyctl logs --app ${outcome.app} --machine ${outcome.crash.machine}`)}.`,
      );
  }
  if (outcome.attempts.length > 1) {
    s.table(
      ['Attempt', 'Result', 'flyctl said'],
      outcome.attempts.map((a) => [a.attempt, a.ok ? 'deployed' : `${a.kind} failure`, a.message ?? '']),
    );
  }
  if (outcome.result === 'failure' && outcome.error) {
    s.text(`**What failed:** ${escapeMarkdown(outcome.failedStep ?? 'deploy')} (${outcome.error.kind}).`);
    s.code(outcome.error.flyMessage || outcome.error.message);
    const touched = outcome.attempts.some((a) => a.machinesTouched);
    if (outcome.previous?.imageRef && touched) {
      s.text(
        `Machines were changed before it failed. **auto-rollback** can restore the previous release ` +
          `${version(outcome.previous.version)}: ${code(`flyctl deploy --app ${outcome.app} --image ${outcome.previous.imageRef}`)}.`,
      );
    } else if (outcome.previous?.imageRef) {
      s.text(
        `No machine was changed: the app still runs ${version(outcome.previous.version)}. ` +
          'auto-rollback can restore it if anything looks wrong.',
      );
    }
  }
  return s;
}

/** The summary of a destroyed preview app. */
export function destroySummary(
  app: string,
  destroyed: boolean,
  why: string,
  database?: { name: string; dropped: boolean },
): Summary {
  const summary = new Summary()
    .heading(`Fly deploy: ${destroyed ? 'destroyed' : 'nothing to destroy for'} ${escapeMarkdown(app)}`)
    .text(destroyed ? `The app was destroyed because ${why}.` : `The app was already gone (${why}); nothing to do.`);
  if (database) {
    summary.text(
      database.dropped
        ? `**Database:** ${escapeMarkdown(database.name)} was dropped.`
        : `**Database:** ${escapeMarkdown(database.name)} was already gone.`,
    );
  }
  return summary;
}

/** One line on the preview's database for the deploy summary. */
export function databaseLine(database: { name: string; created: boolean; applied: string[]; seeded: boolean }): string {
  const parts = [
    database.created ? 'created' : 'existing',
    database.applied.length ? `migrations applied: ${database.applied.join(', ')}` : 'no migrations pending',
  ];
  if (database.seeded) parts.push('seeded');
  return `**Database:** ${escapeMarkdown(database.name)} (${escapeMarkdown(parts.join('; '))})`;
}

/** The summary of a run that stopped before or around the deploy (bad input, missing token, flyctl failing). */
export function stoppedSummary(app: string, error: unknown): Summary {
  return new Summary()
    .heading(`Fly deploy stopped${app ? `: ${escapeMarkdown(app)}` : ''}`)
    .text('Nothing was deployed. The step stopped with:')
    .code(errorMessage(error));
}

/** What `convergence` means for this deploy, in one sentence. */
function convergenceText(outcome: DeployAppOutcome): string {
  const current = outcome.fleet.filter((m) => m.current).length;
  const total = outcome.fleet.length;
  switch (outcome.convergence) {
    case 'deployed':
      return `**Machines:** all ${total} run the new release (stopped ones are standbys or autostopped).`;
    case 'deployed-but-flyctl-failed':
      return `**Machines:** all ${total} run the new release although flyctl failed (${escapeMarkdown(outcome.error?.flyMessage.split('\n')[0] ?? 'no message')}); the health gate verifies it.`;
    case 'partial':
      return `**Machines:** only ${current} of ${total} run the new release: the fleet is split.`;
    default:
      return `**Machines:** none runs the new release; the app was not changed.`;
  }
}
