import { createHmac } from 'node:crypto';
import { discordWebhook, slackWebhook, teamsWorkflow } from '@deploy-actions/testkit/chat-services';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { type HttpSink, startHttpSink } from '@deploy-actions/testkit/http-sink';
import { startSmtpServer, type TestSmtpServer } from '@deploy-actions/testkit/smtp';
import type { RunContext } from '@deploy-actions/toolkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notify, notifySummary, reportResults, webhookPayloadSchema } from '../src/index';
import { runContext, SHA } from './context';
import { options as inputs } from './options';

const FAST = { baseDelayMs: 50, githubWriteIntervalMs: 10 };

let sink: HttpSink;
let api: GitHubApi;
let plain: TestSmtpServer;
let tls: TestSmtpServer;
let starttls: TestSmtpServer;

beforeAll(async () => {
  [sink, api, plain, tls, starttls] = await Promise.all([
    startHttpSink(),
    startGitHubApi({ repository: 'acme/shop' }),
    startSmtpServer({ tls: 'none', auth: { user: 'deploys@example.com', pass: 'smtp-pa$$word' } }),
    startSmtpServer({ tls: 'implicit', auth: { user: 'ci', pass: 'tls-secret' } }),
    startSmtpServer({ tls: 'starttls', auth: { user: 'ci', pass: 'tls-secret' } }),
  ]);
  // The chat paths behave as the services do: a payload they would refuse fails the test.
  sink.serve('/slack', slackWebhook);
  sink.serve('/teams', teamsWorkflow);
  sink.serve('/discord', discordWebhook);
});
afterAll(async () => {
  await Promise.all([sink.close(), api.close(), plain.close(), tls.close(), starttls.close()]);
});
beforeEach(() => {
  sink.reset();
  api.reset();
});

function context(overrides: Partial<RunContext> = {}): RunContext {
  return runContext({
    event: { head_commit: { id: SHA, message: 'Add cart <!channel>' } },
    apiUrl: api.url,
    ...overrides,
  });
}

/** An SMTP URL whose user is not an address, so the sender cannot be derived from it. */
const tlsUrlWithoutAddress = () => tls.url;

