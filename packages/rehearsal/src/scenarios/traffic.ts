import type { RunRecord } from '../model';
import type { Scenario, ScenarioContext } from '../scenario';
import { stepOf } from '../scenario';
import { APP, productionDeploy, SHA_V2 } from './common';

/**
 * Releases that answer /health but serve real requests badly, caught by the health gate's traffic
 * analysis from fly-sim's Prometheus endpoint while the stage sends the app traffic, as its users
 * would, for the whole of each run.
 */

/** The analysis as deploy.yml passes it, sized for a rehearsal's volume. */
const ANALYSIS = {
  analysis: 'traffic',
  'traffic-min-requests': '60',
  'traffic-interval': '1s',
  'traffic-timeout': '90s',
  'health-timeout': '90s',
};

/** Requests at the app's `/` from a few users in a loop, until stopped. */
function driveTraffic(s: ScenarioContext) {
  let running = true;
  let served = 0;
  const url = s.stage.fly.sim.appUrl(APP);
  const user = async () => {
    while (running) {
      await fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) })
        .then((r) => r.arrayBuffer())
        .then(() => served++)
        .catch(() => new Promise((r) => setTimeout(r, 50)));
    }
  };
  const users = Array.from({ length: 3 }, user);
  return {
    served: () => served,
    stop: async () => {
      running = false;
      await Promise.all(users);
    },
  };
}

/** The last known good release, then traffic at it long enough to give the analysis a baseline. */
async function goodBaseline(s: ScenarioContext, label: string) {
  const good = await s.run(`deploy ${label} (last known good)`, productionDeploy(s.stage, { 'image-label': label }));
  s.expect('the run succeeded', good.result, 'success');
  const traffic = driveTraffic(s);
  while (traffic.served() < 150) await new Promise((r) => setTimeout(r, 100));
  return traffic;
}

function caughtAndRolledBack(s: ScenarioContext, run: RunRecord, what: RegExp, good: string) {
  s.expect('the run failed (the deploy job is red)', run.result, 'failure');
  const health = stepOf(run, 'deploy', 'health');
  s.expect('the health gate failed', health.conclusion, 'failure');
  s.expect('its probes passed: /health answers', health.outputs.healthy, 'true');
  s.expect('the traffic analysis failed the release', health.outputs['traffic-verdict'], 'fail');
  const said = health.annotations.map((a) => a.message).join(' | ');
  s.check('the failure says what the traffic showed', what.test(said), said);
  s.expect('auto-rollback ran and succeeded', stepOf(run, 'deploy', 'rollback').conclusion, 'success');
  s.expect('workflow output result', run.outputs.result, 'rolled-back');
  s.expect(`the newest Fly release runs ${good} again`, s.stage.fly.releases(APP)[0]?.label, good);
}

export const badTraffic: Scenario = {
  name: 'bad-traffic',
  title:
    'the new image fails 25% of real requests but answers /health: the traffic analysis catches it, auto-rollback restores; a noisy good release passes',
  async run(s) {
    const traffic = await goodBaseline(s, 'v1.0.0-err2-jitter20');
    try {
      const bad = await s.run(
        'deploy v1.1.0-err25 with analysis: traffic',
        productionDeploy(s.stage, { 'image-label': 'v1.1.0-err25-jitter20', ...ANALYSIS }, SHA_V2),
      );
      caughtAndRolledBack(s, bad, /Traffic analysis failed: error rate/, 'v1.0.0-err2-jitter20');

      const good = await s.run(
        'deploy v1.2.0 (as noisy as the last good one) with analysis: traffic',
        productionDeploy(s.stage, { 'image-label': 'v1.2.0-err2-jitter20', ...ANALYSIS }, SHA_V2),
      );
      s.expect('the run succeeded', good.result, 'success');
      s.expect('the traffic analysis passed it', stepOf(good, 'deploy', 'health').outputs['traffic-verdict'], 'pass');
      s.expect('the newest Fly release runs v1.2.0', s.stage.fly.releases(APP)[0]?.label, 'v1.2.0-err2-jitter20');
    } finally {
      await traffic.stop();
    }
  },
};

export const slowRelease: Scenario = {
  name: 'slow-release',
  title:
    'the new image adds 150 ms to every real request: the traffic analysis catches the p95, auto-rollback restores',
  async run(s) {
    const traffic = await goodBaseline(s, 'v1.0.0-jitter20');
    try {
      const slow = await s.run(
        'deploy v1.1.0-lag150 with analysis: traffic',
        productionDeploy(s.stage, { 'image-label': 'v1.1.0-lag150-jitter20', ...ANALYSIS }, SHA_V2),
      );
      caughtAndRolledBack(s, slow, /Traffic analysis failed: .*p95 \d+ ms against \d+ ms/, 'v1.0.0-jitter20');
    } finally {
      await traffic.stop();
    }
  },
};
