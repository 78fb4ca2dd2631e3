/**
 * A Discord webhook (Execute Webhook, https://discord.com/developers/docs/resources/webhook#execute-webhook):
 * the payload is checked against the documented message and embed limits
 * (https://discord.com/developers/docs/resources/message#embed-object-embed-limits) and refused with
 * 400 and a JSON body naming the offending field. Accepted messages answer 204 (200 with `?wait=true`).
 *
 * The error body depends on the API version in the URL (https://discord.com/developers/docs/reference#api-versioning):
 * webhook URLs as Discord hands them out (`/api/webhooks/<id>/<token>`) carry none and reach the default
 * version 6, whose form errors name the field and the index only (`{"embeds": ["0"]}`); `/api/v8/` and later
 * answer `{"code": 50035, "errors": {...}, "message": "Invalid Form Body"}` with the path of the field
 * (https://discord.com/developers/docs/reference#error-messages).
 *
 * Lengths are counted in characters (code points) after trimming leading and trailing whitespace, as the
 * limits table says; the renderer counts UTF-16 units, never fewer.
 */
import type { Service, ServiceAnswer } from './http-sink';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const chars = (text: string) => [...text.trim()].length;

/** One broken rule: the path of the field (`embeds.0.title`) and Discord's code and message for it. */
class FormError extends Error {
  constructor(
    readonly path: (string | number)[],
    readonly code: string,
    readonly text: string,
  ) {
    super(`${path.join('.') || '(body)'}: ${text}`);
  }
}

function refuse(path: (string | number)[], code: string, text: string): never {
  throw new FormError(path, code, text);
}

