import { readFileSync } from 'node:fs';
import { InputError, registerSecret, UserError } from '@deploy-actions/toolkit';
import * as z from 'zod';
import { maskCredentialHeader, maskUrlCredentials } from './credentials';
import { parseStatusSet, parseTextMatcher, type StatusSet, type TextMatcher } from './expect';
import type { HttpRequest } from './http';

/** One thing probed every round, with what its answer must look like. */
export interface Check {
  name: string;
  request: HttpRequest;
  expect: {
    status: StatusSet;
    json: [path: string, value: unknown][];
    headers: [name: string, matcher: TextMatcher][];
    bodyContains: string[];
    /** The expected version must be present in this answer (it is compared whenever present). */
    version: boolean;
  };
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses multi-line `Name: value` headers (the `headers` input); credential values are masked at once. */
export function parseHeaderLines(text: string, inputName = 'headers'): Record<string, string> {
  const headers: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).trim();
    // Mask first: the error below must not echo a credential.
    if (colon !== -1) maskCredentialHeader(name, line.slice(colon + 1).trim());
    if (!HEADER_NAME.test(name)) {
      throw new InputError([
        { input: inputName, message: `Invalid input '${inputName}': line ${i + 1} is not "Name: value"` },
      ]);
    }
    headers[name.toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const suiteCheck = z
  .object({
    name: z.string().min(1),
    path: z.string().startsWith('/').optional(),
    url: z.string().optional(),
    method: z
      .string()
      .regex(/^[A-Za-z]+$/)
      .optional(),
    headers: z.record(z.string(), scalar).optional(),
    body: z.unknown().optional(),
    expect: z
      .object({
        status: z.union([z.number().int(), z.string()]).optional(),
        json: z.record(z.string(), z.unknown()).optional(),
        headers: z.record(z.string(), z.string()).optional(),
        'body-contains': z.union([z.string(), z.array(z.string())]).optional(),
        version: z.boolean().optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((c) => (c.path === undefined) !== (c.url === undefined), { message: 'give exactly one of path or url' });
const suiteFile = z.union([z.array(suiteCheck), z.object({ checks: z.array(suiteCheck) }).strict()]);

/** `${NAME}` in a suite value takes the variable from the environment, masked: it is usually a key. */
function expandEnv(text: string, where: string, env: NodeJS.ProcessEnv): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) throw new UserError(`${where} uses \${${name}}, but the environment has no ${name}`);
    registerSecret(value);
    return value;
  });
}

function fail(file: string, message: string): never {
  throw new InputError([{ input: 'checks-file', message: `Invalid input 'checks-file' (${file}): ${message}` }]);
}

export interface SuiteOptions {
  /** Resolves `path` checks; without it, a suite with paths is refused. */
  baseUrl?: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads a YAML smoke suite (see examples/checks/smoke-checks.yml) into checks. */
export async function loadSuite(file: string, options: SuiteOptions = {}): Promise<Check[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseSuite(text, file, options);
}

export async function parseSuite(text: string, file: string, options: SuiteOptions = {}): Promise<Check[]> {
  const { parse } = await import('yaml');
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    fail(file, `is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = suiteFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    fail(file, `${issue.path.join('.') || 'top level'}: ${issue.message}`);
  }
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.checks;
  if (list.length === 0) fail(file, 'has no checks');
  const env = options.env ?? process.env;
  const names = new Set<string>();
  return list.map((c, i) => {
    const where = `check ${i + 1} (${c.name})`;
    if (names.has(c.name)) fail(file, `${where}: the name is used twice`);
    names.add(c.name);
    let url: string;
    if (c.path !== undefined) {
      if (!options.baseUrl) {
        throw new InputError([
          { input: 'base-url', message: `Input 'base-url' is needed: ${where} in ${file} gives a path, not a url` },
        ]);
      }
      // Appended, so a base-url with a path prefix keeps it (URL resolution would drop it).
      url = options.baseUrl.replace(/\/+$/, '') + c.path;
    } else {
      url = c.url!;
    }
    maskUrlCredentials(url);
    if (!/^https?:\/\//.test(url)) fail(file, `${where}: url ${JSON.stringify(url)} is not http(s)`);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(c.headers ?? {})) {
      if (!HEADER_NAME.test(name)) fail(file, `${where}: invalid header name ${JSON.stringify(name)}`);
      const expanded = expandEnv(String(value), `${where} header ${name}`, env);
      maskCredentialHeader(name, expanded);
      headers[name.toLowerCase()] = expanded;
    }
    let body: string | undefined;
    if (c.body !== undefined && c.body !== null) {
      body = expandEnv(typeof c.body === 'string' ? c.body : JSON.stringify(c.body), `${where} body`, env);
      if (typeof c.body !== 'string' && !headers['content-type']) headers['content-type'] = 'application/json';
    }
    const statusText = String(c.expect?.status ?? '200');
    const status = parseStatusSet(statusText);
    if (!status)
      fail(file, `${where}: expect.status ${JSON.stringify(statusText)} is not a status list like 200,204,300-399`);
    const headerExpect: [string, TextMatcher][] = [];
    for (const [name, value] of Object.entries(c.expect?.headers ?? {})) {
      const matcher = parseTextMatcher(value);
      if (!matcher) fail(file, `${where}: expect.headers.${name} is not a valid /regex/`);
      headerExpect.push([name.toLowerCase(), matcher]);
    }
    const contains = c.expect?.['body-contains'];
    return {
      name: c.name,
      request: { url, method: (c.method ?? 'GET').toUpperCase(), headers, body },
      expect: {
        status,
        json: Object.entries(c.expect?.json ?? {}),
        headers: headerExpect,
        bodyContains: contains === undefined ? [] : Array.isArray(contains) ? contains : [contains],
        version: c.expect?.version ?? false,
      },
    };
  });
}

export interface UrlChecksOptions {
  urls: string[];
  method?: string;
  headers?: Record<string, string>;
  /** Text such as `200,204,300-399`. */
  expectedStatus?: string;
  /** Require the expected version in each answer. */
  version?: boolean;
}

/** One check per `url`: the plain health endpoint probe. */
export function urlChecks(options: UrlChecksOptions): Check[] {
  const status = parseStatusSet(options.expectedStatus ?? '200');
  if (!status) {
    throw new InputError([
      {
        input: 'expected-status',
        message: `Invalid input 'expected-status': got ${JSON.stringify(options.expectedStatus)}; expected statuses like 200,204,300-399`,
      },
    ]);
  }
  maskUrlCredentials(...options.urls);
  return options.urls.map((url) => {
    try {
      if (!/^https?:$/.test(new URL(url).protocol)) throw new Error('protocol');
    } catch {
      throw new InputError([
        { input: 'url', message: `Invalid input 'url': got ${JSON.stringify(url)}; expected http:// or https:// URLs` },
      ]);
    }
    return {
      name: url,
      request: { url, method: (options.method ?? 'GET').toUpperCase(), headers: { ...options.headers } },
      expect: { status, json: [], headers: [], bodyContains: [], version: options.version ?? false },
    };
  });
}

