import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlySim, RunResult } from '../src/index';

/** The environment fly-deploy gives flyctl (plus fast leases and crashes for the simulation). */
export const RUN_ENV = {
  FLY_API_TOKEN: 'fm2_transcript-token-1234567890',
  FLY_EMIT_RELEASE_JSON: '1',
  NO_COLOR: '1',
  FLY_SIM_LEASE_MS: '100',
};

const WEB_TOML = `app = "shop"
primary_region = "iad"

[deploy]
  release_command = "bin/migrate"

[http_service]
  internal_port = 8080
  auto_stop_machines = "stop"
  auto_start_machines = true
  min_machines_running = 0
`;

const WORKER_TOML = `app = "shop"
primary_region = "iad"

[processes]
  worker = "bin/worker"

[deploy]
  release_command = "bin/migrate"
`;

function project(toml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fly-transcript-'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fly.toml'), toml);
  return dir;
}

const image = (tag: string) => `registry.fly.io/shop:${tag}`;

/**
 * How fly-sim is brought to the situation of each transcript, and the flyctl command run
 * there. The command must be the transcript's `# command:` line.
 */
export const TRANSCRIPT_RUNS: Record<string, (sim: FlySim) => Promise<RunResult>> = {
  'deploy-first-ha': async (sim) => {
    await sim.seedApp('shop');
    return sim.run(['deploy', '--app', 'shop', '--image', image('v1'), '--yes'], { env: RUN_ENV });
  },
  'deploy-rolling': async (sim) => {
    await sim.seedApp('shop', { releases: ['v1'] });
    return sim.run(['deploy', '--app', 'shop', '--image', image('v2'), '--yes'], { env: RUN_ENV });
  },
  'deploy-rolling-autostopped': async (sim) => {
    await sim.seedApp('shop');
    await sim.configureApp('shop', { knobs: { autostopAfterMs: 0 } });
    await sim.run(['deploy', '--app', 'shop', '--image', image('v1'), '--yes'], { env: RUN_ENV });
    await waitFor(() => sim.state().apps.shop.machines.every((m) => m.state === 'stopped'));
    return sim.run(['deploy', '--app', 'shop', '--image', image('v2'), '--yes'], { env: RUN_ENV });
  },
  'deploy-worker-standby': async (sim) => {
    await sim.seedApp('shop');
    return sim.run(['deploy', '--image', image('v1'), '--yes'], { env: RUN_ENV, cwd: project(WORKER_TOML) });
  },
  'deploy-lease-conflict': async (sim) => {
    await sim.seedApp('shop', { releases: ['v1'] });
    return sim.run(['deploy', '--app', 'shop', '--image', image('v2'), '--yes'], {
      env: { ...RUN_ENV, FLY_SIM_FAULTS: 'deploy:lease' },
    });
  },
  'deploy-release-command-lease': async (sim) => {
    await sim.seedApp('shop');
    const cwd = project(WEB_TOML);
    await sim.run(['deploy', '--image', image('v1'), '--yes'], { env: RUN_ENV, cwd });
    return sim.run(['deploy', '--image', image('v2'), '--yes'], {
      env: { ...RUN_ENV, FLY_SIM_FAULTS: 'deploy:lease' },
      cwd,
    });
  },
  'deploy-release-command-failed': async (sim) => {
    await sim.seedApp('shop');
    const cwd = project(WEB_TOML);
    await sim.run(['deploy', '--image', image('v1'), '--yes'], { env: RUN_ENV, cwd });
    return sim.run(['deploy', '--image', image('v2'), '--yes'], {
      env: { ...RUN_ENV, FLY_SIM_FAULTS: 'deploy:release-command-failed' },
      cwd,
    });
  },
  'deploy-smoke-crash': async (sim) => {
    await sim.seedApp('shop', { releases: ['v1'] });
    return sim.run(['deploy', '--app', 'shop', '--image', image('v2-crash'), '--yes'], { env: RUN_ENV });
  },
  'deploy-health-timeout': async (sim) => {
    await sim.seedApp('shop', { releases: ['v1'] });
    return sim.run(['deploy', '--app', 'shop', '--image', image('v2-exit1'), '--yes', '--wait-timeout', '2s'], {
      env: RUN_ENV,
    });
  },
  'deploy-recovery-eof': async (sim) => {
    await sim.seedApp('shop', { releases: ['v1'] });
    await sim.configureApp('shop', { knobs: { deployRetries: 1 } });
    return sim.run(['deploy', '--app', 'shop', '--image', image('v2'), '--yes'], {
      env: { ...RUN_ENV, FLY_SIM_FAULTS: 'deploy:update-eof' },
    });
  },
  'deploy-recovery-crash': async (sim) => {
    await sim.seedApp('shop', { releases: ['v1'] });
    await sim.configureApp('shop', { knobs: { deployRetries: 2 } });
    return sim.run(['deploy', '--app', 'shop', '--image', image('v2-crash'), '--yes'], { env: RUN_ENV });
  },
  'deploy-recovery-push-forward': async (sim) => {
    await sim.seedApp('shop', { releases: ['v1'] });
    await sim.configureApp('shop', { knobs: { deployRetries: 1 } });
    return sim.run(['deploy', '--app', 'shop', '--image', image('v2'), '--yes'], {
      env: { ...RUN_ENV, FLY_SIM_FAULTS: 'deploy:update-timeout' },
    });
  },
  'deploy-recovery': async (sim) => {
    await sim.seedApp('shop', { releases: ['v1'] });
    await sim.configureApp('shop', { knobs: { deployRetries: 1 } });
    return sim.run(['deploy', '--app', 'shop', '--image', image('v2'), '--yes'], { env: RUN_ENV });
  },
  'deploy-build-failed': async (sim) => {
    await sim.seedApp('shop', { releases: ['v1'] });
    return sim.run(['deploy', '--app', 'shop', '--image-label', 'v2', '--remote-only', '--yes'], {
      env: { ...RUN_ENV, FLY_SIM_FAULTS: 'deploy:build-failed' },
    });
  },
  'secrets-import-restart': async (sim) => {
    await sim.seedApp('shop', { releases: ['v1'] });
    return sim.run(['secrets', 'import', '--app', 'shop'], { env: RUN_ENV, input: 'API_KEY="k-123"\n' });
  },
  'logs-no-tail': async (sim) => {
    await sim.seedApp('shop', { singleMachine: true, releases: ['v1-oom-after'] });
    const [machine] = sim.state().apps.shop.machines;
    await waitFor(() => sim.state().apps.shop.machines[0].state === 'stopped');
    return sim.run(['logs', '--app', 'shop', '--no-tail', '--machine', machine.id], { env: RUN_ENV });
  },
  'machine-start': async (sim) => {
    await sim.seedApp('shop', { singleMachine: true, releases: ['v1-exit1-after'] });
    const [machine] = sim.state().apps.shop.machines;
    await waitFor(() => sim.state().apps.shop.machines[0].state === 'stopped');
    return sim.run(['machine', 'start', machine.id, '--app', 'shop'], { env: RUN_ENV });
  },
};

async function waitFor(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error('fly-sim did not get there in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
