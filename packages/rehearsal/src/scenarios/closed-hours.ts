import type { Scenario } from '../scenario';
import { stepOf } from '../scenario';
import { lastMail, webhooks } from './checks';
import { APP, productionDeploy, SATURDAY_NOW } from './common';

const REASON = 'Hotfix for the checkout outage (INC-142)';

export const closedHours: Scenario = {
  name: 'closed-hours',
  title: 'the gate blocks on a Saturday; with override and reason the deploy goes through',
  async run(s) {
    const blocked = await s.run(
      'Saturday deploy',
      productionDeploy(s.stage, { 'image-label': 'v1.0.1', 'gate-now': SATURDAY_NOW }),
    );
    const window = stepOf(blocked, 'gate', 'window');
    s.expect('the deploy window is closed', window.outputs.allowed, 'false');
    s.expect('a closed window is no failure: the run ends green', blocked.result, 'success');
    s.check(
      'the gate warns why',
      window.annotations.some((a) => a.level === 'warning'),
      window.annotations.map((a) => `${a.level}: ${a.message}`).join(' | '),
    );
    s.expect('the deploy job did not run', blocked.jobs.find((j) => j.id === 'deploy')?.result, 'skipped');
    s.expect('workflow output result', blocked.outputs.result, 'skipped');
    s.expect('nothing was deployed', s.stage.fly.releases(APP).length, 0);
    s.expect('no GitHub deployment for a skipped deploy', s.stage.api.state.deployments.length, 0);

    const overridden = await s.run(
      'Saturday deploy with override',
      productionDeploy(s.stage, {
        'image-label': 'v1.0.1',
        'gate-now': SATURDAY_NOW,
        override: true,
        'override-reason': REASON,
      }),
    );
    s.expect('the run succeeded', overridden.result, 'success');
    s.expect('the gate says overridden', stepOf(overridden, 'gate', 'window').outputs.overridden, 'true');
    s.expect('one Fly release', s.stage.fly.releases(APP).length, 1);
    const mail = await lastMail(s, 2);
    s.check('the reason reaches the mail', mail.includes(REASON), mail.slice(0, 300));
    const hooks = webhooks(s, 2);
    s.check('the reason reaches the webhook', (hooks[1] ?? '').includes(REASON), hooks[1]?.slice(0, 300));
  },
};
