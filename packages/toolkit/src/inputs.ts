import { parseDuration } from './duration';
import { InputError } from './errors';
import { registerSecret } from './secrets';

/**
 * One action input: how to read it, what it means when absent, and how to say
 * what was expected. `present` is true when a value always exists (required or
 * defaulted), which makes the parsed type non-optional.
 */
export interface InputSpec<T, Present extends boolean = boolean> {
  readonly kind: string;
  readonly required: boolean;
  readonly default?: string;
  /**
   * A default that is an expression (`${{ github.token }}`): the runner evaluates it
   * and passes the value, so the code never applies it itself.
   */
  readonly runnerDefault?: string;
  readonly secret: boolean;
  /** What a valid value looks like, for error messages. */
  readonly expected: string;
  /** Turns the (non-empty, trimmed) text into the value, or says it is invalid. */
  readonly parse: (raw: string) => Parsed<T>;
  /** Phantom marker for the parsed type's optionality. */
  readonly __present?: Present;
}

/** A parsed value, or `ok: false` with an optional detail for the error message. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; detail?: string };

interface CommonOptions {
  required?: boolean;
  default?: string;
  runnerDefault?: string;
  secret?: boolean;
  expected?: string;
}

type IsPresent<O> = O extends { required: true } ? true : O extends { default: string } ? true : false;

function spec<T, O extends CommonOptions>(
  kind: string,
  expected: string,
  parse: (raw: string) => Parsed<T>,
  options: O | undefined,
): InputSpec<T, IsPresent<O>> {
  return {
    kind,
    required: options?.required ?? false,
    default: options?.default,
    runnerDefault: options?.runnerDefault,
    secret: options?.secret ?? false,
    expected: options?.expected ?? expected,
    parse,
  };
}

/**
 * A parser from a converter that returns undefined for invalid text (the message then
 * says only what was expected). Plain functions rather than a schema library: every
 * input is one string in, one value out, and a schema library costs about 25 ms of each
 * step's start-up under Node 24 (zod and zod/mini alike).
 */
function refine<T>(convert: (raw: string) => T | undefined): (raw: string) => Parsed<T> {
  return (raw) => {
    const value = convert(raw);
    return value === undefined ? { ok: false } : { ok: true, value };
  };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

/** Splits a list input on newlines and commas; blanks and `#` comment lines are dropped. */
export function splitList(raw: string): string[] {
  return raw
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'));
}

/** Parses multi-line `NAME=VALUE` text. Returns the problem on the first bad line. */
export function parseNameValues(
  raw: string,
): { ok: true; value: Record<string, string> } | { ok: false; problem: string } {
  const value: Record<string, string> = {};
  const lines = raw.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = eq === -1 ? line : line.slice(0, eq).trim();
    if (eq === -1 || !NAME.test(name)) {
      const continued = Object.keys(value).length > 0 && eq === -1;
      return {
        ok: false,
        problem: `line ${i + 1} is not NAME=VALUE with a name of letters, digits and _${continued ? ' (a value cannot span lines: encode a multi-line value, e.g. with base64, and decode it where it is used)' : ''}`,
      };
    }
    // Values are trimmed; double quotes keep surrounding spaces exactly (`NAME="  x  "`).
    const raw = line.slice(eq + 1).trim();
    value[name] = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  }
  return { ok: true, value };
}

