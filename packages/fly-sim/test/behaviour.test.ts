import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlySim, startFlySim } from '../src/index';

let sim: FlySim;
let echo: Server;
let echoPort: number;
const env = { FLY_API_TOKEN: 'good-token' };

beforeAll(async () => {
  sim = await startFlySim({ tokens: ['good-token'], slowMs: 400 });
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as { port: number }).port;
});
afterAll(async () => {
  await sim?.stop();
  await new Promise((r) => echo?.close(r));
});

const health = async (url: string, machine?: string) => {
  const res = await fetch(`${url}/health`, { headers: machine ? { 'fly-force-instance-id': machine } : {} });
  return { status: res.status, body: await res.text(), machine: res.headers.get('fly-machine-id') };
};

describe('auth and errors', () => {
  it('refuses without a token, and an empty FLY_ACCESS_TOKEN hides FLY_API_TOKEN', async () => {
    const none = await sim.run(['apps', 'list', '--json'], { env: {} });
    expect(none.code).toBe(1);
    expect(none.stderr).toBe("Error: No access token available. Please login with 'flyctl auth login'\n");
    const hidden = await sim.run(['apps', 'list', '--json'], { env: { ...env, FLY_ACCESS_TOKEN: '' } });
    expect(hidden.stderr).toContain('No access token available');
  });

  it('answers unauthorized for a token it does not know', async () => {
    const r = await sim.run(['apps', 'list'], { env: { FLY_API_TOKEN: 'other' } });
    expect(r).toMatchObject({ code: 1, stderr: 'Error: unauthorized\n' });
  });

  it('fails on unknown flags and commands like flyctl', async () => {
    expect((await sim.run(['status', '--nope'], { env })).stderr).toBe('Error: unknown flag: --nope\n');
    expect((await sim.run(['frobnicate'], { env })).stderr).toContain('unknown command "frobnicate" for "flyctl"');
  });

  it('adds the ::error annotation on stdout in GitHub Actions when asked', async () => {
    const r = await sim.run(['status', '--app', 'nope', '--json'], {
      env: { ...env, GITHUB_ACTIONS: 'true', FLY_GHA_ERROR_ANNOTATION: '1' },
    });
    expect(r.stdout).toBe('::error title=flyctl error::failed to get app: Could not find App "nope"\n');
    expect(r.stderr).toBe('Error: failed to get app: Could not find App "nope"\n');
  });
});

describe('apps', () => {
  it('creates, refuses a duplicate, destroys, and reports a missing app on destroy', async () => {
    expect((await sim.run(['apps', 'create', 'tmp-app', '--org', 'personal'], { env })).stdout).toBe(
      'New app created: tmp-app\n',
    );
    expect((await sim.run(['apps', 'create', 'tmp-app', '--org', 'personal'], { env })).stderr).toContain(
      'already been taken',
    );
    expect((await sim.run(['apps', 'create', 'x-app', '--org', 'acme'], { env })).stderr).toBe(
      'Error: organization acme not found\n',
    );
    expect((await sim.run(['apps', 'destroy', 'tmp-app'], { env })).stderr).toContain('yes flag must be specified');
    expect((await sim.run(['apps', 'destroy', 'tmp-app', '--yes'], { env })).stdout).toBe('Destroyed app tmp-app\n');
    const again = await sim.run(['apps', 'destroy', 'tmp-app', '--yes'], { env });
    expect(again).toMatchObject({ code: 1, stderr: 'Error: Could not find App "tmp-app"\n' });
  });
});

describe('an app created but never deployed', () => {
  // superfly/flyctl@v0.4.87 internal/command/status/machines.go:233-287, machine/list.go:60-75,
  // apps/releases.go:56-67: the app exists; it has no machines and no releases yet.
  it('status, releases and machines list answer, empty, exit 0', async () => {
    expect((await sim.run(['apps', 'create', 'fresh-app', '--org', 'personal'], { env })).code).toBe(0);
    const status = await sim.run(['status', '--app', 'fresh-app', '--json'], { env });
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(status.stdout)).toMatchObject({
      Name: 'fresh-app',
      Deployed: false,
      Status: 'pending',
      Version: 0,
      Machines: [],
    });
    for (const args of [
      ['releases', '--app', 'fresh-app', '--json'],
      ['machines', 'list', '--app', 'fresh-app', '--json'],
    ]) {
      expect(await sim.run(args, { env })).toMatchObject({ code: 0, stdout: '[]\n', stderr: '' });
    }
    const text = await sim.run(['status', '--app', 'fresh-app'], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Image    = -');
    expect(text.stdout).not.toContain('Machines');
    expect((await sim.run(['machines', 'list', '--app', 'fresh-app'], { env })).stdout).toBe(
      'No machines are available on this app fresh-app\n',
    );
  });
});

