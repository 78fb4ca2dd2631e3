/**
 * The chat service models refuse what the services refuse, in the services' own words, and accept
 * what they accept: a stand-in that accepted everything would prove nothing about our payloads.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discordWebhook, slackWebhook, TEAMS_MESSAGE_LIMIT_BYTES, teamsWorkflow } from '../src/chat-services';
import { type HttpSink, startHttpSink } from '../src/http-sink';

let sink: HttpSink;
beforeAll(async () => {
  sink = await startHttpSink();
  sink.serve('/slack', slackWebhook);
  sink.serve(/^\/api\/(v\d+\/)?webhooks\//, discordWebhook);
  sink.serve('/teams', teamsWorkflow);
});
afterAll(() => sink.close());
beforeEach(() => sink.reset());

async function post(path: string, payload: unknown) {
  const response = await fetch(sink.url(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  const text = await response.text();
  const recorded = sink.requests.at(-1)!;
  return { status: response.status, text, posted: recorded.posted, problem: recorded.problem };
}

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });

describe('Slack incoming webhook', () => {
  it('accepts a message at every limit', async () => {
    const r = await post('/slack', {
      text: 'fallback',
      blocks: [
        { type: 'header', text: plain('h'.repeat(150)) },
        {
          type: 'section',
          text: mrkdwn('s'.repeat(3000)),
          fields: Array.from({ length: 10 }, () => mrkdwn('f'.repeat(2000))),
        },
        { type: 'context', elements: Array.from({ length: 10 }, () => mrkdwn('c'.repeat(3000))) },
        {
          type: 'actions',
          elements: [{ type: 'button', text: plain('b'.repeat(75)), url: `https://x/${'u'.repeat(2990)}` }],
        },
        ...Array.from({ length: 46 }, () => ({ type: 'divider' })),
      ],
    });
    expect(r).toMatchObject({ status: 200, text: 'ok', posted: true });
    // Characters, not UTF-16 units: 150 emoji are 300 units and still fit a header.
    expect((await post('/slack', { blocks: [{ type: 'header', text: plain('🚀'.repeat(150)) }] })).status).toBe(200);
  });

  it.each([
    ['header over 150', { blocks: [{ type: 'header', text: plain('h'.repeat(151)) }] }, /blocks\/0\/text\/text is 151/],
    ['header in mrkdwn', { blocks: [{ type: 'header', text: mrkdwn('h') }] }, /must be plain_text/],
    ['section text over 3000', { blocks: [{ type: 'section', text: mrkdwn('s'.repeat(3001)) }] }, /3001 characters/],
    ['11 fields', { blocks: [{ type: 'section', fields: Array.from({ length: 11 }, () => mrkdwn('f')) }] }, /11 items/],
    [
      'field over 2000',
      { blocks: [{ type: 'section', fields: [mrkdwn('f'.repeat(2001))] }] },
      /fields\/0\/text is 2001/,
    ],
    ['empty section', { blocks: [{ type: 'section' }] }, /needs text or fields/],
    ['empty text', { blocks: [{ type: 'section', text: mrkdwn('') }] }, /at least 1/],
    [
      'context over 3000',
      { blocks: [{ type: 'context', elements: [mrkdwn('c'.repeat(3001))] }] },
      /elements\/0\/text is 3001/,
    ],
    [
      '11 context elements',
      { blocks: [{ type: 'context', elements: Array.from({ length: 11 }, () => mrkdwn('c')) }] },
      /11 items/,
    ],
    [
      'button url over 3000',
      {
        blocks: [
          { type: 'actions', elements: [{ type: 'button', text: plain('b'), url: `https://x/${'u'.repeat(2991)}` }] },
        ],
      },
      /url is 3001/,
    ],
    ['51 blocks', { blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, /51 blocks/],
    ['unknown block', { blocks: [{ type: 'table' }] }, /not a block type/],
    [
      'repeated block_id',
      {
        blocks: [
          { type: 'divider', block_id: 'a' },
          { type: 'divider', block_id: 'a' },
        ],
      },
      /repeats a/,
    ],
  ])('refuses %s with 400 invalid_blocks', async (_name, payload, problem) => {
    const r = await post('/slack', payload);
    expect(r).toMatchObject({ status: 400, text: 'invalid_blocks', posted: false });
    expect(r.problem).toMatch(problem);
  });

  it('answers the other documented errors', async () => {
    expect(await post('/slack', 'not json')).toMatchObject({ status: 400, text: 'invalid_payload' });
    expect(await post('/slack', {})).toMatchObject({ status: 400, text: 'no_text' });
    expect(await post('/slack', { attachments: Array.from({ length: 101 }, () => ({})) })).toMatchObject({
      status: 400,
      text: 'too_many_attachments',
    });
    expect(await post('/slack', { blocks: {} })).toMatchObject({ status: 400, text: 'invalid_blocks_format' });
  });

  it('lets a scripted failure answer first, and checks the payload behind a scripted success', async () => {
    sink.script('/slack', [{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }]);
    expect((await post('/slack', { text: 'x' })).status).toBe(429);
    expect(await post('/slack', { blocks: [{ type: 'header', text: plain('h'.repeat(151)) }] })).toMatchObject({
      status: 400,
      text: 'invalid_blocks',
    });
  });
});

describe('Discord webhook', () => {
  const embed = (over: Record<string, unknown> = {}) => ({ title: 't', description: 'd', ...over });

  it('accepts an embed at the limits with 204, and counts characters after trimming', async () => {
    const fields = Array.from({ length: 25 }, () => ({ name: 'n', value: 'v'.repeat(100) }));
    const r = await post('/api/webhooks/1/token', {
      content: 'c'.repeat(2000),
      embeds: [
        embed({
          title: '🚀'.repeat(256),
          description: `${'d'.repeat(1000)}   `,
          fields,
          footer: { text: 'f'.repeat(2000) },
        }),
      ],
    });
    expect(r).toMatchObject({ status: 204, text: '', posted: true });
  });

  it.each([
    ['title over 256', { embeds: [embed({ title: 't'.repeat(257) })] }, 'embeds.0.title'],
    ['description over 4096', { embeds: [embed({ description: 'd'.repeat(4097) })] }, 'embeds.0.description'],
    [
      '26 fields',
      { embeds: [embed({ fields: Array.from({ length: 26 }, () => ({ name: 'n', value: 'v' })) })] },
      'embeds.0.fields',
    ],
    [
      'field value over 1024',
      { embeds: [embed({ fields: [{ name: 'n', value: 'v'.repeat(1025) }] })] },
      'embeds.0.fields.0.value',
    ],
    ['empty field value', { embeds: [embed({ fields: [{ name: 'n', value: '  ' }] })] }, 'embeds.0.fields.0.value'],
    [
      'field name over 256',
      { embeds: [embed({ fields: [{ name: 'n'.repeat(257), value: 'v' }] })] },
      'embeds.0.fields.0.name',
    ],
    ['footer over 2048', { embeds: [embed({ footer: { text: 'f'.repeat(2049) } })] }, 'embeds.0.footer.text'],
    ['author over 256', { embeds: [embed({ author: { name: 'a'.repeat(257) } })] }, 'embeds.0.author.name'],
    [
      'a total over 6000',
      { embeds: [embed({ description: 'd'.repeat(4000) }), embed({ description: 'd'.repeat(2000) })] },
      'embeds.1',
    ],
    ['11 embeds', { embeds: Array.from({ length: 11 }, () => embed()) }, 'embeds'],
    ['a bad url', { embeds: [embed({ url: 'javascript:alert(1)' })] }, 'embeds.0.url'],
  ])('refuses %s with 400 naming the embed', async (_name, payload, path) => {
    const r = await post('/api/webhooks/1/token', payload);
    expect(r.status).toBe(400);
    expect(r.posted).toBe(false);
    expect(r.problem).toContain(`${path}:`);
    const legacy = JSON.parse(r.text);
    const [, index] = path.split('.');
    expect(legacy).toEqual({ embeds: [index ?? expect.stringMatching(/^Must be 10/)] });
  });

  it('names the field path in the v8+ error format, and refuses content over 2,000 and empty messages', async () => {
    const r = await post('/api/v10/webhooks/1/token', {
      embeds: [embed({ fields: [{ name: 'n', value: 'v'.repeat(1025) }] })],
    });
    expect(JSON.parse(r.text)).toEqual({
      code: 50035,
      errors: {
        embeds: {
          0: {
            fields: {
              0: {
                value: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 1024 or fewer in length.' }] },
              },
            },
          },
        },
      },
      message: 'Invalid Form Body',
    });
    expect(JSON.parse((await post('/api/webhooks/1/t', { content: 'c'.repeat(2001) })).text)).toEqual({
      content: ['Must be 2000 or fewer in length.'],
    });
    expect(JSON.parse((await post('/api/webhooks/1/t', { content: ' ' })).text)).toEqual({
      message: 'Cannot send an empty message',
      code: 50006,
    });
  });
});

describe('Teams Workflows webhook', () => {
  const card = (body: unknown[] = [{ type: 'TextBlock', text: 'hi' }]) => ({
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: { type: 'AdaptiveCard', version: '1.4', body },
      },
    ],
  });

  it('answers 202 to anything that is JSON; the flow posts only an Adaptive Card within ~28 KB', async () => {
    expect(await post('/teams', card())).toMatchObject({ status: 202, posted: true });
    const big = card([{ type: 'TextBlock', text: 'x'.repeat(TEAMS_MESSAGE_LIMIT_BYTES) }]);
    const r = await post('/teams', big);
    expect(r).toMatchObject({ status: 202, posted: false });
    expect(r.problem).toMatch(/Request Entity too large/);
    expect(await post('/teams', { text: 'plain' })).toMatchObject({ status: 202, posted: false });
    expect(await post('/teams', { '@type': 'MessageCard', text: 'x' })).toMatchObject({ status: 202, posted: false });
    expect((await post('/teams', card([{ type: 'TextBlock' }]))).problem).toMatch(/TextBlock has no text/);
    expect(await post('/teams', 'not json')).toMatchObject({ status: 400, posted: false });
  });
});
