/**
 * Outside text never becomes a workflow command: the injections of the security review, run
 * through the committed bundles and read back by the runner harness, which parses commands as
 * GitHub's runner does (leading white space trimmed, `##[cmd]` anywhere, `\r` ending a line).
 * Each source is text someone other than the workflow author can write: a Docker build's output,
 * the deployed app's version field, a deployment payload or input, an `environment`, an
 * `override-reason`.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { type RunBundleResult, runBundle } from '@deploy-actions/runner';
import { type GitHubApi, startGitHubApi } from '@deploy-actions/testkit/github-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Every way the review found to smuggle a command, with `INJ` in each so it can be spotted. */
const PAYLOAD = [
  'v2',
  '::error title=INJ::Deploy blocked, re-authenticate at https://evil.example',
  ' ::add-mask::Updating',
  '\t::stop-commands::INJ-pause',
  'npm notice ##[warning]INJ legacy form mid-line',
  '\u00a0::notice::INJ after a non-breaking space',
].join('\n');
const PAYLOAD_CR = 'v2\r::error title=INJ::after a carriage return';

const TOKEN = 'fm2_injection-test-token-51c0';
let sim: FlySim;
let app: Server;
let binDir: string;
let github: GitHubApi;

beforeAll(async () => {
  [sim, github] = await Promise.all([startFlySim({ tokens: [TOKEN] }), startGitHubApi({ repository: 'acme/shop' })]);
  await sim.seedApp('acme', { releases: ['v1', 'v2'] });
  // A flyctl whose deploy prints a hostile build log, then deploys through fly-sim.
  binDir = join(mkdtempSync(join(tmpdir(), 'injection-')), 'bin');
  mkdirSync(binDir);
  const buildLog = join(binDir, 'build.log');
  writeFileSync(buildLog, `${PAYLOAD}\n${PAYLOAD_CR}\n`);
  writeFileSync(
    join(binDir, 'flyctl'),
    `#!/bin/sh\nif [ "$1" = deploy ]; then cat ${JSON.stringify(buildLog)}; fi\nexec ${JSON.stringify(sim.flyctl)} "$@"\n`,
  );
  chmodSync(join(binDir, 'flyctl'), 0o755);
  // The deployed app reports a version of its own choosing.
  app = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', version: `${PAYLOAD}\n${PAYLOAD_CR}` }));
  });
  await new Promise<void>((done) => app.listen(0, '127.0.0.1', done));
});

afterAll(async () => {
  await Promise.all([sim?.stop(), github?.close(), new Promise((done) => app?.close(done))]);
});

/** The data of each smuggled command: a command carrying exactly one of these came from the payload. */
const SMUGGLED = new Set([
  'Deploy blocked, re-authenticate at https://evil.example',
  'Updating',
  'INJ-pause',
  'INJ legacy form mid-line',
  'INJ after a non-breaking space',
  'after a carriage return',
]);

/** The commands the runner would have run that came from the payload, not from our own code. */
function injected(r: RunBundleResult): string[] {
  return (
    r.commands
      // A legacy `##[cmd]` takes the rest of its line as data, so a smuggled one starts with its text.
      .filter(
        (c) => [...SMUGGLED].some((text) => c.message.startsWith(text)) || c.command.toLowerCase() === 'stop-commands',
      )
      .map((c) => c.line)
  );
}

describe('no outside text becomes a workflow command', () => {
  it('fly-deploy: flyctl and Docker build output', async () => {
    const r = await runBundle('fly-deploy', {
      inputs: { app: 'acme', image: 'registry.fly.io/acme:v3' },
      env: { ...sim.env, PATH: `${binDir}:${sim.env.PATH}`, FLY_API_TOKEN: TOKEN },
    });
    expect(r.log).toContain('\\::error title=INJ::Deploy blocked');
    expect(r.log).toContain('npm notice ##[\\warning]INJ legacy form mid-line');
    expect(injected(r)).toEqual([]);
    expect(r.masks).not.toContain('Updating');
  });

  it('health-gate: the version field of the app’s answer', async () => {
    const r = await runBundle('health-gate', {
      inputs: {
        url: `http://127.0.0.1:${(app.address() as AddressInfo).port}/health`,
        'expected-version': 'v3',
        timeout: '1s',
        interval: '200ms',
      },
    });
    expect(r.exitCode).toBe(1);
    expect(injected(r)).toEqual([]);
  });

  it('auto-rollback: the failed-image-ref input (as a deployment payload would carry it)', async () => {
    const r = await runBundle('auto-rollback', {
      inputs: {
        app: 'acme',
        'failed-release-version': '2',
        'failed-image-ref': `registry.fly.io/acme:v2\n${PAYLOAD}`,
        'lkg-source': 'fly-releases',
        'dry-run': 'true',
      },
      env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    });
    expect(injected(r)).toEqual([]);
  });

  it('notify: the environment', async () => {
    const r = await runBundle('notify', {
      inputs: {
        status: 'success',
        app: 'acme',
        environment: `production\n${PAYLOAD}`,
        'webhook-url': `http://127.0.0.1:${(app.address() as AddressInfo).port}/hook`,
        'github-deployment': 'true',
      },
      githubToken: github.token,
      context: { repository: 'acme/shop', apiUrl: github.url },
    });
    expect(injected(r)).toEqual([]);
  });

  it('business-hours-gate: the override-reason', async () => {
    const r = await runBundle('business-hours-gate', {
      eventName: 'workflow_dispatch',
      context: { actor: 'mona' },
      inputs: {
        now: '2026-11-21T10:00:00-08:00',
        override: 'true',
        'override-reason': `Checkout is down ${PAYLOAD}`,
        'override-actors': 'mona',
      },
    });
    expect(injected(r)).toEqual([]);
  });
});
