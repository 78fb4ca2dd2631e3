import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scenario, ScenarioContext } from '../scenario';
import { stepOf } from '../scenario';
import { APP, productionDeploy, SHA_V2 } from './common';

const WORKER = 'shop-worker';

/** A crashing release after a good one: the gate fails, the rollback is verified, the result says so. */
function expectRolledBack(s: ScenarioContext, run: Awaited<ReturnType<ScenarioContext['run']>>, what: string) {
  s.expect(`${what}: the run failed`, run.result, 'failure');
  const rollback = stepOf(run, 'deploy', 'rollback');
  s.expect(`${what}: auto-rollback ran and succeeded`, rollback.conclusion, 'success');
  s.expect(`${what}: the rollback was verified (not "still down")`, rollback.outputs.verified, 'true');
  s.expect(`${what}: workflow output result`, run.outputs.result, 'rolled-back');
}

/**
 * Two apps that used to be rolled back as "still down: page a human" after a good rollback: a
 * worker with no public port (verified by its machines alone, chosen because its fly.toml has no
 * service), and an API whose /health answers `{"ok":true}` with no version (deploy.yml compares
 * none by default; the machines still must run the release).
 */
export const worker: Scenario = {
  name: 'worker',
  title: 'a worker with no public port and an app answering {"ok":true}: deploy, crash, verified rollback',
  async run(s) {
    const dir = join(s.stage.workspace, 'worker');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'fly.toml'),
      `app = "${WORKER}"\nprimary_region = "iad"\n\n[processes]\n  worker = "/app/worker run"\n`,
    );
    await s.stage.fly.sim.seedApp(WORKER, { org: 'acme' });
    const workerDeploy = (label: string, sha?: string) =>
      productionDeploy(
        s.stage,
        {
          app: WORKER,
          'working-directory': 'worker',
          image: `registry.fly.io/${WORKER}:${label}`,
          migrate: false,
          strategy: 'immediate',
        },
        sha,
      );

    const good = await s.run('worker: deploy v1.0.0', workerDeploy('v1.0.0'));
    s.expect('worker: the deploy succeeded', good.result, 'success');
    s.expect(
      'worker: verified by its machines (no service in fly.toml)',
      stepOf(good, 'deploy', 'kind').outputs.gate,
      'machines',
    );
    s.expect('worker: the health gate passed', stepOf(good, 'deploy', 'health').conclusion, 'success');

    const crash = await s.run('worker: deploy v1.1.0-crash', workerDeploy('v1.1.0-crash', SHA_V2));
    expectRolledBack(s, crash, 'worker');
    s.expect('worker: the newest release runs v1.0.0 again', s.stage.fly.releases(WORKER)[0]?.label, 'v1.0.0');

    await s.stage.fly.sim.configureApp(APP, { knobs: { healthBody: 'ok' } });
    const ok = await s.run('{"ok":true} app: deploy v1.0.0', productionDeploy(s.stage, { 'image-label': 'v1.0.0' }));
    s.expect('{"ok":true} app: the deploy succeeded', ok.result, 'success');
    const bad = await s.run(
      '{"ok":true} app: deploy v1.1.0-crash',
      productionDeploy(s.stage, { 'image-label': 'v1.1.0-crash', strategy: 'immediate' }, SHA_V2),
    );
    expectRolledBack(s, bad, '{"ok":true} app');
    s.expect('{"ok":true} app: the newest release runs v1.0.0 again', s.stage.fly.releases(APP)[0]?.label, 'v1.0.0');
  },
};
