/**
 * The story of one rehearsed run in a sentence or two, for the top of its report: what was deployed,
 * the verdict, and on failure which step failed, why, and what the rollback did. Read from the steps
 * of this repo's actions (by what they `uses:`), so it fits deploy.yml, preview.yml and their callers.
 */
import { allSteps, type RunRecord, type StepRecord } from './model';

export type Tone = 'success' | 'failure' | 'skipped' | 'warning';

export interface Link {
  label: string;
  href: string;
}

export interface Story {
  /** One or two words: deployed, rolled back, failed, skipped, destroyed, success. */
  verdict: string;
  tone: Tone;
  headline: string;
  /** The first step that failed (continue-on-error included), with the first line of its error. */
  failed?: { step: StepRecord; why: string };
  links: Link[];
}

/** The step of `action` (this repo's, `$/x`, `./x` or `<owner>/deploy-actions/x@ref`) that ran, last first. */
function ranStep(run: RunRecord, action: string): StepRecord | undefined {
  return allSteps(run)
    .filter((s) => s.conclusion !== 'skipped' && s.uses !== undefined)
    .filter((s) => s.uses === `$/${action}` || s.uses === `./${action}` || s.uses!.includes(`/${action}@`))
    .at(-1);
}

/** `registry.fly.io/app:v1.2@sha256:…` -> `v1.2`; what people call the version. */
export function imageLabel(imageRef: string | undefined): string | undefined {
  if (!imageRef) return undefined;
  const name = imageRef.split('@')[0].split('/').pop() ?? '';
  const colon = name.lastIndexOf(':');
  return colon === -1 ? undefined : name.slice(colon + 1);
}

function firstLine(text: string, max = 300): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line.trim();
}

function firstFailure(run: RunRecord): Story['failed'] {
  const step = allSteps(run).find((s) => s.outcome === 'failure');
  if (!step) return undefined;
  const error = step.annotations.find((a) => a.level === 'error')?.message ?? step.notes[0] ?? '';
  return { step, why: firstLine(error) || 'no error message' };
}

function release(version: string | undefined): string {
  return version ? ` (release ${version})` : '';
}

function links(run: RunRecord, app: string | undefined, previousSha: string | undefined): Link[] {
  const place = run.place;
  const out: Link[] = [];
  if (place) {
    const repo = `${place.serverUrl}/${place.repository}`;
    out.push({ label: `commit ${place.sha.slice(0, 7)}`, href: `${repo}/commit/${place.sha}` });
    if (previousSha && previousSha !== place.sha) {
      out.push({
        label: `changes ${previousSha.slice(0, 7)}…${place.sha.slice(0, 7)}`,
        href: `${repo}/compare/${previousSha}...${place.sha}`,
      });
    }
  }
  // Fly's dashboard page of an app, as `flyctl dashboard` opens it (internal/command/dashboard/root.go:63).
  if (app) out.push({ label: `Fly app ${app}`, href: `https://fly.io/apps/${encodeURIComponent(app)}` });
  if (place) {
    out.push({
      label: `run ${place.runId}`,
      href: `${place.serverUrl}/${place.repository}/actions/runs/${place.runId}`,
    });
  }
  return out;
}

/** `previousSha`: the commit the run before this one deployed, for a link to what changed. */
export function storyOf(run: RunRecord, previousSha?: string): Story {
  const deploy = ranStep(run, 'fly-deploy');
  const gate = ranStep(run, 'business-hours-gate');
  const rollback = ranStep(run, 'auto-rollback');
  const app = deploy?.outputs['app-name'] || (run.inputs.app as string | undefined) || undefined;
  const label = imageLabel(deploy?.outputs['image-ref']) ?? ((run.inputs['image-label'] as string) || undefined);
  const what = [app, label].filter(Boolean).join(' ') || run.name;
  const failed = firstFailure(run);
  const result = run.outputs.result ?? run.result;
  const base = { links: links(run, app, previousSha), ...(failed ? { failed } : {}) };

  if (gate?.outputs.allowed === 'false' && !deploy) {
    const why = gate.outputs.message || gate.outputs.reason || 'the deploy window is closed';
    return { ...base, verdict: 'skipped', tone: 'skipped', headline: `${what} was not deployed: ${why}` };
  }
  if (rollback?.outputs['rolled-back'] === 'true') {
    const to = imageLabel(rollback.outputs['to-image']) ?? rollback.outputs['to-image'];
    const at = failed ? ` at “${failed.step.name}”: ${failed.why}` : '';
    const verified = rollback.outputs.verified === 'true' ? 'and verified it' : 'but it did NOT pass verification';
    return {
      ...base,
      verdict: rollback.outputs.verified === 'true' ? 'rolled back' : 'failed',
      tone: rollback.outputs.verified === 'true' ? 'warning' : 'failure',
      headline:
        `${what}${release(deploy?.outputs['release-version'])} failed${at}. ` +
        `Auto-rollback restored ${to}${release(rollback.outputs['new-release-version'])} ${verified}.`,
    };
  }
  if (run.result === 'failure' || result === 'failure') {
    const at = failed ? ` at “${failed.step.name}”: ${failed.why}` : '';
    return {
      ...base,
      verdict: 'failed',
      tone: 'failure',
      headline: `${what}${release(deploy?.outputs['release-version'])} failed${at}`,
    };
  }
  if (deploy && /destroy/i.test(`${deploy.id} ${deploy.name}`)) {
    return { ...base, verdict: 'destroyed', tone: 'success', headline: `${app ?? what} was destroyed` };
  }
  if (deploy) {
    const version = deploy.outputs['release-version'];
    const health = ranStep(run, 'health-gate');
    const verified = health?.conclusion === 'success' ? ', and the health gate passed' : '';
    return { ...base, verdict: 'deployed', tone: 'success', headline: `${what} is live${release(version)}${verified}` };
  }
  const tone: Tone = result === 'skipped' ? 'skipped' : run.result === 'success' ? 'success' : 'failure';
  return {
    ...base,
    verdict: String(result),
    tone,
    headline: `${run.name}: ${result}${run.notes[0] ? ` (${run.notes[0]})` : ''}`,
  };
}