describe('deployed apps over HTTP', () => {
  it('serves /health with the image label and routes fly-force-instance-id to one machine', async () => {
    await sim.seedApp('web', { releases: ['v1'] });
    const url = sim.appUrl('web');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await health(url)).toMatchObject({ status: 200, body: '{"status":"ok","version":"v1"}' });
    const [a, b] = sim.state().apps.web.machines;
    expect((await health(url, a.id)).machine).toBe(a.id);
    expect((await health(url, b.id)).machine).toBe(b.id);
    expect((await health(url, 'ffffffffffffff')).status).toBe(503);
    await sim.patchMachine('web', a.id, { state: 'stopped' });
    expect((await health(url, a.id)).status).toBe(503);
    expect((await health(url)).machine).toBe(b.id);
  });

  it('crash: deploy fails, machines stopped with critical checks, release failed', async () => {
    await sim.seedApp('crashy', { releases: ['v1'] });
    const r = await sim.run(['deploy', '-a', 'crashy', '-i', 'registry.fly.io/crashy:v2-crash'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^Error: smoke checks for [0-9a-f]{14} failed: the app appears to be crashing/m);
    // The spearhead crash-loops (restart_count > 1 on its newest exit event); the rest were never updated.
    const machines = JSON.parse((await sim.run(['machines', 'list', '-a', 'crashy', '--json'], { env })).stdout);
    const crashed = machines.find((m: { image_ref: { tag: string } }) => m.image_ref.tag === 'v2-crash');
    const exit = crashed.events.find((e: { type: string }) => e.type === 'exit');
    expect(exit.request.exit_event).toMatchObject({ exit_code: 1, restarting: true, requested_stop: false });
    expect(exit.request.restart_count).toBeGreaterThan(1);
    expect(crashed.checks[0].status).toBe('critical');
    const releases = JSON.parse((await sim.run(['releases', '-a', 'crashy', '--json'], { env })).stdout);
    expect(releases.map((x: { Status: string }) => x.Status)).toEqual(['failed', 'complete']);
    // Redeploying the previous image restores service (what auto-rollback does).
    expect((await sim.run(['deploy', '-a', 'crashy', '-i', 'registry.fly.io/crashy:v1'], { env })).code).toBe(0);
    expect((await health(sim.appUrl('crashy'))).body).toBe('{"status":"ok","version":"v1"}');
  });

  it('crash with bluegreen rolls back: the old release keeps serving', async () => {
    await sim.seedApp('bg', { releases: ['v1'] });
    const r = await sim.run(['deploy', '-a', 'bg', '-i', 'registry.fly.io/bg:crash', '--strategy', 'bluegreen'], {
      env,
    });
    expect(r.code).toBe(1);
    expect((await health(sim.appUrl('bg'))).body).toBe('{"status":"ok","version":"v1"}');
  });

  it('unhealthy: deploy succeeds, then /health answers 500 and checks are critical', async () => {
    await sim.seedApp('sick', { releases: ['v1-unhealthy'] });
    expect(sim.state().apps.sick.releases[0].status).toBe('complete');
    expect(await health(sim.appUrl('sick'))).toMatchObject({
      status: 500,
      body: '{"status":"error","version":"v1-unhealthy"}',
    });
    const status = JSON.parse((await sim.run(['status', '-a', 'sick', '--json'], { env })).stdout);
    expect(status.Machines[0].checks[0].status).toBe('critical');
  });

  it('slow: a short --wait-timeout fails the deploy; immediate returns while checks still fail, then pass', async () => {
    await sim.seedApp('slowpoke', { releases: ['v1'] });
    const short = await sim.run(
      ['deploy', '-a', 'slowpoke', '-i', 'registry.fly.io/slowpoke:slow-1', '--wait-timeout', '1'],
      {
        env: { ...env, FLY_SIM_SLOW_MS: '3000' },
      },
    );
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('timeout reached waiting for health checks to pass for machine');
    const fast = await sim.run(
      ['deploy', '-a', 'slowpoke', '-i', 'registry.fly.io/slowpoke:slow-2', '--strategy', 'immediate'],
      {
        env,
      },
    );
    expect(fast.code).toBe(0);
    expect((await health(sim.appUrl('slowpoke'))).status).toBe(502);
    await new Promise((r) => setTimeout(r, 450));
    expect((await health(sim.appUrl('slowpoke'))).body).toBe('{"status":"ok","version":"slow-2"}');
  });
});

