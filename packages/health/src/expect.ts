/** A set of accepted HTTP statuses, from text such as `200,204,300-399`. */
export interface StatusSet {
  text: string;
  has(status: number): boolean;
}

/** Parses `200`, `200,204`, `300-399` (and mixes); undefined when the text is not such a list. */
export function parseStatusSet(text: string): StatusSet | undefined {
  const ranges: [number, number][] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const match = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(part);
    if (!match) return undefined;
    const low = Number(match[1]);
    const high = Number(match[2] ?? match[1]);
    if (low < 100 || high > 599 || low > high) return undefined;
    ranges.push([low, high]);
  }
  if (ranges.length === 0) return undefined;
  const normalized = ranges.map(([l, h]) => (l === h ? `${l}` : `${l}-${h}`)).join(',');
  return { text: normalized, has: (s) => ranges.some(([l, h]) => s >= l && s <= h) };
}

/**
 * Reads a value from parsed JSON by a dot path: `version`, `build.sha`, `items[0].id`, `items.0.id`.
 * A leading `$.` is accepted. Returns `{found: false}` when any step is missing.
 */
export function jsonPath(value: unknown, path: string): { found: boolean; value?: unknown } {
  const steps = path
    .replace(/^\$\.?/, '')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '');
  let current: unknown = value;
  for (const step of steps) {
    if (Array.isArray(current) && /^\d+$/.test(step)) {
      if (Number(step) >= current.length) return { found: false };
      current = current[Number(step)];
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, step)) {
      current = (current as Record<string, unknown>)[step];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: current };
}

/** Deep equality for JSON values (the expected side comes from YAML). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const ak = Object.keys(a as object);
  const bk = Object.keys(b as object);
  return (
    ak.length === bk.length &&
    ak.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/** An expected header value: exact text, or `/regex/flags`. */
export interface TextMatcher {
  text: string;
  test(value: string): boolean;
}

export function parseTextMatcher(text: string): TextMatcher | undefined {
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (!regex) return { text, test: (v) => v === text };
  try {
    const re = new RegExp(regex[1], regex[2]);
    return { text, test: (v) => re.test(v) };
  } catch {
    return undefined;
  }
}

/** Shows a value briefly for a problem message. */
export function brief(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