function maxLength(value: unknown, max: number, path: (string | number)[], required = false): number {
  if (value === undefined || value === null) {
    if (required) refuse(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return 0;
  }
  if (typeof value !== 'string') refuse(path, 'STRING_TYPE_CONVERT', 'Could not interpret value as string.');
  const n = chars(value);
  if (required && n === 0) refuse(path, 'BASE_TYPE_REQUIRED', 'This field is required');
  if (n > max) refuse(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  return n;
}

function httpUrl(value: unknown, path: (string | number)[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string' || !/^https?:\/\/[^\s]+$/i.test(value) || !URL.canParse(value)) {
    refuse(path, 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
  }
}

/** One embed; returns the characters it counts towards the 6,000 of the message. */
function embed(value: unknown, at: (string | number)[]): number {
  if (!isObject(value)) refuse(at, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
  let total = 0;
  total += maxLength(value.title, 256, [...at, 'title']);
  total += maxLength(value.description, 4096, [...at, 'description']);
  httpUrl(value.url, [...at, 'url']);
  if (value.color !== undefined && value.color !== null) {
    const color = value.color;
    if (typeof color !== 'number' || !Number.isInteger(color) || color < 0 || color > 0xffffff) {
      refuse([...at, 'color'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
    }
  }
  if (value.timestamp !== undefined && value.timestamp !== null) {
    if (typeof value.timestamp !== 'string' || Number.isNaN(Date.parse(value.timestamp))) {
      refuse([...at, 'timestamp'], 'DATE_TIME_TYPE_PARSE', 'Could not parse timestamp. Should be ISO8601.');
    }
  }
  if (value.fields !== undefined) {
    const fields = value.fields;
    if (!Array.isArray(fields)) refuse([...at, 'fields'], 'LIST_TYPE_CONVERT', 'Must be an array.');
    if (fields.length > 25) refuse([...at, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    fields.forEach((f, i) => {
      if (!isObject(f))
        refuse([...at, 'fields', i], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
      // Name and value are required and may not be empty (the embed field structure).
      total += maxLength(f.name, 256, [...at, 'fields', i, 'name'], true);
      total += maxLength(f.value, 1024, [...at, 'fields', i, 'value'], true);
    });
  }
  if (value.footer !== undefined && value.footer !== null) {
    const footer = value.footer;
    if (!isObject(footer))
      refuse([...at, 'footer'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    total += maxLength(footer.text, 2048, [...at, 'footer', 'text'], true);
  }
  if (value.author !== undefined && value.author !== null) {
    const author = value.author;
    if (!isObject(author))
      refuse([...at, 'author'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
    total += maxLength(author.name, 256, [...at, 'author', 'name'], true);
    httpUrl(author.url, [...at, 'author', 'url']);
  }
  return total;
}

type Refused = { status: number; body: unknown; problem: string };

function check(body: string): Refused | undefined {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    // JSON error codes (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
    return {
      status: 400,
      body: { message: 'The request body contains invalid JSON.', code: 50109 },
      problem: 'not JSON',
    };
  }
  if (!isObject(payload)) {
    return {
      status: 400,
      body: { message: 'The request body contains invalid JSON.', code: 50109 },
      problem: 'not an object',
    };
  }
  const hasContent = typeof payload.content === 'string' && payload.content.trim() !== '';
  const embeds = Array.isArray(payload.embeds) ? payload.embeds : [];
  // "you must provide a value for at least one of content, embeds, components, file, or poll"
  if (!hasContent && embeds.length === 0 && payload.components === undefined && payload.poll === undefined) {
    return { status: 400, body: { message: 'Cannot send an empty message', code: 50006 }, problem: 'empty message' };
  }
  try {
    maxLength(payload.content, 2000, ['content']);
    if (payload.embeds !== undefined && !Array.isArray(payload.embeds)) {
      refuse(['embeds'], 'LIST_TYPE_CONVERT', 'Must be an array.');
    }
    if (embeds.length > 10) refuse(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    // "the combined sum of characters in all title, description, field.name, field.value, footer.text,
    // and author.name fields across all embeds attached to a message must not exceed 6000 characters":
    // the embed that crosses it is the one named.
    let total = 0;
    embeds.forEach((e, i) => {
      total += embed(e, ['embeds', i]);
      if (total > 6000) refuse(['embeds', i], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
    });
    const parse = isObject(payload.allowed_mentions) ? payload.allowed_mentions.parse : undefined;
    if (parse !== undefined) {
      if (!Array.isArray(parse) || parse.some((p) => !['roles', 'users', 'everyone'].includes(p as string))) {
        refuse(
          ['allowed_mentions', 'parse'],
          'BASE_TYPE_CHOICES',
          "Value must be one of {'roles', 'users', 'everyone'}.",
        );
      }
    }
    return undefined;
  } catch (error) {
    if (!(error instanceof FormError)) throw error;
    return { status: 400, body: error, problem: error.message };
  }
}

/** The v8+ form error body: the path as nested keys, `_errors` at its end. */
function nested(error: FormError): unknown {
  let errors: unknown = { _errors: [{ code: error.code, message: error.text }] };
  for (const key of [...error.path].reverse()) errors = { [String(key)]: errors };
  return { code: 50035, errors, message: 'Invalid Form Body' };
}

/** The version 6 form error body: the top-level field, and for a list the index of the offending item. */
function legacy(error: FormError): unknown {
  const [field, index] = error.path;
  return { [String(field)]: [typeof index === 'number' ? String(index) : error.text] };
}

/** Discord's Execute Webhook endpoint (`POST https://discord.com/api/webhooks/<id>/<token>`). */
export const discordWebhook: Service = (request): ServiceAnswer => {
  const refused = check(request.body);
  if (!refused) {
    // `wait=true` returns the message; otherwise 204 No Content.
    return request.query.get('wait') === 'true'
      ? { status: 200, body: { id: '1', type: 0, content: '' }, posted: true }
      : { status: 204, posted: true };
  }
  const version = Number(/\/api\/v(\d+)\//.exec(request.path)?.[1] ?? 6);
  const body =
    refused.body instanceof FormError ? (version >= 8 ? nested(refused.body) : legacy(refused.body)) : refused.body;
  return { status: refused.status, body, posted: false, problem: refused.problem };
};
