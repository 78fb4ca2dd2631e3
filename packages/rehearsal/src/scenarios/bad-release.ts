import type { Scenario } from '../scenario';
import { stepOf } from '../scenario';
import { lastMail, latestDeployment, webhooks } from './checks';
import { APP, productionDeploy, SHA_V2 } from './common';

export const badRelease: Scenario = {
  name: 'bad-release',
  title: 'the new image crashes: health gate fails, auto-rollback restores the last good release',
  async run(s) {
    const good = await s.run('deploy v1.0.0 (last known good)', productionDeploy(s.stage, { 'image-label': 'v1.0.0' }));
    s.expect('the first deploy succeeded', good.result, 'success');

    const bad = await s.run(
      'deploy v1.1.0-crash',
      productionDeploy(s.stage, { 'image-label': 'v1.1.0-crash', reason: 'Release with a crashing image' }, SHA_V2),
    );
    s.expect('the run failed (the deploy job is red)', bad.result, 'failure');
    const health = stepOf(bad, 'deploy', 'health');
    s.expect('the health gate failed', health.conclusion, 'failure');
    const rollback = stepOf(bad, 'deploy', 'rollback');
    s.expect('auto-rollback ran and succeeded', rollback.conclusion, 'success');
    s.expect('auto-rollback verified the restored release', rollback.outputs.verified, 'true');
    s.expect('workflow output rolled-back', bad.outputs['rolled-back'], 'true');
    s.expect('workflow output result', bad.outputs.result, 'rolled-back');

    const current = s.stage.fly.releases(APP)[0];
    s.check('the app runs the v1.0.0 image again', (current?.imageRef ?? '').includes('v1.0.0'), current?.imageRef);
    const live = await s.stage.fly.healthVersion(APP);
    s.expect('the app answers /health with version v1.0.0', live, 'v1.0.0');

    const mail = await lastMail(s, 2);
    s.check('the mail says rolled back', /rolled.?back/i.test(mail), mail.slice(0, 200));
    const hooks = webhooks(s, 2);
    s.check('the webhook says rolled-back', (hooks[1] ?? '').includes('rolled-back'), hooks[1]?.slice(0, 200));
    const recorded = latestDeployment(s, 'production');
    s.check(
      'the failed release is not recorded as a good deployment',
      recorded.state !== 'success' || JSON.stringify(recorded.deployment?.payload ?? '').includes('v1.0.0'),
      JSON.stringify(recorded.deployment?.payload),
    );
  },
};