describe('faults', () => {
  it('uses each listed fault once per invocation, in order, across processes', async () => {
    await sim.seedApp('faulty', { releases: ['v1'] });
    const faults = { ...env, FLY_SIM_FAULTS: 'deploy:lease,deploy:429,status:reset' };
    const deploy = () => sim.run(['deploy', '-a', 'faulty', '-i', 'registry.fly.io/faulty:v2'], { env: faults });
    expect((await deploy()).stderr).toMatch(/^Error: failed to get lease on VM [0-9a-f]{14}: lease currently held by/m);
    expect((await deploy()).stderr).toContain('429');
    expect((await deploy()).code).toBe(0);
    expect((await sim.run(['status', '-a', 'faulty'], { env: faults })).stderr).toContain('connection reset by peer');
    expect((await sim.run(['status', '-a', 'faulty'], { env: faults })).code).toBe(0);
    // The lease failure came after the release was created (machines.go:328): it left a failed one.
    // The 429 came while machines were listed, before any release.
    expect(sim.state().apps.faulty.releases.map((r) => [r.version, r.status])).toEqual([
      [1, 'complete'],
      [2, 'failed'],
      [3, 'complete'],
    ]);
    // Another app with the same spec gets its own count.
    await sim.seedApp('faulty-too', { releases: ['v1'] });
    const other = await sim.run(['deploy', '-a', 'faulty-too', '-i', 'registry.fly.io/faulty-too:v2'], { env: faults });
    expect(other.stderr).toContain('failed to get lease on VM');
  });

  it('update-timeout fails after a machine was updated', async () => {
    await sim.injectFaults('deploy:update-timeout');
    const r = await sim.run(['deploy', '-a', 'faulty', '-i', 'registry.fly.io/faulty:v3'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^> \[1\/2\] Updating [0-9a-f]{14} \[app\]$/m);
    expect(r.stderr).toContain('timeout awaiting response headers');
    await sim.injectFaults('');
  });

  it('last-wait-timeout: flyctl exits 126, as it does for an error that wraps a context deadline', async () => {
    await sim.injectFaults('deploy:last-wait-timeout');
    const r = await sim.run(['deploy', '-a', 'faulty', '-i', 'registry.fly.io/faulty:v4'], { env });
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/^Error: timeout reached waiting for health checks .*context deadline exceeded$/m);
    await sim.injectFaults('');
  });

  it('marks the release interrupted when flyctl is killed mid-deploy', async () => {
    await sim.seedApp('killme', { releases: ['v1'] });
    const child = spawn(sim.flyctl, ['deploy', '-a', 'killme', '-i', 'registry.fly.io/killme:slow-v2'], {
      env: { ...process.env, ...sim.env, ...env, FLY_SIM_SLOW_MS: '60000' },
    });
    // Kill it while it waits for the slow machines' checks: the release exists by then.
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        if (out.includes('Waiting for')) resolve();
      });
      child.on('close', () => resolve());
    });
    const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await closed).toBe(127);
    await expect.poll(() => sim.state().apps.killme.releases.at(-1)?.status, { timeout: 5_000 }).toBe('interrupted');
  });
});

