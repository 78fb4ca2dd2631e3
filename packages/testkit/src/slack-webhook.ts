/**
 * A Slack incoming webhook: the payload is checked against Block Kit's documented limits and
 * refused the way Slack refuses it, with an HTTP status and a plain-text error code as the body
 * (https://api.slack.com/messaging/webhooks#handling_errors). Accepted messages answer 200 `ok`.
 *
 * Limits are counted in characters (code points); the renderer counts UTF-16 units, never fewer.
 */
import type { Service, ServiceAnswer } from './http-sink';

/** Error answers of incoming webhooks (https://api.slack.com/messaging/webhooks#handling_errors). */
const ERRORS = {
  /** "The data sent in your request cannot be understood as presented." */
  invalid_payload: 400,
  /** "No message text was provided": no text, blocks or attachments. */
  no_text: 400,
  /** "Too many attachments were provided with this message. A maximum of 100 attachments are allowed." */
  too_many_attachments: 400,
  /** "The blocks submitted with this message are not valid." */
  invalid_blocks: 400,
  /** "The blocks is not a valid JSON object or doesn't match the Block Kit syntax." */
  invalid_blocks_format: 400,
} as const;

type SlackError = keyof typeof ERRORS;

class Refusal extends Error {
  constructor(
    readonly code: SlackError,
    readonly where: string,
  ) {
    super(`${code}: ${where}`);
  }
}

const chars = (text: string) => [...text].length;
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function refuse(where: string, code: SlackError = 'invalid_blocks'): never {
  throw new Refusal(code, where);
}

/** A string of at most `max` characters (`min` at least), or a refusal naming the JSON pointer. */
function text(value: unknown, max: number, where: string, min = 1): void {
  if (typeof value !== 'string') refuse(`${where} must be a string`);
  const n = chars(value);
  if (n < min) refuse(`${where} must be at least ${min} character(s)`);
  if (n > max) refuse(`${where} is ${n} characters, more than ${max}`);
}

/**
 * A text object: `plain_text` or `mrkdwn`, text of 1 to 3,000 characters; `emoji` only for
 * plain_text, `verbatim` only for mrkdwn
 * (https://docs.slack.dev/reference/block-kit/composition-objects/text-object).
 */
function textObject(value: unknown, max: number, where: string, plainOnly = false): void {
  if (!isObject(value)) refuse(`${where} must be a text object`);
  if (value.type !== 'plain_text' && (plainOnly || value.type !== 'mrkdwn')) {
    refuse(`${where}/type must be ${plainOnly ? 'plain_text' : 'plain_text or mrkdwn'}`);
  }
  text(value.text, Math.min(max, 3000), `${where}/text`);
  if (value.emoji !== undefined && value.type !== 'plain_text') refuse(`${where}/emoji is for plain_text only`);
  if (value.verbatim !== undefined && value.type !== 'mrkdwn') refuse(`${where}/verbatim is for mrkdwn only`);
}

function url(value: unknown, where: string): void {
  // Button and image URLs: at most 3,000 characters (block reference, `url` and `image_url`).
  text(value, 3000, where);
}

/** Elements an actions block or an accessory may hold: buttons are what a webhook message can carry. */
function element(value: unknown, where: string): void {
  if (!isObject(value)) refuse(`${where} must be an object`);
  if (value.type === 'button') {
    // https://docs.slack.dev/reference/block-kit/block-elements/button-element
    textObject(value.text, 75, `${where}/text`, true);
    if (value.url !== undefined) url(value.url, `${where}/url`);
    if (value.value !== undefined) text(value.value, 2000, `${where}/value`);
    if (value.action_id !== undefined) text(value.action_id, 255, `${where}/action_id`);
    return;
  }
  if (value.type === 'image') {
    // https://docs.slack.dev/reference/block-kit/block-elements/image-element
    url(value.image_url, `${where}/image_url`);
    text(value.alt_text, 2000, `${where}/alt_text`);
    return;
  }
  refuse(`${where}/type ${JSON.stringify(value.type)} is not an element this model knows`);
}