describe('chat and webhook channels', () => {
  it('honours Retry-After on 429 and retries a 500, each channel on its own', async () => {
    sink.script('/slack', [{ status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' }, { status: 200 }]);
    sink.script('/teams', [{ status: 500, body: 'boom' }, { status: 202 }]);
    sink.script('/discord', [{ status: 204 }]);
    const result = await notify(
      inputs({
        app: 'shop',
        environment: 'production',
        slack: sink.url('/slack'),
        teams: sink.url('/teams'),
        discord: sink.url('/discord'),
      }),
      context(),
      FAST,
    );
    expect(result.sent.sort()).toEqual(['discord', 'slack', 'teams']);
    expect(result.failed).toEqual([]);
    const [first, second] = sink.requestsTo('/slack');
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(950);
    expect(sink.requestsTo('/teams')).toHaveLength(2);
    const teams = result.results.find((r) => r.channel === 'teams')!;
    expect(teams.detail).toContain('202');
    expect(teams.detail).toContain('not confirmed');
    expect(teams.attempts).toBe(2);
    for (const path of ['/slack', '/teams', '/discord']) expect(sink.requestsTo(path).at(-1)?.posted, path).toBe(true);
    const slackBody = first.json<{ text: string; blocks: unknown[] }>();
    expect(slackBody.blocks.length).toBeGreaterThan(0);
    expect(JSON.stringify(slackBody)).not.toContain('<!channel>');
  });

  it('stops at a 400 without retrying and quotes the answer; the other channels still deliver', async () => {
    sink.script('/slack', [{ status: 400, body: `invalid_blocks ${'x'.repeat(1000)}` }]);
    const result = await notify(inputs({ slack: sink.url('/slack'), discord: sink.url('/discord') }), context(), FAST);
    expect(result.sent).toEqual(['discord']);
    expect(result.failed).toEqual(['slack']);
    const slack = result.results.find((r) => r.channel === 'slack')!;
    expect(sink.requestsTo('/slack')).toHaveLength(1);
    expect(slack.detail).toMatch(/^Slack answered HTTP 400: invalid_blocks x+\.\.\.$/);
    expect(slack.detail.length).toBeLessThan(400);
    expect(slack.detail).not.toContain(sink.origin);
  });

  it('shows what a service answered in the summary without rendering it', async () => {
    sink.script('/echo', [{ status: 400, body: 'bad payload: [click](https://evil.example) <img src=x> | @team' }]);
    const result = await notify(inputs({ webhook: sink.url('/echo') }), context(), FAST);
    const summary = notifySummary(result).toString();
    const row = summary.split('\n').find((l) => l.startsWith('| webhook |'))!;
    expect(row).toContain('\\[click\\]\\(https');
    expect(row).not.toMatch(/(^|[^\\])<img/);
    expect(row.split(' | ')).toHaveLength(4);
  });

  it('gives up on a server that never answers when the channel timeout ends', async () => {
    sink.script('/hang', [{ hang: true }]);
    const result = await notify(inputs({ webhook: sink.url('/hang'), timeout: 1_500 }), context(), FAST);
    expect(result.failed).toEqual(['webhook']);
    expect(result.results[0].detail).toBe('Webhook did not answer within 2s');
  });

  it('reports a Retry-After longer than the timeout instead of waiting past it', async () => {
    sink.script('/slow', [{ status: 429, headers: { 'retry-after': '120' } }]);
    const result = await notify(inputs({ slack: sink.url('/slow'), timeout: 3_000 }), context(), FAST);
    expect(result.failed).toEqual(['slack']);
    expect(result.results[0].detail).toContain('asked to retry after 120s, beyond the 3s timeout');
    expect(sink.requestsTo('/slow')).toHaveLength(1);
  });

  it('honours the retry_after Discord puts in its body and the retries limit', async () => {
    sink.script('/discord', [{ status: 429, body: { retry_after: 0.3, global: false } }, { status: 204 }]);
    sink.script('/down', [{ status: 503 }]);
    const result = await notify(
      inputs({ discord: sink.url('/discord'), webhook: sink.url('/down'), retries: 2 }),
      context(),
      FAST,
    );
    expect(result.sent).toEqual(['discord']);
    expect(sink.requestsTo('/down')).toHaveLength(3);
    expect(result.results.find((r) => r.channel === 'webhook')!.detail).toContain('after 3 attempts');
  });

  it('signs the webhook body with HMAC-SHA256 and sends the versioned schema', async () => {
    await notify(
      inputs({ webhook: sink.url('/hook'), webhookSecret: 'hook-secret', app: 'shop', version: '1.2.3' }),
      context(),
      FAST,
    );
    const [request] = sink.requestsTo('/hook');
    const signed = `${request.headers['x-deploy-delivery']}.${request.headers['x-deploy-timestamp']}.${request.body}`;
    const expected = `sha256=${createHmac('sha256', 'hook-secret').update(signed).digest('hex')}`;
    expect(request.headers['x-deploy-signature']).toBe(expected);
    expect(request.headers['x-deploy-event']).toBe('notify');
    expect(request.headers['x-deploy-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    const body = webhookPayloadSchema.parse(request.json());
    expect(body).toMatchObject({ app: 'shop', version: '1.2.3', commit: { title: 'Add cart <!channel>' } });
  });

  it('fails the step only with fail-on-error, after every channel was tried', async () => {
    sink.script('/bad', [{ status: 404, body: 'no_service' }]);
    const result = await notify(inputs({ slack: sink.url('/bad'), webhook: sink.url('/ok') }), context(), FAST);
    expect(result.sent).toEqual(['webhook']);
    expect(() => reportResults(result, false)).not.toThrow();
    expect(() => reportResults(result, true)).toThrow(
      /1 channel\(s\) failed:\n- slack: Slack answered HTTP 404: no_service/,
    );
  });

  it('fails a half-configured channel on its own, naming the missing input', async () => {
    const result = await notify(
      inputs({
        webhookSecret: 's',
        smtpUrl: plain.url,
        githubDeployment: true,
        prComment: 'true',
        slack: sink.url('/slack'),
      }),
      context(),
      FAST,
    );
    expect(result.sent).toEqual(['slack']);
    const detail = Object.fromEntries(result.results.map((r) => [r.channel, r.detail]));
    expect(detail.webhook).toBe(
      "Input 'webhook-url' is empty: 'webhook-secret' is set but there is no webhook to sign for",
    );
    expect(detail.email).toBe("Input 'email-to' is empty: 'smtp-url' is set but there is no recipient");
    expect(detail['github-deployment']).toMatch(/^Input 'github-token' is empty/);
    expect(detail['pr-comment']).toMatch(/^Input 'github-token' is empty/);

    const noEnvironment = await notify(inputs({ githubDeployment: true, githubToken: api.token }), context(), FAST);
    expect(noEnvironment.results[0].detail).toMatch(/^Input 'environment' is empty/);
    const noSender = await notify(
      inputs({ smtpUrl: tlsUrlWithoutAddress(), emailTo: ['a@example.com'] }),
      context(),
      FAST,
    );
    expect(noSender.results[0].detail).toMatch(/^Input 'email-from' is empty/);
  });
});

describe('email', () => {
  it('sends multipart text and HTML over plain SMTP with a login', async () => {
    const result = await notify(
      inputs({
        smtpUrl: plain.url,
        emailTo: ['team@example.com', 'ops@example.com'],
        app: 'shop',
        reason: '<b>hi</b>',
      }),
      context(),
      FAST,
    );
    expect(result.sent).toEqual(['email']);
    const mail = plain.mails.at(-1)!;
    expect(mail.user).toBe('deploys@example.com');
    expect(mail.envelope.to).toEqual(['team@example.com', 'ops@example.com']);
    expect(mail.parsed.from?.text).toContain('deploys@example.com');
    expect(mail.parsed.subject).toBe('[success] Deployed shop');
    expect(mail.parsed.text).toContain('Commit message: Add cart <!channel>');
    expect(mail.parsed.html).toContain('&lt;b&gt;hi&lt;/b&gt;');
    expect(mail.parsed.html).not.toContain('<b>hi</b>');
  });

  it('uses implicit TLS for smtps:// and trusts a self-signed certificate only when asked', async () => {
    const to = ['team@example.com'];
    const trusted = await notify(
      inputs({ smtpUrl: tls.url, emailTo: to, emailFrom: 'Deploys <deploys@example.com>' }),
      context(),
      { ...FAST, smtpCa: tls.certPem },
    );
    expect(trusted.sent).toEqual(['email']);
    expect(tls.mails.at(-1)!.user).toBe('ci');
    expect(tls.mails.at(-1)!.secure).toBe(true);

    const untrusted = await notify(
      inputs({ smtpUrl: tls.url, emailTo: to, emailFrom: 'deploys@example.com' }),
      context(),
      FAST,
    );
    expect(untrusted.failed).toEqual(['email']);
    expect(untrusted.results[0].detail).toMatch(/self[- ]signed/);
    expect(untrusted.results[0].hint).toContain('NODE_EXTRA_CA_CERTS');
    expect(untrusted.results[0].attempts).toBe(1);
  });

  it('upgrades a plain connection with STARTTLS when the server offers it', async () => {
    const result = await notify(
      inputs({ smtpUrl: starttls.url, emailTo: ['a@example.com'], emailFrom: 'deploys@example.com' }),
      context(),
      { ...FAST, smtpCa: starttls.certPem },
    );
    expect(result.sent).toEqual(['email']);
    expect(starttls.mails.at(-1)!.secure).toBe(true);
    expect(plain.mails.every((m) => !m.secure)).toBe(true);
  });

  it('explains "wrong version number" when TLS meets a plain-text port', async () => {
    const url = plain.url.replace('smtp://', 'smtps://');
    const result = await notify(inputs({ smtpUrl: url, emailTo: ['a@example.com'] }), context(), FAST);
    expect(result.failed).toEqual(['email']);
    expect(result.results[0].detail).toContain('wrong version number');
    expect(result.results[0].hint).toContain('port 587 (STARTTLS)');
    expect(result.results[0].detail).not.toContain('smtp-pa$$word');
  });

  it('retries a temporary SMTP refusal but not a rejected login', async () => {
    plain.failNext({ code: 451, message: 'Try again later' }, 1);
    const before = plain.mails.length;
    const ok = await notify(inputs({ smtpUrl: plain.url, emailTo: ['a@example.com'] }), context(), FAST);
    expect(ok.sent).toEqual(['email']);
    expect(ok.results[0].attempts).toBe(2);
    expect(plain.mails.length).toBe(before + 1);

    const wrong = plain.url.replace(encodeURIComponent('smtp-pa$$word'), 'nope');
    const refused = await notify(inputs({ smtpUrl: wrong, emailTo: ['a@example.com'] }), context(), FAST);
    expect(refused.failed).toEqual(['email']);
    expect(refused.results[0].attempts).toBe(1);
    expect(refused.results[0].hint).toContain('refused the login');
  });
});

describe('GitHub deployment and PR comment', () => {
  const github = () => ({ githubToken: api.token });

  it('creates the deployment once and updates it through the run, recording what is deployed', async () => {
    const base = { ...github(), githubDeployment: true, environment: 'production', app: 'shop' };
    const started = await notify(inputs({ ...base, status: 'started' }), context(), FAST);
    expect(started.sent).toEqual(['github-deployment']);
    const firstId = started.deploymentId!;
    expect(api.latestStatus(firstId)?.state).toBe('in_progress');

    // The image is known once deployed: the record must carry it, so a complete deployment replaces the draft.
    const done = await notify(
      inputs({
        ...base,
        status: 'success',
        imageRef: 'registry.fly.io/shop@sha256:abc',
        releaseVersion: '42',
        url: 'https://shop.example.com',
      }),
      context(),
      FAST,
    );
    const id = done.deploymentId!;
    expect(id).not.toBe(firstId);
    expect(api.latestStatus(firstId)?.state).toBe('inactive');
    expect(api.latestStatus(id)).toMatchObject({
      state: 'success',
      environment_url: 'https://shop.example.com',
      log_url: 'https://github.com/acme/shop/actions/runs/42',
    });
    const deployment = api.state.deployments.find((d) => d.id === id)!;
    expect(deployment.payload).toMatchObject({
      schema: 'deploy-actions/deployment@1',
      app: 'shop',
      image_ref: 'registry.fly.io/shop@sha256:abc',
      release_version: '42',
      sha: SHA,
      rollback: false,
      run_id: '42',
    });
    expect(deployment.production_environment).toBe(true);

    // A re-run of the same step finds the same deployment: nothing new is created.
    const again = await notify(
      inputs({ ...base, status: 'success', imageRef: 'registry.fly.io/shop@sha256:abc', releaseVersion: '42' }),
      context(),
      FAST,
    );
    expect(again.deploymentId).toBe(id);
    expect(api.state.deployments).toHaveLength(2);
    expect(again.results[0].detail).toContain('updated deployment');
  });

  it('records the digest the deploy step read from the machines, for an image named by its tag', async () => {
    const digest = `sha256:${'7'.repeat(64)}`;
    const done = await notify(
      inputs({
        ...github(),
        githubDeployment: true,
        environment: 'production',
        app: 'shop',
        status: 'success',
        imageRef: 'registry.fly.io/shop:v7',
        imageDigest: digest,
        releaseVersion: '7',
      }),
      context(),
      FAST,
    );
    const deployment = api.state.deployments.find((d) => d.id === done.deploymentId)!;
    expect(deployment.payload).toMatchObject({ image_ref: 'registry.fly.io/shop:v7', image_digest: digest });
  });

  it('on rolled-back, fails the run deployment and records the rollback as its own deployment', async () => {
    const base = { ...github(), githubDeployment: true, environment: 'staging', app: 'shop' };
    const started = await notify(inputs({ ...base, status: 'started', imageRef: 'img:bad' }), context(), FAST);
    const rolled = await notify(
      inputs({ ...base, status: 'rolled-back', imageRef: 'img:good', reason: 'health gate failed' }),
      context(),
      FAST,
    );
    expect(api.latestStatus(started.deploymentId!)?.state).toBe('failure');
    const rollback = api.state.deployments.find((d) => d.id === rolled.deploymentId)!;
    expect(rollback.task).toBe('deploy:rollback');
    expect(rollback.payload).toMatchObject({ image_ref: 'img:good', rollback: true });
    expect(api.latestStatus(rollback.id)?.state).toBe('success');
  });

  it('adds a status to a given deployment id, and a skipped deploy creates nothing', async () => {
    const seeded = api.seedDeployment({ environment: 'production', sha: SHA, payload: {} });
    const r = await notify(
      inputs({
        ...github(),
        deploymentId: seeded.id,
        environment: 'production',
        status: 'failure',
        reason: 'x'.repeat(300),
      }),
      context(),
      FAST,
    );
    expect(r.deploymentId).toBe(seeded.id);
    expect(api.latestStatus(seeded.id)?.state).toBe('failure');
    expect(api.latestStatus(seeded.id)?.description.length).toBeLessThanOrEqual(140);

    const skipped = await notify(
      inputs({ ...github(), githubDeployment: true, environment: 'preview', status: 'skipped' }),
      context({ runId: '77' }),
      FAST,
    );
    expect(skipped.results[0].outcome).toBe('skipped');
    expect(skipped.deploymentId).toBeUndefined();
    expect(api.state.deployments).toHaveLength(1);
  });

  it('on destroyed, marks every live deployment of the environment inactive, whichever run made it', async () => {
    const base = { ...github(), githubDeployment: true, environment: 'pr-7', app: 'pr-7-shop' };
    // A deployment from before previews retired their predecessors, still live.
    const legacy = api.seedDeployment({
      environment: 'pr-7',
      sha: SHA,
      transient_environment: true,
      states: ['success'],
    });
    // Two pushes to the pull request: two runs; GitHub keeps transient deployments active, so each
    // new preview marks the earlier ones inactive itself.
    const opened = await notify(inputs({ ...base, url: 'https://pr-7-shop.fly.dev' }), context({ runId: '1' }), FAST);
    expect(opened.results[0].detail).toMatch(/: success; 1 earlier deployment\(s\) set to inactive$/);
    const synced = await notify(inputs({ ...base, url: 'https://pr-7-shop.fly.dev' }), context({ runId: '2' }), FAST);
    expect(api.state.deployments.map((d) => d.transient_environment)).toEqual([true, true, true]);
    expect(api.latestStatus(opened.deploymentId!)).toMatchObject({
      state: 'inactive',
      description: `Superseded by deployment ${synced.deploymentId}`,
    });
    expect(api.latestStatus(synced.deploymentId!)?.state).toBe('success');

    const closed = await notify(
      inputs({ ...base, status: 'destroyed', url: 'https://pr-7-shop.fly.dev' }),
      context({ runId: '3' }),
      FAST,
    );
    expect(closed.results[0]).toMatchObject({ outcome: 'sent', detail: '1 deployment(s) in pr-7 set to inactive' });
    expect(api.latestStatus(legacy.id)?.state).toBe('inactive');
    for (const id of [synced.deploymentId!]) {
      expect(api.latestStatus(id)).toMatchObject({
        state: 'inactive',
        description: 'Environment destroyed',
        environment_url: '',
        log_url: expect.stringContaining('/actions/runs/'),
      });
    }
    expect(api.state.deployments).toHaveLength(3);

    // A re-run finds nothing live and creates nothing.
    const again = await notify(inputs({ ...base, status: 'destroyed' }), context({ runId: '3' }), FAST);
    expect(again.results[0]).toMatchObject({ outcome: 'skipped', detail: 'no live deployment in pr-7' });
    expect(api.state.deployments).toHaveLength(3);

    // Production's success statuses are the rollback's memory: never retired this way.
    const live = api.seedDeployment({ environment: 'production', sha: SHA, payload: {}, states: ['success'] });
    const refused = await notify(
      inputs({ ...base, environment: 'production', status: 'destroyed' }),
      context({ runId: '4' }),
      FAST,
    );
    expect(refused.results[0]).toMatchObject({ outcome: 'failed' });
    expect(refused.results[0].detail).toMatch(/not production/);
    expect(api.latestStatus(live.id)?.state).toBe('success');
  });

  it('keeps one PR comment per app and environment, found by its marker and updated in place', async () => {
    const pr = {
      eventName: 'pull_request',
      event: { pull_request: { number: 12, head: { ref: 'feat/x' } } },
      pullRequest: 12,
    };
    api.seedComment(12, 'Looks good to me');
    const base = { ...github(), prComment: 'true', app: 'shop-pr-12', environment: 'preview' };
    const first = await notify(inputs({ ...base, status: 'started' }), context(pr), FAST);
    expect(first.commentUrl).toMatch(/\/pull\/12#issuecomment-\d+$/);
    const second = await notify(
      inputs({ ...base, status: 'success', url: 'https://shop-pr-12.fly.dev' }),
      context(pr),
      FAST,
    );
    expect(second.commentUrl).toBe(first.commentUrl);
    const mine = api.state.comments.filter((c) => c.body.includes('deploy-actions:notify'));
    expect(mine).toHaveLength(1);
    expect(mine[0].body).toContain('https://shop-pr-12.fly.dev');
    expect(mine[0].body).toContain('Deployed shop\\-pr\\-12 to preview');
    expect(api.state.comments).toHaveLength(2);

    // A failed deploy that never learnt its app name still finds the comment; another app gets its own.
    await notify(inputs({ ...base, app: undefined, status: 'failure' }), context(pr), FAST);
    await notify(inputs({ ...base, app: 'admin-pr-12', status: 'success' }), context(pr), FAST);
    const markers = api.state.comments.filter((c) => c.body.includes('deploy-actions:notify'));
    expect(markers.map((c) => c.body.split('\n')[0])).toEqual([
      '<!-- deploy-actions:notify app=shop-pr-12 environment=preview -->',
      '<!-- deploy-actions:notify app=admin-pr-12 environment=preview -->',
    ]);

    const push = await notify(inputs({ ...base, status: 'success' }), context(), FAST);
    expect(push.results[0].outcome).toBe('skipped');
  });

  it('keeps the GitHub channels within the channel timeout across all their requests', async () => {
    api.failNext({ status: 503, body: { message: 'unavailable' } }, { times: 1000, method: 'POST' });
    const result = await notify(
      inputs({ ...github(), githubDeployment: true, environment: 'staging', retries: 10, timeout: 1_000 }),
      context(),
      FAST,
    );
    expect(result.failed).toEqual(['github-deployment']);
    expect(api.requests.filter((r) => r.method === 'POST').length).toBeLessThan(11);
  });

  it('reads the commit message from the API when the event has none, and survives API errors per channel', async () => {
    api.seedCommit({ sha: SHA, message: 'Ship it @everyone\n\nbody' });
    api.failNext({ status: 403, body: { message: 'Resource not accessible by integration' } }, { method: 'POST' });
    const result = await notify(
      inputs({ ...github(), githubDeployment: true, environment: 'production', webhook: sink.url('/hook') }),
      context({ event: {} }),
      FAST,
    );
    expect(result.message.commitTitle).toBe('Ship it @everyone');
    expect(result.sent).toEqual(['webhook']);
    expect(result.failed).toEqual(['github-deployment']);
    const failed = result.results.find((r) => r.channel === 'github-deployment')!;
    expect(failed.detail).toContain('Resource not accessible by integration');
    expect(failed.hint).toContain('deployments: write');
  });

  it('never edits a comment it did not write, whatever marker it carries', async () => {
    const pr = { eventName: 'pull_request', event: { pull_request: { number: 14 } }, pullRequest: 14 };
    const planted = api.seedComment(
      14,
      '<!-- deploy-actions:notify app=shop environment=preview -->\nclick [here](https://evil.example)',
      'mallory',
    );
    const r = await notify(
      inputs({ ...github(), prComment: 'true', app: 'shop', environment: 'preview' }),
      context(pr),
      FAST,
    );
    expect(r.results[0].detail).toBe('created the comment on #14');
    expect(api.state.comments.find((c) => c.id === planted.id)?.body).toContain('evil.example');
    expect(api.state.comments.filter((c) => c.user.login === 'github-actions[bot]')).toHaveLength(1);
  });

  it('finds its comment among more than 1,000 on the pull request instead of posting another', async () => {
    const pr = { eventName: 'pull_request', event: { pull_request: { number: 15 } }, pullRequest: 15 };
    for (let i = 0; i < 1_020; i++) api.seedComment(15, `comment ${i}`, 'octocat');
    const base = { ...github(), prComment: 'true', app: 'shop', environment: 'preview' };
    await notify(inputs({ ...base, status: 'started' }), context(pr), FAST);
    for (let i = 0; i < 30; i++) api.seedComment(15, `later ${i}`, 'octocat');
    const again = await notify(inputs(base), context(pr), FAST);
    expect(again.results[0].detail).toBe('updated the comment on #15');
    expect(api.state.comments.filter((c) => c.body.includes('deploy-actions:notify'))).toHaveLength(1);
  });

  it('keeps the credential path of a webhook URL out of what a service echoes', async () => {
    const path = '/services/T000/B000/XXXXsecretXXXXtoken';
    sink.script(path, [{ status: 404, body: `no_service: unknown hook ${path}` }]);
    const r = await notify(inputs({ slack: sink.url(path) }), context(), FAST);
    expect(r.results[0].detail).toContain('no_service: unknown hook ***');
    expect(r.results[0].detail).not.toContain('XXXXsecretXXXXtoken');
  });
});

describe('email headers', () => {
  it('quotes a sender name with a colon, and marks the mail as automatic', async () => {
    const r = await notify(
      inputs({
        smtpUrl: plain.url,
        emailTo: ['team@example.com'],
        emailFrom: '"Deploys: prod, EU" <deploys@example.com>',
      }),
      context(),
      FAST,
    );
    expect(r.sent).toEqual(['email']);
    const mail = plain.mails.at(-1)!;
    expect(mail.parsed.from?.value).toEqual([{ name: 'Deploys: prod, EU', address: 'deploys@example.com' }]);
    expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  });
});
