import { InputError } from '@deploy-actions/toolkit';

export type CheckKind = 'http' | 'machines' | 'both';

/**
 * What the gate verifies: HTTP answers, Fly machines, or both. `auto` follows what was given, so
 * a worker with no public port (only `fly-app`) is judged by its machines alone. An explicit kind
 * must have what it needs, and refuses what it would silently ignore.
 */
export function checkKind(asked: 'auto' | CheckKind, given: { http: boolean; fly: boolean }): CheckKind {
  const missing = (input: string, why: string) =>
    new InputError([{ input, message: `Input '${input}' is required with check: ${asked} (${why})` }]);
  if (asked === 'auto') {
    if (given.http) return given.fly ? 'both' : 'http';
    if (given.fly) return 'machines';
    throw new InputError([
      {
        input: 'url',
        message: "Input required: give 'url' or 'checks-file' (HTTP checks), 'fly-app' (machines), or both",
      },
    ]);
  }
  if (asked !== 'machines' && !given.http) throw missing('url', 'the URLs to probe; or checks-file');
  if (asked !== 'http' && !given.fly) throw missing('fly-app', 'the app whose machines are checked');
  const unused =
    asked === 'machines' && given.http
      ? "probes no URL, but 'url' or 'checks-file' is set"
      : asked === 'http' && given.fly
        ? "checks no machine, but 'fly-app' is set"
        : undefined;
  if (unused) {
    throw new InputError([{ input: 'check', message: `Invalid input 'check': ${asked} ${unused}; use check: both` }]);
  }
  return asked;
}
