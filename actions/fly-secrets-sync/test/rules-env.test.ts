/** fly-secrets-sync's rules judging fly.toml [env] as well: the bundle under Node 24 against fly-sim. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FlySim, startFlySim } from '@deploy-actions/fly-sim';
import { findLeaks, runBundle } from '@deploy-actions/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TOKEN = 'fly-token-rules-env-31c9';
const SESSION = 'session-secret-long-enough-0123456789abcdef';
const RULES = `required: [DATABASE_URL, SESSION_SECRET]
min-length: { SESSION_SECRET: 32 }
forbidden: { AUTH_DEV_BYPASS: ["true", "1"] }`;
let sim: FlySim;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [TOKEN] });
  await Promise.all(['api-env-bad', 'api-env-ok', 'api-env-missing'].map((app) => sim.seedApp(app)));
});
afterAll(async () => {
  await sim?.stop();
});

function workspace(env: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-rules-env-'));
  writeFileSync(join(dir, 'fly.toml'), `app = "api"\n\n[env]\n${env}\n`);
  return dir;
}

function sync(app: string, cwd: string, inputs: Record<string, string> = {}) {
  return runBundle('fly-secrets-sync', {
    inputs: { app, secrets: `SESSION_SECRET=${SESSION}\nDATABASE_URL=postgres://db/app`, rules: RULES, ...inputs },
    env: { ...sim.env, FLY_API_TOKEN: TOKEN },
    cwd,
  });
}

describe.concurrent('secret rules see fly.toml [env]', () => {
  it('AUTH_DEV_BYPASS = "true" in [env] fails before any write, naming the rule, never the value', async () => {
    const cwd = workspace('  AUTH_DEV_BYPASS = "true"\n  LOG_LEVEL = "info"');
    const r = await sync('api-env-bad', cwd);
    expect(r.exitCode).toBe(1);
    const message = r.annotations.map((a) => a.message).join('\n');
    expect(message).toContain('AUTH_DEV_BYPASS (fly.toml [env]) breaks rule "forbidden"');
    expect(message).toContain('nothing was written');
    expect(Object.keys(sim.state().apps['api-env-bad'].secrets)).toEqual([]);
    expect(findLeaks(r, [TOKEN, SESSION])).toEqual([]);
    expect(r.log).not.toMatch(/\n\s+at /);
  });

  it('a clean [env] passes and the secrets are staged', async () => {
    const r = await sync('api-env-ok', workspace('  AUTH_DEV_BYPASS = "false"'));
    expect(r.exitCode, r.log).toBe(0);
    expect(Object.keys(sim.state().apps['api-env-ok'].secrets).sort()).toEqual(['DATABASE_URL', 'SESSION_SECRET']);
  });

  it('a config that does not exist is a clear input error', async () => {
    const r = await sync('api-env-missing', workspace(''), { config: 'fly/fly.api.toml' });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0].message).toBe(
      "Invalid input 'config': fly/fly.api.toml does not exist (relative to the workspace)",
    );
  });
});
