import * as core from './commands';

/**
 * Every form of every registered secret, longest first, so `redact` replaces a
 * whole value before any of its lines.
 */
const forms = new Set<string>();
let ordered: string[] = [];
/** Where each form came from (`input 'fly-api-token'`), for messages that must name it. */
const sources = new Map<string, string>();

/** Lines shorter than this are not masked on their own: `{` or `}` would mask half the log. */
const MIN_LINE_LENGTH = 4;

/**
 * Shorter values are not secrets worth the damage of masking them: a one-letter
 * "token" would turn every such letter of the log, outputs and summary into `***`.
 */
const MIN_SECRET_LENGTH = 3;

/**
 * Registers a secret before anything can print it: the value, each of its lines,
 * and the encodings the runner does not mask by itself (base64url, URL-encoded,
 * JSON-escaped), plus plain base64 so our own `redact` covers it too.
 */
export function registerSecret(value: string | undefined | null, source?: string): void {
  if (value === undefined || value === null) return;
  const trimmed = value.trim();
  if (trimmed === '') return;
  const candidates = new Set<string>([value, trimmed]);
  if (/[\r\n]/.test(value)) {
    for (const line of value.split(/\r?\n/)) {
      const t = line.trim();
      if (t.length >= MIN_LINE_LENGTH) candidates.add(t);
    }
  }
  for (const c of [...candidates]) {
    const bytes = Buffer.from(c, 'utf8');
    candidates.add(bytes.toString('base64'));
    candidates.add(bytes.toString('base64url'));
    candidates.add(encodeURIComponent(c));
    candidates.add(JSON.stringify(c).slice(1, -1));
  }
  if (source) for (const c of candidates) if (!sources.has(c)) sources.set(c, source);
  const added = [...candidates].filter((c) => c.length >= MIN_SECRET_LENGTH && !forms.has(c));
  if (added.length === 0) return;
  for (const c of added) forms.add(c);
  core.addMasks(added);
  ordered = [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces every registered secret form in `text` with `***`. */
export function redact(text: string): string {
  let out = text;
  for (const form of ordered) {
    if (out.includes(form)) out = out.split(form).join('***');
  }
  return out;
}

/**
 * True when `text` contains a registered secret form of at least `minLength` characters.
 * The output guard asks only about forms long enough to be credentials: a short
 * build secret such as `acme` may well be part of an app name, and is masked in the
 * log all the same.
 */
export function containsSecret(text: string, minLength = 0): boolean {
  return ordered.some((form) => form.length >= minLength && text.includes(form));
}

/**
 * Where the registered secrets found in `text` (forms of `minLength` or more) came from, as
 * given to registerSecret; `undefined` stands for a secret registered without a source.
 */
export function secretSourcesIn(text: string, minLength = 0): (string | undefined)[] {
  const found = new Set<string | undefined>();
  for (const form of ordered) if (form.length >= minLength && text.includes(form)) found.add(sources.get(form));
  return [...found];
}

/** For tests: forget every registered form. */
export function resetSecretsForTesting(): void {
  forms.clear();
  sources.clear();
  ordered = [];
}
