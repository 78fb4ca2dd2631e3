/**
 * Fly's public hostnames on the stage. On Fly, `https://<app>.fly.dev` reaches the app through Fly's
 * proxy; on the stage each deployed app answers on its own loopback port (fly-sim's app server, the
 * URL `flyctl status` reports as AppURL). An action input that is such a URL (a `pre-gate-url` naming
 * staging, a `health-url`) is given the stage's address instead, with a note. A name with no deployed
 * app gets an address that cannot resolve (`.invalid`, RFC 2606), as a hostname without IPs would
 * not: nothing a rehearsal probes leaves the machine.
 */

const FLY_DEV = /^https:\/\/([a-z0-9][a-z0-9-]{0,62})\.fly\.dev(?=[/?#]|$)(\S*)$/;

/** `value` as the stage answers it, or undefined when it is not a `https://<app>.fly.dev` URL. */
export function stageUrl(value: string, appUrl: (app: string) => string): { value: string; note: string } | undefined {
  const m = FLY_DEV.exec(value.trim());
  if (!m) return undefined;
  const [, app, rest] = m;
  const origin = appUrl(app).replace(/\/$/, '');
  if (!origin) {
    return {
      value: `http://${app}.fly.dev.invalid${rest}`,
      note: `https://${app}.fly.dev: no app ${app} is deployed on the stage, so the name does not resolve`,
    };
  }
  return {
    value: `${origin}${rest}`,
    note: `https://${app}.fly.dev is answered by fly-sim's server for ${app} (${origin})`,
  };
}

/** Points every input that is a `https://<app>.fly.dev` URL at the stage; returns one note per input changed. */
export function answerOnStage(inputs: Record<string, string>, appUrl: (app: string) => string): string[] {
  const notes: string[] = [];
  for (const [name, value] of Object.entries(inputs)) {
    const answered = stageUrl(value, appUrl);
    if (!answered) continue;
    inputs[name] = answered.value;
    notes.push(`${name}: ${answered.note}`);
  }
  return notes;
}
