/**
 * What fly-deploy adds around `flyctl deploy`, with fly-sim: the whole step (Node 24
 * start, flyctl check, current release before, deploy, the machines read after, release and
 * URL) next to the floor of the bare `flyctl deploy --image` it wraps, at zero platform
 * latency and at 100 ms per flyctl call (the reads before and after run in parallel where
 * they can). Then a machine that exits while flyctl waits for its check: the time from its
 * exit event to the end of the step, next to flyctl alone, which waits out --wait-timeout.
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

  // A crash during the deploy: seconds from the machine's exit event to the step's end.
  const WAIT = '30s';
  const caught: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const app = `bench-crash-${i}`;
    await sim.seedApp(app, { releases: ['v1'] });
    const r = await runBundle('fly-deploy', {
      inputs: { app, image: `registry.fly.io/${app}:v2-exit1`, 'wait-timeout': WAIT },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN, FLY_SIM_CRASH_AFTER_MS: '1000' },
    });
    const ended = Date.now();
    if (r.exitCode !== 1 || !/exited with code 1/.test(r.log)) throw new Error(`crash ${i} not caught:\n${r.log}`);
    const exits = sim
      .state()
      .apps[app].machines.flatMap((m) => m.events ?? [])
      .filter((e) => e.type === 'exit')
      .map((e) => e.timestamp);
    caught.push(ended - Math.min(...exits));
  }
  const app = 'bench-crash-bare';
  await sim.seedApp(app, { releases: ['v1'] });
  const bareStarted = Date.now();
  const bare = await sim.run(
    ['deploy', '--app', app, '--image', `registry.fly.io/${app}:v2-exit1`, '--yes', '--wait-timeout', WAIT],
    {
      env: { FLY_API_TOKEN: TOKEN, FLY_SIM_CRASH_AFTER_MS: '1000' },
    },
  );
  const bareMs = Date.now() - bareStarted;
  if (bare.code === 0) throw new Error('the bare deploy of a crashing image passed');
  console.log(`a machine that exits 1 s after it starts, flyctl --wait-timeout ${WAIT}:`);
  console.log(
    `  fly-deploy: step over ${(median(caught) / 1000).toFixed(2)} s after the exit event (median of ${caught.length}; max ${(Math.max(...caught) / 1000).toFixed(2)} s)`,
  );
  console.log(
    `  flyctl alone: fails after ${(bareMs / 1000).toFixed(2)} s (it waits out --wait-timeout; 5 min by default)`,
  );
} finally {
  await sim.stop();
}
