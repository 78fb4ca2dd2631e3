import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildMessage,
  type DeployMessage,
  escapeHtml,
  escapeMd,
  escapeSlack,
  escapeTeams,
  fit,
  renderDiscord,
  renderEmail,
  renderPrComment,
  renderSlack,
  renderTeams,
  renderWebhook,
  safeUrl,
  webhookJsonSchema,
  webhookPayloadSchema,
} from '../src/index';
import { runContext, SHA } from './context';

/** Text a hostile committer controls: mentions, links, markup and HTML in every syntax we render. */
const HOSTILE_COMMIT =
  'Fix <!channel> <@U123> @everyone @here <https://evil.example|click> [free](https://evil.example) **bold** <script>alert(1)</script> #12 & `tick`\n\nsecond line';
const HOSTILE_BRANCH = 'feat/<!here>-[x](https://evil.example)';
const HOSTILE_REASON = 'because <b>bold</b> & <@U999> [link](javascript:alert(1)) @channel';

function hostile(): DeployMessage {
  return buildMessage(
    {
      status: 'failure',
      app: 'shop',
      environment: 'production',
      version: 'v1.2.3',
      imageRef: 'registry.fly.io/shop:deployment-01`x',
      releaseVersion: '42',
      url: 'https://shop.example.com',
      reason: HOSTILE_REASON,
      commitMessage: HOSTILE_COMMIT,
      startedAt: Date.parse('2026-01-01T00:00:00Z'),
      now: Date.parse('2026-01-01T00:03:25Z'),
    },
    runContext({ eventName: 'pull_request', event: { pull_request: { number: 7, head: { ref: HOSTILE_BRANCH } } } }),
  );
}

describe('message model', () => {
  it('takes the first line of the commit, the PR branch, the duration and the run link', () => {
    const m = hostile();
    expect(m.commitTitle).toBe(HOSTILE_COMMIT.split('\n')[0]);
    expect(m.ref).toBe(HOSTILE_BRANCH);
    expect(m.durationMs).toBe(205_000);
    expect(m.runUrl).toBe('https://github.com/acme/shop/actions/runs/42');
    expect(m.commitUrl).toBe(`https://github.com/acme/shop/commit/${SHA}`);
    expect(m.title).toBe('Deploy failed for shop to production');
  });

  it('reads the commit message of a push event', () => {
    const m = buildMessage(
      { status: 'success' },
      runContext({ event: { head_commit: { id: SHA, message: 'Add cart\n\nlong body' } } }),
    );
    expect(m.commitTitle).toBe('Add cart');
    expect(m.title).toBe('Deployed shop');
  });
});

describe('escaping', () => {
  it('leaves no Slack mention or link syntax from user text', () => {
    const payload = renderSlack(hostile());
    const json = JSON.stringify(payload);
    for (const forbidden of ['<!channel>', '<!here>', '<@U123>', '<@U999>', '<https://evil.example|', '<script>']) {
      expect(json).not.toContain(forbidden);
    }
    expect(json).toContain('&lt;!channel&gt;');
    expect(json).not.toMatch(/@everyone|@here|@channel/);
    // The only links are ours: the run, the app, the commit.
    const links = [...json.matchAll(/<(https?:[^|>]+)\|/g)].map((l) => l[1]);
    expect(
      links.every((l) => l.startsWith('https://github.com/acme/shop') || l.startsWith('https://shop.example.com')),
    ).toBe(true);
    // A backtick in the image ref cannot close the code span early.
    expect(json).toContain('`registry.fly.io/shop:deployment-01ˋx`');
  });

  it('leaves no Markdown link, mention or HTML from user text (Discord, Teams, PR comment)', () => {
    const m = hostile();
    for (const text of [JSON.stringify(renderDiscord(m)), JSON.stringify(renderTeams(m)), renderPrComment(m)]) {
      expect(text).not.toContain('[free](https://evil.example)');
      expect(text).not.toContain('[x](https://evil.example)');
      expect(text).not.toContain('[link](javascript');
      expect(text).not.toContain('<script>');
      expect(text).not.toMatch(/@everyone|@here|@channel/);
      expect(text).not.toMatch(/(^|\s)#12/);
    }
    expect(renderDiscord(m).allowed_mentions).toEqual({ parse: [] });
  });

  it('HTML-escapes every user value in the email and keeps the subject on one line', () => {
    const mail = renderEmail(hostile());
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).not.toContain('<b>bold</b>');
    expect(mail.html).not.toContain('href="javascript');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.text).toContain(HOSTILE_COMMIT.split('\n')[0]);
    const injected = renderEmail(
      buildMessage({ status: 'success', title: 'x\r\nBcc: victim@example.com' }, runContext()),
    );
    expect(injected.subject).toBe('[success] x Bcc: victim@example.com');
  });

  it('escapes per format and never cuts an escape sequence in half', () => {
    expect(escapeSlack('a & <b> @here')).toBe('a &amp; &lt;b&gt; @\u200bhere');
    expect(escapeMd('[x](y) *z* @me #5')).toBe('\\[x\\]\\(y\\) \\*z\\* @\u200bme #\u200b5');
    expect(escapeTeams('**b** [x](y) @me\n- item')).toBe(
      '*\u200b*\u200bb*\u200b*\u200b [\u200bx]\u200b(y) @\u200bme\n-\u200b item',
    );
    expect(escapeHtml(`<a href="x">'`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;');
    const cut = fit('&'.repeat(100), 20, escapeSlack);
    expect(cut.length).toBeLessThanOrEqual(20);
    expect(cut).toMatch(/^(&amp;)+…$/);
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('https://x.example/a|b>c')).toBe('https://x.example/a%7Cb%3Ec');
  });
});

