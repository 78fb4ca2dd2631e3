import type { Check } from './checks';
import { brief, jsonEqual, jsonPath } from './expect';
import type { HttpResponse } from './http';

/**
 * `pass`: every expectation met. `pending`: "not yet" (nothing listening, the proxy has no
 * instance, the old version still answering): keep waiting. `fail`: the app answered wrongly.
 */
export type Outcome = 'pass' | 'pending' | 'fail';

export interface VersionSource {
  /** Dot path into a JSON body (default `version`). */
  field: string;
  /** Response header carrying the version; wins over `field` when set. */
  header?: string;
}

export interface Evaluation {
  outcome: Outcome;
  problems: string[];
  /** The version the answer carried, if any. */
  version?: string;
}

/** Statuses a platform proxy or a booting app gives before the release serves: waited out, never failed on. */
const NOT_YET_STATUS = new Set([404, 429, 502, 503, 504]);

function versionOf(response: HttpResponse, source: VersionSource, json: () => unknown): string | undefined {
  if (source.header) return response.headers[source.header.toLowerCase()];
  const body = json();
  if (body === undefined) return undefined;
  const found = jsonPath(body, source.field);
  if (!found.found || found.value === null || typeof found.value === 'object') return undefined;
  return String(found.value);
}

/** Judges one answer against its check and the expected version. */
export function evaluate(
  check: Check,
  response: HttpResponse,
  versionSource: VersionSource,
  expectedVersion?: string,
): Evaluation {
  if (response.error) {
    const waitable = response.error.kind !== 'tls' && response.error.kind !== 'redirects';
    return { outcome: waitable ? 'pending' : 'fail', problems: [`${response.error.kind}: ${response.error.message}`] };
  }
  let parsed: { ok: boolean; value?: unknown } | undefined;
  const json = () => {
    if (!parsed) {
      try {
        parsed = response.truncated ? { ok: false } : { ok: true, value: JSON.parse(response.body) };
      } catch {
        parsed = { ok: false };
      }
    }
    return parsed.ok ? parsed.value : undefined;
  };
  const version = versionOf(response, versionSource, json);
  const status = response.status ?? 0;
  if (expectedVersion !== undefined && version !== undefined && version !== expectedVersion) {
    return {
      outcome: 'pending',
      problems: [`version ${brief(version)} answering, not ${brief(expectedVersion)}`],
      version,
    };
  }

  const problems: string[] = [];
  const unreadable = response.truncated ? 'body larger than 1 MiB, not parsed' : 'body is not valid JSON';
  if (!check.expect.status.has(status)) {
    if (NOT_YET_STATUS.has(status))
      return { outcome: 'pending', problems: [`status ${status} (not serving yet)`], version };
    problems.push(`status ${status}, expected ${check.expect.status.text}`);
  }
  if (expectedVersion !== undefined && check.expect.version && version === undefined) {
    const where = versionSource.header ? `header ${versionSource.header}` : `field ${versionSource.field}`;
    problems.push(
      json() === undefined && !versionSource.header ? `${unreadable}: no version` : `no version (${where})`,
    );
  }
  for (const [path, expected] of check.expect.json) {
    const body = json();
    if (body === undefined) {
      problems.push(unreadable);
      break;
    }
    const found = jsonPath(body, path);
    if (!found.found) problems.push(`json ${path} missing, expected ${brief(expected)}`);
    else if (!jsonEqual(found.value, expected))
      problems.push(`json ${path} is ${brief(found.value)}, expected ${brief(expected)}`);
  }
  for (const [name, matcher] of check.expect.headers) {
    const value = response.headers[name];
    if (value === undefined) problems.push(`header ${name} missing, expected ${brief(matcher.text)}`);
    else if (!matcher.test(value)) problems.push(`header ${name} is ${brief(value)}, expected ${brief(matcher.text)}`);
  }
  for (const text of check.expect.bodyContains) {
    if (!response.body.includes(text)) problems.push(`body does not contain ${brief(text)}`);
  }
  return { outcome: problems.length === 0 ? 'pass' : 'fail', problems, version };
}
