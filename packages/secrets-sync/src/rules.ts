import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UserError } from '@deploy-actions/toolkit';
import * as z from 'zod';
import { SECRET_NAME } from './dotenv';

/** Checks the declared secrets must pass before anything is written. */
export interface Rules {
  required: string[];
  minLength: Map<string, number>;
  /** Lower-cased, trimmed forbidden values per name. */
  forbidden: Map<string, string[]>;
  pattern: Map<string, RegExp>;
}

const name = z.string().regex(SECRET_NAME, 'a secret name (letters, digits and _, not starting with a digit)');
// YAML reads `true` and `1` as a boolean and a number; a forbidden value is compared as text.
const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const schema = z
  .strictObject({
    required: z.array(name).optional(),
    'min-length': z.record(name, z.number().int().min(1)).optional(),
    forbidden: z.record(name, z.union([scalar, z.array(scalar)])).optional(),
    pattern: z.record(name, z.string()).optional(),
  })
  .nullable();

const EXAMPLE =
  'Example:\nrequired: [DATABASE_URL]\nmin-length: {SESSION_SECRET: 32}\nforbidden: {AUTH_DEV_BYPASS: ["true", "1"]}\npattern: {DATABASE_URL: "^postgres(ql)?://"}';

/**
 * Reads the `rules` input: a path to a YAML or JSON file (relative to `cwd`), or
 * inline YAML. Anything on one line ending in .yml/.yaml/.json, or naming an
 * existing file, is a path.
 */
export async function loadRules(spec: string, cwd: string): Promise<Rules> {
  const text = spec.trim();
  let source = "Input 'rules'";
  let doc = text;
  if (!text.includes('\n')) {
    const path = resolve(cwd, text);
    const looksLikePath = /\.(ya?ml|json)$/i.test(text);
    if (looksLikePath || (existsSync(path) && !text.includes(':'))) {
      if (!existsSync(path)) throw new UserError(`Input 'rules': file not found: ${text}`);
      source = `Rules file ${text}`;
      doc = readFileSync(path, 'utf8');
    }
  }
  // yaml is loaded only when there are rules: start-up matters on every step.
  const { parse } = await import('yaml');
  let data: unknown;
  try {
    data = parse(doc, { prettyErrors: false });
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new UserError(`${source} is not valid YAML or JSON${line ? ` (line ${line})` : ''}`, { hint: EXAMPLE });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`);
    throw new UserError(`${source} is not valid: ${problems.join('; ')}`, { hint: EXAMPLE });
  }
  const r = parsed.data ?? {};
  const pattern = new Map<string, RegExp>();
  for (const [n, p] of Object.entries(r.pattern ?? {})) {
    try {
      pattern.set(n, new RegExp(p));
    } catch {
      throw new UserError(`${source}: pattern for ${n} is not a valid regular expression: ${p}`);
    }
  }
  return {
    required: r.required ?? [],
    minLength: new Map(Object.entries(r['min-length'] ?? {})),
    forbidden: new Map(
      Object.entries(r.forbidden ?? {}).map(([n, v]) => [n, (Array.isArray(v) ? v : [v]).map(normalise)]),
    ),
    pattern,
  };
}

function normalise(value: string): string {
  return value.trim().toLowerCase();
}

/**
 * Every rule a sync would break. Value rules apply to declared values only (the
 * app's values cannot be read); `required` looks at the names present after the sync.
 * Messages name the secret and the rule, never the value or its length.
 */
export function checkRules(
  rules: Rules,
  declared: ReadonlyMap<string, string>,
  after: ReadonlySet<string>,
  env: ReadonlyMap<string, string> = new Map(),
): string[] {
  const problems: string[] = [];
  for (const n of rules.required) {
    if (!after.has(n) && !env.has(n)) {
      problems.push(`${n} breaks rule "required": it would not exist on the app after the sync, nor in fly.toml [env]`);
    }
  }
  // fly.toml [env] reaches the machines as environment variables too, and a secret of the same
  // name wins over it (https://fly.io/docs/reference/configuration/#the-env-variables-section), so
  // a value there is judged only where no secret hides it.
  const values: [string, string, string][] = [...declared].map(([n, v]) => [n, v, n]);
  for (const [n, v] of env) if (!after.has(n)) values.push([n, v, `${n} (fly.toml [env])`]);
  for (const [n, value, label] of values) {
    const min = rules.minLength.get(n);
    if (min !== undefined && [...value].length < min) {
      problems.push(`${label} breaks rule "min-length": its value is shorter than ${min} characters`);
    }
    if (rules.forbidden.get(n)?.includes(normalise(value))) {
      problems.push(`${label} breaks rule "forbidden": its value is one of the forbidden values`);
    }
    const re = rules.pattern.get(n);
    if (re && !re.test(value)) problems.push(`${label} breaks rule "pattern": its value does not match /${re.source}/`);
  }
  return problems;
}

/** Fails the step before any write when a rule is broken. */
export function enforceRules(
  rules: Rules,
  declared: ReadonlyMap<string, string>,
  after: ReadonlySet<string>,
  env?: ReadonlyMap<string, string>,
): void {
  const problems = checkRules(rules, declared, after, env);
  if (problems.length === 0) return;
  throw new UserError(
    `${problems.length === 1 ? 'A rule is broken' : `${problems.length} rules are broken`}; nothing was written:\n${problems.map((p) => `- ${p}`).join('\n')}`,
  );
}