export interface ResolveChecksOptions extends UrlChecksOptions {
  /** A YAML smoke suite file. */
  checksFile?: string;
  /** Resolves the suite's paths; defaults to the origin of the first url. */
  baseUrl?: string;
  env?: NodeJS.ProcessEnv;
  /** A gate of machines only (no HTTP probe) may have no check. */
  allowNone?: boolean;
}

/** Every check of a gate: one per url, then the smoke suite's. At least one is required unless `allowNone`. */
export async function resolveChecks(options: ResolveChecksOptions): Promise<Check[]> {
  if (options.baseUrl) maskUrlCredentials(options.baseUrl);
  const checks = urlChecks(options);
  if (options.checksFile) {
    const baseUrl = options.baseUrl ?? (options.urls[0] ? new URL(options.urls[0]).origin : undefined);
    checks.push(...(await loadSuite(options.checksFile, { baseUrl, env: options.env })));
  }
  if (checks.length === 0 && !options.allowNone) {
    throw new InputError([{ input: 'url', message: "Input required: give 'url' or 'checks-file' (or both)" }]);
  }
  const names = new Set<string>();
  for (const c of checks) {
    if (names.has(c.name)) throw new UserError(`Two checks are named ${JSON.stringify(c.name)}: names must differ`);
    names.add(c.name);
  }
  return checks;
}
