import { discordWebhook, slackWebhook, teamsWorkflow } from '@deploy-actions/testkit/chat-services';
import { type HttpSink, startHttpSink } from '@deploy-actions/testkit/http-sink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildMessage,
  type DeployMessage,
  fit,
  type MessageFields,
  notify,
  renderDiscord,
  renderEmail,
  renderPrComment,
  renderSlack,
  renderTeams,
} from '../src/index';
import { runContext } from './context';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every field as long as a hostile or careless input can make it: the step's fields and the run's. */
function extremeInputs(unit: string, url = `https://shop.example.com/${'p'.repeat(5_000)}`) {
  const huge = unit.repeat(Math.ceil(20_000 / unit.length));
  const fields: MessageFields = {
    status: 'rolled-back',
    title: huge,
    app: huge,
    environment: huge,
    version: huge,
    imageRef: huge,
    releaseVersion: huge,
    url,
    reason: huge,
    extra: huge,
    commitMessage: huge,
  };
  const run = runContext({
    runUrl: `https://github.com/acme/shop/actions/runs/${'9'.repeat(5_000)}`,
    repository: huge,
  });
  return { fields, run };
}

function extreme(unit: string): DeployMessage {
  const { fields, run } = extremeInputs(unit);
  return buildMessage(fields, run);
}

const texts = (value: unknown): string[] =>
  typeof value === 'string'
    ? [value]
    : Array.isArray(value)
      ? value.flatMap(texts)
      : value && typeof value === 'object'
        ? Object.values(value).flatMap(texts)
        : [];

const UNITS = [
  ['emoji', '👩‍👩‍👧‍👦🇺🇦'],
  ['markup', '*_`[]<>&|@#'],
  ['text', 'x'],
] as const;

describe('every service limit holds for extreme inputs', () => {
  for (const [name, unit] of UNITS) {
    it(`Slack Block Kit (${name})`, () => {
      const payload = renderSlack(extreme(unit)) as {
        text: string;
        blocks: { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text: string }[] }[];
      };
      expect(payload.text.length).toBeLessThanOrEqual(3000);
      expect(payload.blocks[0].text!.text.length).toBeLessThanOrEqual(150);
      for (const block of payload.blocks) {
        if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
        for (const f of block.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
        for (const e of block.elements ?? []) expect(e.text.length).toBeLessThanOrEqual(3000);
        // A cut never leaves an unterminated link.
        for (const f of block.fields ?? []) expect(f.text).not.toMatch(/<https?:[^>]*$/);
      }
      for (const t of texts(payload)) expect(t).not.toMatch(LONE_SURROGATE);
    });

    it(`Discord embed (${name})`, () => {
      const embed = (renderDiscord(extreme(unit)).embeds as Record<string, unknown>[])[0] as {
        title: string;
        description?: string;
        footer?: { text: string };
        fields: { name: string; value: string }[];
      };
      for (const f of embed.fields) {
        expect(f.value.length).toBeGreaterThan(0);
        expect(f.value.length).toBeLessThanOrEqual(1024);
      }
      // Discord's embed total: title, description, field names and values, footer (discord.com/developers/docs/resources/message#embed-object-embed-limits).
      const total =
        embed.title.length +
        (embed.description?.length ?? 0) +
        (embed.footer?.text.length ?? 0) +
        embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
      expect(total).toBeLessThanOrEqual(6000);
      for (const t of texts(embed)) expect(t).not.toMatch(LONE_SURROGATE);
    });

    it(`Teams card (${name})`, () => {
      const payload = renderTeams(extreme(unit));
      expect(Buffer.byteLength(JSON.stringify(payload))).toBeLessThanOrEqual(28_000);
      for (const t of texts(payload)) expect(t).not.toMatch(LONE_SURROGATE);
    });

    it(`PR comment and email (${name})`, () => {
      const comment = renderPrComment(extreme(unit));
      expect([...comment].length).toBeLessThanOrEqual(65_536);
      expect(comment).not.toMatch(LONE_SURROGATE);
      expect(renderEmail(extreme(unit)).subject).not.toMatch(LONE_SURROGATE);
    });
  }

  it('cuts at grapheme boundaries, never inside an emoji or an escape', () => {
    const family = '👩‍👩‍👧‍👦';
    expect(fit(`${family}${family}`, 13)).toBe(`${family}…`);
    expect(fit('a👍🏽b', 3)).toBe('a…');
  });
});

describe('Slack mrkdwn shows user text literally', () => {
  it('entity-escapes code spans and neutralises formatting characters', () => {
    const m = buildMessage(
      {
        status: 'success',
        imageRef: 'registry.fly.io/shop:<!channel>&<@U1>',
        reason: '*bold* _italic_ ~strike~ `code`',
      },
      runContext(),
    );
    const json = JSON.stringify(renderSlack(m));
    expect(json).toContain('`registry.fly.io/shop:&lt;!channel&gt;&amp;&lt;@\u200bU1&gt;`');
    expect(json).not.toContain('<!channel>');
    expect(json).not.toMatch(/\*bold\*|_italic_|~strike~|`code`/);
  });
});

describe('the services take every message at the limits', () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await startHttpSink();
    sink.serve('/slack', slackWebhook);
    sink.serve('/discord', discordWebhook);
    sink.serve('/teams', teamsWorkflow);
  });
  afterAll(() => sink.close());

  for (const [name, unit] of UNITS) {
    it(`Slack, Discord and Teams post the message (${name})`, async () => {
      sink.reset();
      const { fields, run } = extremeInputs(unit);
      const { commitMessage: _c, ...message } = fields;
      const result = await notify(
        {
          message,
          channels: {
            slack: { webhook: sink.url('/slack') },
            discord: { webhook: sink.url('/discord') },
            teams: { webhook: sink.url('/teams') },
          },
          retries: 0,
          timeoutMs: 5_000,
        },
        { ...run, event: { head_commit: { id: run.sha, message: fields.commitMessage } } },
      );
      const refused = sink.requests.filter((r) => !r.posted).map((r) => `${r.path}: ${r.status} ${r.problem}`);
      expect(refused).toEqual([]);
      expect(result.failed).toEqual([]);
      expect(sink.requests).toHaveLength(3);
    });
  }
});
