/**
 * What auto-rollback adds between a failed health gate and a verified rollback, with
 * fly-sim at zero platform latency and the action's defaults: the whole step (Node 24
 * start, releases, last-known-good choice, `deploy --image`, verification), next to the
 * floor of the same flyctl calls made back to back with no verification.
 */
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { runBundle } from '@deploy-actions/runner';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TOKEN = 'bench-token';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sim: FlySim = await startFlySim({ tokens: [TOKEN] });
try {
  const step: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const app = `bench-${i}`;
    await sim.seedApp(app, { releases: ['v1', 'unhealthy-2'] });
    const r = await runBundle('auto-rollback', { inputs: { app }, env: { ...sim.env, FLY_API_TOKEN: TOKEN } });
    if (r.exitCode !== 0 || r.outputs.verified !== 'true') throw new Error(`rollback ${i} failed:\n${r.log}`);
    step.push(r.durationMs);
    const started = Date.now();
    const env = { FLY_API_TOKEN: TOKEN };
    await sim.run(['releases', '--app', app, '--json'], { env });
    await sim.run(
      ['deploy', '--app', app, '--image', `registry.fly.io/${app}:v1`, '--strategy', 'immediate', '--yes'],
      { env },
    );
    await sim.run(['status', '--app', app, '--json'], { env });
    floor.push(Date.now() - started);
  }
  const s = median(step);
  const f = median(floor);
  console.log(`auto-rollback, defaults, fly-sim at zero latency, median of ${RUNS}:`);
  console.log(`  failed gate -> verified rollback: ${(s / 1000).toFixed(2)} s (target: under 10 s)`);
  console.log(
    `  floor (the same flyctl calls, no verification): ${(f / 1000).toFixed(2)} s; ratio ${(s / f).toFixed(2)}x`,
  );
} finally {
  await sim.stop();
}