export const input = {
  /** Free text; `pattern` restricts it, `notFlag` refuses a leading `-` (flag smuggling into argv). */
  string<O extends CommonOptions & { pattern?: RegExp; notFlag?: boolean }>(options?: O) {
    const parse = refine((raw) => {
      if (options?.notFlag && raw.startsWith('-')) return undefined;
      if (options?.pattern && !options.pattern.test(raw)) return undefined;
      return raw;
    });
    const expected = options?.pattern ? `text matching ${options.pattern}` : 'text';
    return spec<string, O>('string', options?.notFlag ? `${expected} not starting with "-"` : expected, parse, options);
  },

  /** Only `true` or `false` (any case YAML allows); anything else is an error, never "truthy". */
  boolean<O extends CommonOptions>(options?: O) {
    const parse = refine((raw) => (TRUE.has(raw) ? true : FALSE.has(raw) ? false : undefined));
    return spec<boolean, O>('boolean', '`true` or `false`', parse, options);
  },

  integer<O extends CommonOptions & { min?: number; max?: number }>(options?: O) {
    const min = options?.min ?? Number.MIN_SAFE_INTEGER;
    const max = options?.max ?? Number.MAX_SAFE_INTEGER;
    const parse = refine((raw) => {
      if (!/^-?\d+$/.test(raw)) return undefined;
      const n = Number(raw);
      return n >= min && n <= max ? n : undefined;
    });
    const range =
      options?.min !== undefined && options?.max !== undefined
        ? ` from ${min} to ${max}`
        : options?.min !== undefined
          ? ` of at least ${min}`
          : options?.max !== undefined
            ? ` of at most ${max}`
            : '';
    return spec<number, O>('integer', `a whole number${range}`, parse, options);
  },

  /** A duration in milliseconds: `90s`, `5m`, `1h30m`, `250ms` or bare seconds. */
  duration<O extends CommonOptions & { minMs?: number; maxMs?: number }>(options?: O) {
    const parse = refine((raw) => {
      const ms = parseDuration(raw);
      if (ms === undefined) return undefined;
      if (options?.minMs !== undefined && ms < options.minMs) return undefined;
      if (options?.maxMs !== undefined && ms > options.maxMs) return undefined;
      return ms;
    });
    return spec<number, O>('duration', 'a duration such as 90s, 5m, 1h30m or a number of seconds', parse, options);
  },

  enum<const V extends readonly string[], O extends CommonOptions>(values: V, options?: O) {
    const parse = refine((raw) => (values.includes(raw) ? (raw as V[number]) : undefined));
    return spec<V[number], O>('enum', `one of ${values.map((v) => `\`${v}\``).join(', ')}`, parse, options);
  },

  /** Newline- or comma-separated items; `item` validates each one. */
  list<O extends CommonOptions & { item?: RegExp; itemExpected?: string }>(options?: O) {
    const parse = refine((raw) => {
      const items = splitList(raw);
      if (options?.item && !items.every((item) => options.item?.test(item) && !item.startsWith('-'))) return undefined;
      return items;
    });
    const expected = `a list separated by newlines or commas${options?.itemExpected ? ` of ${options.itemExpected}` : ''}`;
    return spec<string[], O>('list', expected, parse, options);
  },

  /** Multi-line `NAME=VALUE` pairs. */
  nameValues<O extends CommonOptions>(options?: O) {
    const parse = (raw: string): Parsed<Record<string, string>> => {
      const parsed = parseNameValues(raw);
      return parsed.ok ? parsed : { ok: false, detail: parsed.problem };
    };
    return spec<Record<string, string>, O>('name-values', 'one NAME=VALUE per line', parse, options);
  },

  /** An absolute URL with one of the given protocols. */
  url<O extends CommonOptions & { protocols?: readonly string[] }>(options?: O) {
    const protocols = options?.protocols ?? ['http:', 'https:'];
    const parse = refine((raw) => {
      try {
        const url = new URL(raw);
        return protocols.includes(url.protocol) ? raw : undefined;
      } catch {
        return undefined;
      }
    });
    return spec<string, O>('url', `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`, parse, options);
  },
};

// biome-ignore lint/suspicious/noExplicitAny: a spec map holds specs of any value type
export type InputSpecs = Record<string, InputSpec<any, boolean>>;

export type ParsedInputs<S extends InputSpecs> = {
  [K in keyof S]: S[K] extends InputSpec<infer T, infer P> ? (P extends true ? T : T | undefined) : never;
};

/** The environment variable the runner sets for an input (`INPUT_` + upper case, spaces to `_`). */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Shows a rejected value: quoted, shortened, or hidden when secret. */
function shown(raw: string, secret: boolean): string {
  if (secret) return 'a value (hidden: secret)';
  const oneLine = raw.length > 80 ? `${raw.slice(0, 77)}...` : raw;
  return JSON.stringify(oneLine);
}

/**
 * Reads and validates every input of an action, once, up front. Secret inputs are
 * registered before anything else happens. All problems are reported together.
 */
export function parseInputs<S extends InputSpecs>(specs: S, env: NodeJS.ProcessEnv = process.env): ParsedInputs<S> {
  const raw: Record<string, string> = {};
  for (const [name, s] of Object.entries(specs)) {
    raw[name] = (env[inputEnvName(name)] ?? '').trim();
    if (s.secret) registerSecret(raw[name]);
  }
  const problems: { input: string; message: string }[] = [];
  const result: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(specs)) {
    const value = raw[name] === '' ? (s.default ?? '') : raw[name];
    if (value === '') {
      if (s.required)
        problems.push({ input: name, message: `Input required and not supplied: ${name} (expected ${s.expected})` });
      else result[name] = undefined;
      continue;
    }
    const parsed = s.parse(value);
    if (parsed.ok) {
      result[name] = parsed.value;
    } else {
      const why = parsed.detail ? ` (${parsed.detail})` : '';
      problems.push({
        input: name,
        message: `Invalid input '${name}': got ${shown(value, s.secret)}${why}; expected ${s.expected}`,
      });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return result as ParsedInputs<S>;
}