/** One layout block (https://docs.slack.dev/reference/block-kit/blocks). */
function block(value: unknown, where: string, ids: Set<string>): void {
  if (!isObject(value)) refuse(`${where} must be an object`, 'invalid_blocks_format');
  if (value.block_id !== undefined) {
    // block_id: at most 255 characters, unique within the message.
    text(value.block_id, 255, `${where}/block_id`);
    if (ids.has(value.block_id as string)) refuse(`${where}/block_id repeats ${value.block_id}`);
    ids.add(value.block_id as string);
  }
  switch (value.type) {
    case 'header':
      // "text: ... Maximum length for the text in this field is 150 characters." plain_text only.
      textObject(value.text, 150, `${where}/text`, true);
      return;
    case 'section': {
      // text: at most 3,000 characters; fields: at most 10, each at most 2,000; one of them is required.
      if (value.text === undefined && value.fields === undefined) refuse(`${where} needs text or fields`);
      if (value.text !== undefined) textObject(value.text, 3000, `${where}/text`);
      if (value.fields !== undefined) {
        if (!Array.isArray(value.fields) || value.fields.length === 0)
          refuse(`${where}/fields must be a non-empty array`);
        if (value.fields.length > 10) refuse(`${where}/fields has ${value.fields.length} items, more than 10`);
        for (const [i, f] of value.fields.entries()) textObject(f, 2000, `${where}/fields/${i}`);
      }
      if (value.accessory !== undefined) element(value.accessory, `${where}/accessory`);
      return;
    }
    case 'context': {
      // elements: image elements and text objects, at most 10.
      if (!Array.isArray(value.elements) || value.elements.length === 0)
        refuse(`${where}/elements must be a non-empty array`);
      if (value.elements.length > 10) refuse(`${where}/elements has ${value.elements.length} items, more than 10`);
      for (const [i, e] of value.elements.entries()) {
        if (isObject(e) && e.type === 'image') element(e, `${where}/elements/${i}`);
        else textObject(e, 3000, `${where}/elements/${i}`);
      }
      return;
    }
    case 'divider':
      return;
    case 'image':
      // image_url at most 3,000 characters, alt_text at most 2,000, title plain_text at most 2,000.
      url(value.image_url, `${where}/image_url`);
      text(value.alt_text, 2000, `${where}/alt_text`);
      if (value.title !== undefined) textObject(value.title, 2000, `${where}/title`, true);
      return;
    case 'actions':
      // elements: at most 25.
      if (!Array.isArray(value.elements) || value.elements.length === 0)
        refuse(`${where}/elements must be a non-empty array`);
      if (value.elements.length > 25) refuse(`${where}/elements has ${value.elements.length} items, more than 25`);
      for (const [i, e] of value.elements.entries()) element(e, `${where}/elements/${i}`);
      return;
    default:
      refuse(`${where}/type ${JSON.stringify(value.type)} is not a block type`);
  }
}

function check(body: string): void {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    refuse('the body is not JSON', 'invalid_payload');
  }
  if (!isObject(payload)) refuse('the body is not a JSON object', 'invalid_payload');
  const { text: fallback, blocks, attachments } = payload;
  if (fallback === undefined && blocks === undefined && attachments === undefined) refuse('no text', 'no_text');
  if (fallback !== undefined && typeof fallback !== 'string') refuse('/text must be a string', 'invalid_payload');
  if (attachments !== undefined) {
    if (!Array.isArray(attachments)) refuse('/attachments must be an array', 'invalid_payload');
    if (attachments.length > 100) refuse(`${attachments.length} attachments`, 'too_many_attachments');
  }
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) refuse('/blocks must be an array', 'invalid_blocks_format');
    // "You can include up to 50 blocks in each message."
    if (blocks.length > 50) refuse(`/blocks has ${blocks.length} blocks, more than 50`);
    const ids = new Set<string>();
    for (const [i, b] of blocks.entries()) block(b, `/blocks/${i}`, ids);
  }
}

/** Slack's incoming webhook endpoint (`POST https://hooks.slack.com/services/T…/B…/…`). */
export const slackWebhook: Service = (request): ServiceAnswer => {
  try {
    check(request.body);
    return { status: 200, body: 'ok', posted: true };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return { status: ERRORS[error.code], body: error.code, posted: false, problem: error.message };
  }
};
