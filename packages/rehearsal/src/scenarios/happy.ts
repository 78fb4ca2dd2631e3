import type { Scenario } from '../scenario';
import { stepOf } from '../scenario';
import { lastMail, latestDeployment, webhooks } from './checks';
import { APP, productionDeploy } from './common';

export const happy: Scenario = {
  name: 'happy',
  title: 'business hours open: migrate, stage secrets, deploy, verify, notify',
  async run(s) {
    const run = await s.run(
      'deploy v1.0.0',
      productionDeploy(s.stage, { 'image-label': 'v1.0.0', reason: 'Weekly release' }),
    );
    s.expect('the run succeeded', run.result, 'success');
    s.expect('workflow output result', run.outputs.result, 'success');
    s.expect('workflow output rolled-back', run.outputs['rolled-back'], 'false');

    const window = stepOf(run, 'gate', 'window');
    s.expect('the deploy window is open at the fixed clock', window.outputs.allowed, 'true');

    const migrate = stepOf(run, 'deploy', 'migrate');
    s.expect('pg-migrate applied three migrations', migrate.outputs['applied-count'], '3');
    const rows = await s.stage.pg.query(
      s.stage.database.name,
      'SELECT version::text AS version FROM public.schema_migrations ORDER BY 1',
    );
    s.expect('the tracking table lists three versions', rows.length, 3);
    const index = await s.stage.pg.query(
      s.stage.database.name,
      "SELECT indexname FROM pg_indexes WHERE indexname = 'orders_status_idx'",
    );
    s.expect('the non-transactional index migration ran', index.length, 1);

    const staged = stepOf(run, 'deploy', 'secrets');
    s.expect('fly-secrets-sync ran', staged.conclusion, 'success');
    s.expect('the app secrets are on Fly', s.stage.fly.secretNames(APP).sort(), ['SESSION_SECRET', 'STRIPE_API_KEY']);

    const releases = s.stage.fly.releases(APP);
    s.expect('one Fly release', releases.length, 1);
    s.expect('workflow output release-version', run.outputs['release-version'], String(releases[0]?.version ?? 'none'));
    s.check(
      'the release runs the v1.0.0 image',
      (releases[0]?.imageRef ?? '').includes('v1.0.0'),
      releases[0]?.imageRef,
    );
    s.expect('the health gate passed', stepOf(run, 'deploy', 'health').conclusion, 'success');
    s.expect('no rollback', stepOf(run, 'deploy', 'rollback').conclusion, 'skipped');

    const mail = await lastMail(s, 1);
    s.check(
      'the mail reports a successful deploy of shop-api',
      /success|succeeded/i.test(mail) && mail.includes(APP),
      mail.slice(0, 200),
    );
    const [hook] = webhooks(s, 1);
    s.check('the webhook reports success', (hook ?? '').includes('"success"'), hook?.slice(0, 200));
    const recorded = latestDeployment(s, 'production');
    s.expect('a GitHub deployment was recorded with status success', [recorded.count, recorded.state], [1, 'success']);
  },
};
