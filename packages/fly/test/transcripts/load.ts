import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One flyctl v0.4.87 run as the real binary prints it, written down from flyctl's own format
 * strings (each file's `source:` lines say which). Ids and times are placeholders:
 * `<m1>`, `<m2>`... machine ids in order of appearance, `<release>`, `<time>`, `<image>`, `<ulid>`.
 */
export interface Transcript {
  name: string;
  title: string;
  command: string;
  exit: number;
  /** What the client must conclude: machines were changed (a retry could half-roll). */
  touched: boolean;
  /** How a failure classifies (`-` for a success). */
  kind: 'transient' | 'permanent' | '-';
  /** flyctl's own error message, first line (what `flyErrorMessage` must return first). */
  error: string;
  /** The release version the FLY_EMIT_RELEASE_JSON line announces, or undefined. */
  release?: number;
  sources: string[];
  stdout: string;
  stderr: string;
}

const DIR = import.meta.dirname;
const ESC = /\\u001b/g;

function parse(name: string, text: string): Transcript {
  const out = text.indexOf('=== stdout\n');
  const err = text.indexOf('=== stderr\n', out);
  if (out === -1 || err === -1) throw new Error(`${name}: needs '=== stdout' and '=== stderr' sections`);
  const header: Record<string, string[]> = {};
  for (const line of text.slice(0, out).split('\n')) {
    const m = /^# (\w+): (.*)$/.exec(line);
    if (m) header[m[1]] = [...(header[m[1]] ?? []), m[2]];
  }
  const one = (key: string) => {
    const value = header[key]?.[0];
    if (value === undefined) throw new Error(`${name}: no '# ${key}:' line`);
    return value;
  };
  return {
    name,
    title: one('title'),
    command: one('command'),
    exit: Number(one('exit')),
    touched: one('touched') === 'true',
    kind: one('kind') as Transcript['kind'],
    error: one('error') === '-' ? '' : one('error'),
    release: one('release') === '-' ? undefined : Number(one('release')),
    sources: header.source ?? [],
    stdout: text.slice(out + '=== stdout\n'.length, err).replace(ESC, '\u001b'),
    stderr: text.slice(err + '=== stderr\n'.length).replace(ESC, '\u001b'),
  };
}

/** Every transcript of the corpus, by file name without `.txt`. */
export function loadTranscripts(): Map<string, Transcript> {
  const all = new Map<string, Transcript>();
  for (const file of readdirSync(DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    const name = file.replace(/\.txt$/, '');
    all.set(name, parse(name, readFileSync(join(DIR, file), 'utf8')));
  }
  return all;
}

/**
 * Replaces what differs between runs by placeholders, in order of first appearance across
 * stdout then stderr, so a run can be compared with a transcript.
 */
export function normalise(stdout: string, stderr: string): { stdout: string; stderr: string } {
  const machines = new Map<string, string>();
  const sub = (text: string) =>
    text
      .replace(/\b[0-9a-f]{14}\b/g, (id) => {
        if (!machines.has(id)) machines.set(id, `<m${machines.size + 1}>`);
        return machines.get(id) ?? id;
      })
      .replace(/\bRL[A-Za-z0-9]{11}\b/g, '<release>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
      .replace(/img_<m\d+>|img_[0-9a-z]+/g, 'img_<image>')
      .replace(/deployment-[0-9A-Z]{26}/g, 'deployment-<ulid>');
  return { stdout: sub(stdout), stderr: sub(stderr) };
}

/** A transcript with its placeholders filled in with concrete values (for the client's parsers). */
export function concrete(t: Transcript): { stdout: string; stderr: string } {
  const fill = (text: string) =>
    text
      .replace(/<m(\d+)>/g, (_, n: string) => `0e28650b1d5d${n.padStart(2, '0')}`)
      .replace(/<release>/g, 'RLk2xP0Q2YkVn')
      .replace(/<time>/g, '2026-08-20T14:00:05Z')
      .replace(/<image>/g, '01j8q9x7w6v5t4')
      .replace(/<ulid>/g, '01J8Q9X7W6V5T4S3R2Q1P0N9M8');
  return { stdout: fill(t.stdout), stderr: fill(t.stderr) };
}