describe('channel formats', () => {
  it('keeps Discord embeds within their limits for huge inputs', () => {
    const huge = 'x'.repeat(10_000);
    const m = buildMessage(
      { status: 'success', app: huge, environment: huge, version: huge, reason: huge, extra: huge, title: huge },
      runContext(),
    );
    const embed = (renderDiscord(m).embeds as Record<string, unknown>[])[0] as {
      title: string;
      description: string;
      fields: { name: string; value: string }[];
    };
    expect(embed.title.length).toBeLessThanOrEqual(256);
    expect(embed.description.length).toBeLessThanOrEqual(4096);
    expect(embed.fields.length).toBeLessThanOrEqual(25);
    for (const f of embed.fields) {
      expect(f.value.length).toBeGreaterThan(0);
      expect(f.value.length).toBeLessThanOrEqual(1024);
    }
    const total =
      embed.title.length +
      embed.description.length +
      embed.fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);

    const slack = renderSlack(m) as {
      text: string;
      blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[];
    };
    expect(slack.blocks[0].text!.text.length).toBeLessThanOrEqual(150);
    for (const b of slack.blocks) {
      if (b.type === 'section' && b.text) expect(b.text.text.length).toBeLessThanOrEqual(3000);
      for (const f of b.fields ?? []) expect(f.text.length).toBeLessThanOrEqual(2000);
    }
  });

  it('wraps Teams cards in the envelope Workflows webhooks accept', () => {
    const payload = renderTeams(hostile()) as {
      type: string;
      attachments: { contentType: string; content: Record<string, unknown> }[];
    };
    expect(payload.type).toBe('message');
    expect(payload.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(payload.attachments[0].content.type).toBe('AdaptiveCard');
    expect(payload.attachments[0].content.version).toBe('1.4');
  });

  it('sends the versioned webhook body, raw and complete', () => {
    const body = renderWebhook(hostile());
    expect(webhookPayloadSchema.parse(body)).toEqual(body);
    expect(body).toMatchObject({
      schema: 'deploy-actions/notify@1',
      status: 'failure',
      reason: HOSTILE_REASON,
      commit: { sha: SHA, short_sha: SHA.slice(0, 7), title: HOSTILE_COMMIT.split('\n')[0] },
      run: { id: '42', url: 'https://github.com/acme/shop/actions/runs/42' },
      duration_ms: 205_000,
      rollback: false,
    });
    expect(renderWebhook(buildMessage({ status: 'rolled-back' }, runContext())).rollback).toBe(true);
  });

  it('publishes the webhook JSON Schema that the code sends', () => {
    const file = join(import.meta.dirname, '..', 'webhook-schema.json');
    // Regenerate: npx tsx -e "import('./packages/notify/src/render/webhook.ts').then(m => console.log(JSON.stringify(m.webhookJsonSchema(), null, 2)))"
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(webhookJsonSchema());
  });

  it('describes a rollback in every format', () => {
    const m = buildMessage(
      { status: 'rolled-back', app: 'shop', environment: 'production', imageRef: 'img:good', releaseVersion: '41' },
      runContext(),
    );
    expect(m.title).toBe('Rolled back shop in production');
    for (const text of [
      JSON.stringify(renderSlack(m)),
      JSON.stringify(renderDiscord(m)),
      renderEmail(m).text,
      renderPrComment(m),
    ]) {
      expect(text).toMatch(/Rolled back to/);
    }
  });
});