describe('secrets', () => {
  it('imports with flyctl’s parser, stages, deploys, and unsets', async () => {
    await sim.seedApp('vault', { releases: ['v1'] });
    const input = '# comment\nPLAIN=abc # trailing\nHASHED="a#b"\nMULTI="""line1\nline2"""\n';
    expect((await sim.run(['secrets', 'import', '-a', 'vault', '--stage'], { env, input })).code).toBe(0);
    const secrets = sim.state().apps.vault.secrets;
    expect(Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, v.value]))).toEqual({
      PLAIN: 'abc',
      HASHED: 'a#b',
      MULTI: 'line1\nline2',
    });
    const list = () => sim.run(['secrets', 'list', '-a', 'vault', '--json'], { env }).then((r) => JSON.parse(r.stdout));
    expect((await list()).map((s: { status: string }) => s.status)).toEqual(['Staged', 'Staged', 'Staged']);
    expect((await sim.run(['secrets', 'deploy', '-a', 'vault'], { env })).code).toBe(0);
    expect((await list()).every((s: { status: string }) => s.status === 'Deployed')).toBe(true);
    expect((await sim.run(['secrets', 'unset', 'PLAIN', 'NOT_THERE', '-a', 'vault', '--stage'], { env })).code).toBe(0);
    expect((await list()).map((s: { name: string }) => s.name)).toEqual(['HASHED', 'MULTI']);
    // The stdin never shows up in what the platform records.
    const calls = await sim.calls();
    expect(JSON.stringify(calls)).not.toContain('line1');
  });

  it('import fails like flyctl: parse errors, a panic on a lone quote, nothing parsed, unknown app first', async () => {
    await sim.seedApp('vault-errors', { releases: ['v1'] });
    const run = (input: string, app = 'vault-errors') =>
      sim.run(['secrets', 'import', '-a', app, '--stage'], { env, input });
    expect(await run('A=1\nno pair here\n')).toMatchObject({
      code: 1,
      stderr:
        'Error: Failed to parse secrets from stdin: Secrets must be provided as NAME=VALUE pairs (no pair here is invalid)\n',
    });
    const panic = await run('A=1\nB="\n');
    expect(panic.code).toBe(3);
    expect(panic.stdout).toBe('\u001b[31mOops, something went wrong! Could you try that again?\u001b[0m\n');
    expect(panic.stderr).toBe('');
    expect(await run('# only a comment\n')).toMatchObject({
      code: 1,
      stderr: 'Error: requires at least one SECRET=VALUE pair\n',
    });
    // flyctl looks the app up before it reads stdin.
    expect((await run('A="\n', 'no-such-vault')).stderr).toContain('Could not find App');
    expect(sim.state().apps['vault-errors'].secrets).toEqual({});
  });

  it('import stops silently at a line of 64 KiB, keeping what came before it', async () => {
    await sim.seedApp('vault-long', { releases: ['v1'] });
    const input = `FIRST=kept\nLONG=${'é'.repeat(33_000)}\nAFTER=lost\n`;
    const r = await sim.run(['secrets', 'import', '-a', 'vault-long', '--stage'], { env, input });
    expect(r.code).toBe(0);
    expect(Object.keys(sim.state().apps['vault-long'].secrets)).toEqual(['FIRST']);
    expect((await sim.calls()).at(-1)?.stdinBytes).toBe(Buffer.byteLength(input));
  });

  it('secrets deploy without machines fails like flyctl', async () => {
    await sim.seedApp('empty-app');
    const r = await sim.run(['secrets', 'deploy', '-a', 'empty-app'], { env });
    expect(r).toMatchObject({ code: 1, stderr: "Error: no machines available to deploy\nTry 'fly deploy' first\n" });
  });
});

describe('proxy and ssh console', () => {
  it('proxy: port 0 picks a free port, prints the ready line, forwards, and ends when stdin closes', async () => {
    await sim.seedApp('pg', { releases: ['v1'], proxyTarget: `127.0.0.1:${echoPort}` });
    const child = spawn(sim.flyctl, ['proxy', '0:5432', '-a', 'pg', '--watch-stdin'], {
      env: { ...process.env, ...sim.env, ...env },
    });
    const line = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        if (out.includes('\n')) resolve(out.trim());
      });
    });
    const m = /^Proxying localhost:(\d+) to remote \[pg\.internal\]:5432$/.exec(line);
    expect(m).not.toBeNull();
    const { connect } = await import('node:net');
    const reply = await new Promise<string>((resolve) => {
      const s = connect(Number(m?.[1]), '127.0.0.1', () => s.write('ping'));
      s.on('data', (d) => {
        resolve(d.toString());
        s.destroy();
      });
    });
    expect(reply).toBe('ping');
    const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    child.stdin.end();
    expect(await closed).toBe(0);
  });

  it('ssh console -C execs the word-split command with the app secrets in its env, without a shell', async () => {
    await sim.seedApp('worker', { releases: ['v1'], secrets: { DATABASE_URL: 'postgres://x/y' } });
    const ok = await sim.run(
      ['ssh', 'console', '-a', 'worker', '-C', `sh -c 'printf "%s|%s" "$DATABASE_URL" "$FLY_APP_NAME"'`],
      { env },
    );
    expect(ok).toMatchObject({ code: 0, stdout: 'postgres://x/y|worker' });
    expect(ok.stderr).toMatch(/^Connecting to .* complete\n$/);
    // No shell: `$VAR` is a plain word and `&&` an argument of echo.
    const plain = await sim.run(['ssh', 'console', '-a', 'worker', '-C', 'echo $DATABASE_URL && echo done'], { env });
    expect(plain).toMatchObject({ code: 0, stdout: '$DATABASE_URL && echo done\n' });
    const bad = await sim.run(['ssh', 'console', '-a', 'worker', '--command', "sh -c 'exit 3'"], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Error: ssh shell: Process exited with status 3');
  });
});
