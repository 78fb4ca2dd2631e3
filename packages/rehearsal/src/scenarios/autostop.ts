import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario } from '../scenario';
import { stepOf } from '../scenario';
import { APP, productionDeploy, SHA_V2 } from './common';

/**
 * An app configured as `fly launch` makes it: `auto_stop_machines = "stop"`, no machines kept
 * running. Fly's proxy stops idle machines right after a deploy, and flyctl updates stopped
 * machines without starting them (SkipLaunch). Such a release is good: the deploy must be
 * green end to end, with no rollback.
 */
export const autostop: Scenario = {
  name: 'autostop',
  title: 'an app whose fly.toml autostops machines: machines stop after each deploy, and the deploy is green',
  async run(s) {
    const toml = join(s.stage.workspace, 'fly.toml');
    writeFileSync(
      toml,
      readFileSync(toml, 'utf8')
        .replace('auto_stop_machines = "off"', 'auto_stop_machines = "stop"')
        .replace('min_machines_running = 2', 'min_machines_running = 0'),
    );
    // The proxy stops a machine as soon as it idles after a deploy.
    await s.stage.fly.sim.configureApp(APP, { knobs: { autostopAfterMs: 0 } });

    const first = await s.run('deploy v1.0.0', productionDeploy(s.stage, { 'image-label': 'v1.0.0' }));
    s.expect('the first deploy succeeded', first.result, 'success');
    const stopped = s.stage.fly.sim.state().apps[APP]?.machines.filter((m) => m.state === 'stopped') ?? [];
    s.check('the proxy stopped the idle machines', stopped.length > 0, `${stopped.length} stopped`);

    const second = await s.run(
      'deploy v1.1.0 onto autostopped machines',
      productionDeploy(s.stage, { 'image-label': 'v1.1.0' }, SHA_V2),
    );
    s.expect('the second deploy succeeded', second.result, 'success');
    const deploy = stepOf(second, 'deploy', 'deploy');
    s.expect('fly-deploy: every machine took the release', deploy.outputs.convergence, 'deployed');
    s.expect('the health gate passed', stepOf(second, 'deploy', 'health').conclusion, 'success');
    s.expect('no rollback', stepOf(second, 'deploy', 'rollback').conclusion, 'skipped');
    s.expect('workflow output result', second.outputs.result, 'success');
    const releases = s.stage.fly.releases(APP);
    s.expect('the newest release runs v1.1.0', releases[0]?.label, 'v1.1.0');
    s.expect(
      'the app answers /health with v1.1.0 (the proxy starts a machine)',
      await s.stage.fly.healthVersion(APP),
      'v1.1.0',
    );
  },
};
