import type { RunRecord } from '../model';
import type { Scenario, ScenarioContext } from '../scenario';
import { stepOf } from '../scenario';
import { lastMail, latestDeployment, webhooks } from './checks';
import { APP, productionDeploy, SHA_V2 } from './common';

/** What every rolled-back run must show: the rollback ran, was verified, and v1.0.0 serves again. */
async function rolledBack(s: ScenarioContext, run: RunRecord, mailCount: number, failedLabel: string) {
  s.expect('the run failed (the deploy job is red)', run.result, 'failure');
  const rollback = stepOf(run, 'deploy', 'rollback');
  s.expect('auto-rollback ran and succeeded', rollback.conclusion, 'success');
  s.expect('auto-rollback verified the restored release', rollback.outputs.verified, 'true');
  s.expect('workflow output rolled-back', run.outputs['rolled-back'], 'true');
  s.expect('workflow output result', run.outputs.result, 'rolled-back');
  const current = s.stage.fly.releases(APP)[0];
  s.expect('the newest Fly release runs v1.0.0 again', current?.label, 'v1.0.0');
  s.expect('the app answers /health with version v1.0.0', await s.stage.fly.healthVersion(APP), 'v1.0.0');
  const mail = await lastMail(s, mailCount);
  s.check('the mail says rolled back', /rolled.?back/i.test(mail), mail.slice(0, 200));
  const hooks = webhooks(s, mailCount);
  s.check('the webhook says rolled-back', (hooks.at(-1) ?? '').includes('"rolled-back"'), hooks.at(-1)?.slice(0, 200));
  const payload = JSON.parse(hooks.at(-1) ?? '{}') as { version?: string | null; message?: string | null };
  s.expect('the webhook carries the version rolled back to', payload.version, 'v1.0.0');
  s.check(
    `the webhook's message names the version rolled back from (${failedLabel})`,
    (payload.message ?? '').includes(`from ${failedLabel}`),
    String(payload.message),
  );
  s.check('the mail names the version rolled back from', mail.includes(failedLabel), mail.slice(0, 300));
  const recorded = latestDeployment(s, 'production');
  s.check(
    'the newest GitHub deployment describes the restored v1.0.0 release',
    JSON.stringify(recorded.deployment?.payload ?? '').includes('v1.0.0'),
    JSON.stringify(recorded.deployment?.payload),
  );
}

export const badRelease: Scenario = {
  name: 'bad-release',
  title: 'the new image crashes: health gate fails, auto-rollback restores the last good release',
  async run(s) {
    const good = await s.run('deploy v1.0.0 (last known good)', productionDeploy(s.stage, { 'image-label': 'v1.0.0' }));
    s.expect('the run succeeded', good.result, 'success');

    // The immediate strategy does not wait for machines, so the health gate is what catches the crash.
    const crash = await s.run(
      'deploy v1.1.0-crash (immediate strategy)',
      productionDeploy(s.stage, { 'image-label': 'v1.1.0-crash', strategy: 'immediate' }, SHA_V2),
    );
    s.expect('fly-deploy succeeded (it does not wait)', stepOf(crash, 'deploy', 'deploy').conclusion, 'success');
    const health = stepOf(crash, 'deploy', 'health');
    s.expect('the health gate failed', health.conclusion, 'failure');
    s.check(
      'the health gate names the crashed machines',
      health.annotations.some((a) => /stopped|crash|critical/i.test(a.message)),
      health.annotations.map((a) => a.message).join(' | '),
    );
    await rolledBack(s, crash, 2, 'v1.1.0-crash');

    // The default rolling strategy: flyctl's own smoke checks fail after machines were already replaced.
    const rolling = await s.run(
      'deploy v1.1.1-crash (rolling strategy)',
      productionDeploy(s.stage, { 'image-label': 'v1.1.1-crash' }, SHA_V2),
    );
    s.expect('fly-deploy failed', stepOf(rolling, 'deploy', 'deploy').conclusion, 'failure');
    await rolledBack(s, rolling, 3, 'v1.1.1-crash');
  },
};
