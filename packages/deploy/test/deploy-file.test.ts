import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerSecret } from '@deploy-actions/toolkit';
import { describe, expect, it } from 'vitest';
import { type DeployFile, writeDeploymentFile } from '../src/deploy-file';

describe('the deployment file', () => {
  it('is redacted like every output: no token or build secret that flyctl echoed reaches it', () => {
    const token = 'fm2_deploy-file-token-9c8b7a6d5e4f3210';
    const buildSecret = 'npm_"quoted"\\secret-value-1234';
    registerSecret(token);
    registerSecret(buildSecret);
    const record: DeployFile = {
      app: 'shop',
      release: { id: 'RL1', version: 2 },
      image: 'registry.fly.io/shop:v2',
      sha: 'abc',
      ref: 'refs/heads/main',
      actor: 'octocat',
      reason: `deploy ${token}`,
      started: '2026-08-20T14:00:00Z',
      finished: '2026-08-20T14:01:00Z',
      strategy: 'rolling',
      result: 'failure',
      previous: { version: 1, image: 'registry.fly.io/shop:v1' },
      url: '',
      error: `unauthorized: token ${token} rejected; build arg ${buildSecret}`,
    };
    const path = writeDeploymentFile(record, { RUNNER_TEMP: mkdtempSync(join(tmpdir(), 'deploy-file-')) });
    const text = readFileSync(path, 'utf8');
    expect(text).not.toContain(token);
    expect(text).not.toContain('quoted');
    expect(JSON.parse(text).error).toBe('unauthorized: token *** rejected; build arg ***');
  });
});
