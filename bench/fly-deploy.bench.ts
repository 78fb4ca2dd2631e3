/**
 * What fly-deploy adds around `flyctl deploy`, with fly-sim: the whole step (Node 24
 * start, flyctl check, current release before, deploy, release and URL after) next to
 * the floor of the bare `flyctl deploy --image` it wraps, at zero platform latency and
 * at 100 ms per flyctl call (the reads before and after run in parallel where they can).
 */
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { runBundle } from '@deploy-actions/runner';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TOKEN = 'bench-token';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sim: FlySim = await startFlySim({ tokens: [TOKEN] });
try {
  for (const latency of [0, 100]) {
    const faults = latency ? `*:latency=${latency}` : '';
    const step: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const app = `bench-${latency}-${i}`;
      await sim.seedApp(app, { releases: ['v1'] });
      const r = await runBundle('fly-deploy', {
        inputs: { app, image: `registry.fly.io/${app}:v2` },
        env: { ...sim.env, FLY_API_TOKEN: TOKEN, FLY_SIM_FAULTS: faults },
      });
      if (r.exitCode !== 0 || r.outputs['release-version'] !== '2') throw new Error(`deploy ${i} failed:\n${r.log}`);
      step.push(r.durationMs);
      const started = Date.now();
      const bare = await sim.run(['deploy', '--app', app, '--image', `registry.fly.io/${app}:v3`, '--yes'], {
        env: { FLY_API_TOKEN: TOKEN, FLY_SIM_FAULTS: faults },
      });
      if (bare.code !== 0) throw new Error(bare.stderr);
      floor.push(Date.now() - started);
    }
    const s = median(step);
    const f = median(floor);
    console.log(`fly-deploy --image, fly-sim at ${latency} ms per flyctl call, median of ${RUNS}:`);
    console.log(`  whole step: ${(s / 1000).toFixed(2)} s`);
    console.log(`  floor (bare flyctl deploy): ${(f / 1000).toFixed(2)} s; step adds ${((s - f) / 1000).toFixed(2)} s`);
  }
} finally {
  await sim.stop();
}
