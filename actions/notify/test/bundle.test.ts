import { findLeaks, runBundle } from '@deploy-actions/runner';
import { discordWebhook, slackWebhook, teamsWorkflow } from '@deploy-actions/testkit/chat-services';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { type HttpSink, startHttpSink } from '@deploy-actions/testkit/http-sink';
import { startSmtpServer, type TestSmtpServer } from '@deploy-actions/testkit/smtp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const SLACK_TOKEN = 'T0AAA/B0BBB/slackWebhookSecretPart';
const TEAMS_TOKEN = 'sig=teamsWebhookSignatureSecret';
const DISCORD_TOKEN = '1234/discordWebhookSecretToken';
const HOOK_SECRET = 'hmac-signing-secret-value';
const SMTP_PASSWORD = 'smtp-Pa$$w0rd/with:chars';

let sink: HttpSink;
let api: GitHubApi;
let smtp: TestSmtpServer;
let tls: TestSmtpServer;

beforeAll(async () => {
  [sink, api, smtp, tls] = await Promise.all([
    startHttpSink(),
    startGitHubApi({ repository: 'acme/shop' }),
    startSmtpServer({ tls: 'none', auth: { user: 'deploys@example.com', pass: SMTP_PASSWORD } }),
    startSmtpServer({ tls: 'implicit', auth: { user: 'deploys@example.com', pass: SMTP_PASSWORD } }),
  ]);
  // The chat URLs have the services' own shapes and behave as the services do.
  sink.serve(/^\/services\//, slackWebhook);
  sink.serve('/workflows/invoke', teamsWorkflow);
  sink.serve(/^\/api\/webhooks\//, discordWebhook);
});
afterAll(async () => {
  await Promise.all([sink.close(), api.close(), smtp.close(), tls.close()]);
});
beforeEach(() => {
  sink.reset();
  api.reset();
});

const slackUrl = () => sink.url(`/services/${SLACK_TOKEN}`);
const teamsUrl = () => `${sink.url('/workflows/invoke')}?api-version=1&${TEAMS_TOKEN}`;
const discordUrl = () => sink.url(`/api/webhooks/${DISCORD_TOKEN}`);

const SECRETS = () => [
  slackUrl(),
  SLACK_TOKEN,
  'slackWebhookSecretPart',
  teamsUrl(),
  'teamsWebhookSignatureSecret',
  discordUrl(),
  'discordWebhookSecretToken',
  HOOK_SECRET,
  SMTP_PASSWORD,
  encodeURIComponent(SMTP_PASSWORD),
  api.token,
];

const HOSTILE_PUSH = {
  head_commit: {
    id: SHA,
    message: 'Fix <!channel> [pay here](https://evil.example) <img src=x onerror=alert(1)>\n\nbody',
  },
};

function run(inputs: Record<string, string | undefined>, extra: Parameters<typeof runBundle>[1] = {}) {
  return runBundle('notify', {
    inputs,
    event: HOSTILE_PUSH,
    githubToken: api.token,
    context: { repository: 'acme/shop', sha: SHA, runId: '4242', apiUrl: api.url },
    ...extra,
  });
}

describe('notify bundle', () => {
  it('delivers to every channel, records the deployment and the PR comment, and leaks no secret', async () => {
    sink.script('/workflows/invoke', [{ status: 500, body: 'flow busy' }, { status: 202 }]);
    sink.script(`/api/webhooks/${DISCORD_TOKEN}`, [{ status: 204 }]);
    const r = await run(
      {
        status: 'success',
        app: 'shop',
        environment: 'production',
        version: 'v1.4.0',
        'image-ref': 'registry.fly.io/shop@sha256:feed',
        'release-version': '42',
        url: 'https://shop.example.com',
        reason: 'Release <@U1> @here',
        'slack-webhook': slackUrl(),
        'teams-webhook': teamsUrl(),
        'discord-webhook': discordUrl(),
        'webhook-url': sink.url('/hook'),
        'webhook-secret': HOOK_SECRET,
        'smtp-url': `smtp://deploys%40example.com:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${smtp.port}`,
        'email-to': 'team@example.com, ops@example.com',
        'github-deployment': 'true',
        'pr-comment': '12',
      },
      { env: { DEPLOY_ACTIONS_STARTED_AT: String(Date.now() - 65_000) } },
    );
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs.sent.split(',').sort()).toEqual([
      'discord',
      'email',
      'github-deployment',
      'pr-comment',
      'slack',
      'teams',
      'webhook',
    ]);
    expect(r.outputs.failed).toBe('');
    expect(Number(r.outputs['deployment-id'])).toBeGreaterThan(0);
    expect(r.outputs['comment-url']).toMatch(/\/acme\/shop\/pull\/12#issuecomment-\d+$/);

    const deployment = api.state.deployments[0];
    expect(deployment.payload).toMatchObject({
      app: 'shop',
      image_ref: 'registry.fly.io/shop@sha256:feed',
      release_version: '42',
      sha: SHA,
      rollback: false,
    });
    expect(api.latestStatus(deployment.id)?.state).toBe('success');
    expect(api.state.comments[0].body).toContain('deploy-actions:notify app=shop environment=production');

    const slack = sink.requestsTo(`/services/${SLACK_TOKEN}`)[0].body;
    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toContain('<@U1>');
    expect(slack).toContain('Duration');
    expect(sink.requestsTo('/workflows/invoke')).toHaveLength(2);
    // Each service took its message (Teams' flow too, which the 202 alone does not say).
    for (const path of [`/services/${SLACK_TOKEN}`, '/workflows/invoke', `/api/webhooks/${DISCORD_TOKEN}`]) {
      expect(sink.requestsTo(path).at(-1), path).toMatchObject({ posted: true });
    }
    expect(smtp.mails.at(-1)!.parsed.html).not.toContain('<img src=x');

    expect(r.summary).toContain('| teams | ✅ sent | 2 |');
    expect(r.summary).toContain('not confirmed');
    expect(r.log).toContain('teams: attempt 1 failed (Teams answered HTTP 500: flow busy)');
    expect(findLeaks(r, SECRETS())).toEqual([]);
  });

  it('turns a failed channel into a warning, masking what the service echoes back', async () => {
    // A service that quotes the URL it was called on must not put the webhook token in the log.
    sink.script(`/services/${SLACK_TOKEN}`, [{ status: 403, body: `invalid_token for ${slackUrl()}` }]);
    const r = await run({
      status: 'failure',
      app: 'shop',
      'slack-webhook': slackUrl(),
      'webhook-url': sink.url('/hook'),
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs.sent).toBe('webhook');
    expect(r.outputs.failed).toBe('slack');
    const warning = r.annotations.find((a) => a.level === 'warning');
    expect(warning?.message).toContain('slack: Slack answered HTTP 403: invalid_token for ***');
    expect(r.summary).toContain('❌ failed');
    expect(findLeaks(r, SECRETS())).toEqual([]);
  });

  it('fails the step with fail-on-error, without a stack trace', async () => {
    sink.script('/broken', [{ status: 400, body: 'no_text' }]);
    const r = await run({ status: 'success', 'webhook-url': sink.url('/broken'), 'fail-on-error': 'true' });
    expect(r.exitCode).toBe(1);
    const error = r.annotations.find((a) => a.level === 'error');
    expect(error?.message).toContain('1 channel(s) failed:\n- webhook: Webhook answered HTTP 400: no_text');
    expect(r.log).not.toMatch(/\n\s+at /);
    expect(r.outputs.failed).toBe('webhook');
  });

  it('names bad inputs and hides secret values', async () => {
    const r = await run({ status: 'done', 'slack-webhook': 'ftp://hooks.example/secret-path', retries: '99' });
    expect(r.exitCode).toBe(1);
    const error = r.annotations.find((a) => a.level === 'error')!.message;
    expect(error).toContain('Invalid input \'status\': got "done"');
    expect(error).toContain("Invalid input 'slack-webhook': got a value (hidden: secret)");
    expect(error).toContain("Invalid input 'retries'");
    expect(findLeaks(r, ['secret-path'])).toEqual([]);
    for (const name of ['sent', 'failed', 'deployment-id', 'comment-url']) expect(r.outputs[name]).toBe('');
  });

  it('sends over implicit TLS when the self-signed certificate is trusted through NODE_EXTRA_CA_CERTS', async () => {
    const url = `smtps://deploys%40example.com:${encodeURIComponent(SMTP_PASSWORD)}@localhost:${tls.port}`;
    const before = tls.mails.length;
    const r = await run(
      { status: 'started', app: 'shop', 'smtp-url': url, 'email-to': 'team@example.com' },
      { env: { NODE_EXTRA_CA_CERTS: tls.certFile } },
    );
    expect(r.exitCode, r.log).toBe(0);
    expect(r.outputs.sent).toBe('email');
    expect(tls.mails.length).toBe(before + 1);
    expect(tls.mails.at(-1)!.parsed.subject).toBe('[started] Deploying shop');
    // A started notification lets later steps of the job report the duration.
    expect(Number(r.env.DEPLOY_ACTIONS_STARTED_AT)).toBeGreaterThan(0);
    expect(findLeaks(r, SECRETS())).toEqual([]);
  });

  it('an empty github-token (an unset secret) is a missing token, not the text of its action.yml default', async () => {
    const r = await run({
      status: 'success',
      environment: 'production',
      'github-deployment': 'true',
      'github-token': '',
    });
    expect(r.exitCode).toBe(0);
    expect(r.outputs.failed).toBe('github-deployment');
    expect(r.annotations.find((a) => a.level === 'warning')?.message).toContain("Input 'github-token'");
    expect(api.requests).toEqual([]);
  });

  it('says nothing was sent when no channel is configured', async () => {
    const r = await run({ status: 'skipped' });
    expect(r.exitCode).toBe(0);
    expect(r.summary).toContain('No channel is configured');
    expect(r.outputs.sent).toBe('');
  });
});
