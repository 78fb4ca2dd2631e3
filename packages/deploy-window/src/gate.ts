import { InputError } from '@deploy-actions/toolkit';
import { DateTime } from 'luxon';
import { HOLIDAY_TYPES, type HolidayType, loadHolidayCalendar } from './holidays';
import { parseWindowPolicy, type WindowInputs } from './policy';
import { DeployWindow, type Verdict, type WindowReason } from './window';

export type GateReason = WindowReason | 'overridden';

export interface OverrideRequest {
  requested: boolean;
  reason?: string;
  /** GitHub logins allowed to override; empty: anyone who can run the workflow. */
  actors: readonly string[];
  /** Who is running the workflow. */
  actor: string;
}

export interface GateOptions {
  window: DeployWindow;
  /** Ms since the epoch. */
  now: number;
  mode: 'block' | 'warn';
  override: OverrideRequest;
}

export interface GateResult {
  allowed: boolean;
  reason: GateReason;
  /** The window's own verdict, before any override. */
  verdict: Verdict;
  message: string;
  now: number;
  /** Local time as an ISO string with offset. */
  localTime: string;
  /** When deploys are next allowed by the window itself (now, when open). */
  nextWindow?: number;
  overridden: boolean;
  overrideBy: string;
  /** Audit line of an override that took effect. */
  audit?: string;
  /** Why a requested override was not accepted. */
  refusal?: string;
  /** Set in block mode when the deploy may not start or the override was refused: the step fails with this. */
  failure?: string;
  /** What to do about a failure. */
  hint?: string;
  mode: 'block' | 'warn';
  window: DeployWindow;
}

/** Parses the window inputs and, only when `holidays` is set, loads the holiday calendar. */
export async function openDeployWindow(
  raw: WindowInputs & { holidays?: string; holidayTypes: readonly string[] },
): Promise<DeployWindow> {
  const policy = parseWindowPolicy(raw);
  const types = raw.holidayTypes as HolidayType[];
  if (raw.holidays && types.length === 0) {
    throw new InputError([
      {
        input: 'holiday-types',
        message: `Invalid input 'holiday-types': got no types; expected at least one of ${HOLIDAY_TYPES.join(', ')}`,
      },
    ]);
  }
  const calendar = raw.holidays ? await loadHolidayCalendar(raw.holidays, types, policy.zone) : undefined;
  return new DeployWindow(policy, calendar);
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The `now` input: an ISO instant with an offset, so it means one moment whatever the zone. */
export function parseNow(text: string | undefined, input = 'now'): number {
  if (!text) return Date.now();
  const parsed = INSTANT.test(text) ? DateTime.fromISO(text, { setZone: true }) : undefined;
  if (!parsed?.isValid) {
    throw new InputError([
      {
        input,
        message:
          `Invalid input '${input}': got ${JSON.stringify(text)}; expected an ISO 8601 instant with an offset, ` +
          'such as 2026-11-20T16:59:00-08:00 or 2026-11-21T00:59:00Z',
      },
    ]);
  }
  return parsed.toMillis();
}

/** Local time in the window's zone, e.g. `Fri 2026-11-20 16:59 PST`. */
export function formatLocal(window: DeployWindow, instant: number): string {
  return DateTime.fromMillis(instant, { zone: window.policy.zone }).toFormat('ccc yyyy-MM-dd HH:mm ZZZZ', {
    locale: 'en-US',
  });
}

/** An instant as ISO 8601 with the zone's offset, e.g. `2026-11-23T09:00:00-08:00`. */
export function formatInstant(window: DeployWindow, instant: number): string {
  return DateTime.fromMillis(instant, { zone: window.policy.zone }).toISO({ suppressMilliseconds: true }) ?? '';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Checks an override request; returns why it is refused, or undefined when it may be used. */
function refuseOverride(o: OverrideRequest): string | undefined {
  if (!o.requested) return undefined;
  if (!o.reason || oneLine(o.reason) === '') {
    return "Override refused: 'override-reason' is empty; an override must say why it is needed.";
  }
  if (o.actors.length > 0 && !o.actors.some((a) => a.toLowerCase() === o.actor.toLowerCase())) {
    const who = o.actor ? `'${o.actor}'` : 'an unknown actor';
    return `Override refused: ${who} is not listed in 'override-actors' (${o.actors.join(', ')}).`;
  }
  return undefined;
}

/** Decides whether a deploy may start now, applying mode and override. Pure: no I/O. */
export function decideGate(options: GateOptions): GateResult {
  const { window, now, mode, override } = options;
  const verdict = window.at(now);
  const nextWindow = verdict.allowed ? now : window.nextOpen(now);
  const local = formatLocal(window, now);
  const next = nextWindow === undefined ? 'none found within 400 days' : formatLocal(window, nextWindow);
  const refusal = refuseOverride(override);
  const overridden = override.requested && !refusal && !verdict.allowed;
  const base = {
    verdict,
    now,
    localTime: formatInstant(window, now),
    nextWindow,
    refusal,
    mode,
    window,
  };

  if (overridden) {
    const reason = oneLine(override.reason ?? '');
    const actor = override.actor || 'an unknown actor';
    const audit = `Override by ${actor} at ${new Date(now).toISOString()} (${local}): ${reason}`;
    return {
      ...base,
      allowed: true,
      reason: 'overridden',
      message: `Deploys are closed at ${local} (${verdict.rule}) but were overridden by ${actor}: ${reason}`,
      overridden: true,
      overrideBy: override.actor,
      audit,
    };
  }
  const message = verdict.allowed
    ? `Deploys are open at ${local} (${verdict.rule}).`
    : `Deploys are closed at ${local}: ${verdict.rule}. Next window: ${next}.`;
  return {
    ...base,
    allowed: verdict.allowed,
    reason: verdict.reason,
    message,
    overridden: false,
    overrideBy: '',
    failure:
      mode === 'block' && (!verdict.allowed || refusal)
        ? [refusal, verdict.allowed ? '' : message].filter(Boolean).join(' ')
        : undefined,
    hint:
      mode === 'block' && !verdict.allowed
        ? 'To deploy anyway, run with override: true and an override-reason; the override is recorded.'
        : undefined,
  };
}

/** The action's outputs, every one always set. */
export function gateOutputs(
  result: GateResult,
): Record<'allowed' | 'reason' | 'message' | 'local-time' | 'next-window' | 'overridden' | 'override-by', string> {
  return {
    allowed: String(result.allowed),
    reason: result.reason,
    message: result.message,
    'local-time': result.localTime,
    'next-window': result.nextWindow === undefined ? '' : formatInstant(result.window, result.nextWindow),
    overridden: String(result.overridden),
    'override-by': result.overrideBy,
  };
}
