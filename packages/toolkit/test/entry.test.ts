/**
 * runStep ends the process itself: in a child process (Node 24, the toolkit source through tsx),
 * with stdout a pipe read slowly, so that writes are still pending when the step is done.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { node24Path, StepLog } from '@deploy-actions/runner';
import { describe, expect, it } from 'vitest';

const toolkit = join(import.meta.dirname, '..', 'src', 'index.ts');

/** Runs `body` as an action's main with runStep; stdout is read only after `readAfterMs`. */
async function runAction(body: string, readAfterMs = 300) {
  const dir = mkdtempSync(join(tmpdir(), 'run-step-'));
  const script = join(dir, 'main.mts');
  writeFileSync(
    script,
    `import { log, registerSecret, runProcess, runStep, UserError } from ${JSON.stringify(toolkit)};\nawait runStep(['done', 'app-url', 'release-version'], async (out) => {\n${body}\n});\n`,
  );
  const started = Date.now();
  const child = spawn(node24Path(), ['--import', 'tsx', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: '' },
  });
  const chunks: Buffer[] = [];
  child.stdout.pause();
  setTimeout(() => child.stdout.on('data', (c: Buffer) => chunks.push(c)).resume(), readAfterMs);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  return { code, stdout: Buffer.concat(chunks).toString('utf8'), ms: Date.now() - started };
}

describe('runStep ends the process', () => {
  it('after stdout took everything, however slowly the pipe is read', async () => {
    // 1 MB: far more than a pipe holds, so most of it is still pending when main returns.
    const r = await runAction(
      `for (let i = 0; i < 2000; i++) log.info(i + ' ' + 'x'.repeat(500));\nout.set('done', 'yes');`,
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.filter((l) => l.endsWith('x'.repeat(500)))).toHaveLength(2000);
    expect(lines.at(-4)).toBe('::set-output name=done::yes');
  });

  it('with exit code 1 after a failure, and without waiting for a handle left open', async () => {
    const r = await runAction(`setInterval(() => {}, 1000);\nthrow new UserError('the deploy window is closed');`, 0);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('::error::the deploy window is closed');
    expect(r.stdout).toContain('::set-output name=done::');
  });

  it('after the processes it started, also one nobody awaits any more', async () => {
    const mark = join(mkdtempSync(join(tmpdir(), 'run-step-mark-')), 'done');
    const child = `setTimeout(() => require('node:fs').writeFileSync(${JSON.stringify(mark)}, 'x'), 300)`;
    const r = await runAction(
      `runProcess(process.execPath, ['-e', ${JSON.stringify(child)}], { timeoutMs: 10_000 });\nthrow new UserError('a sibling failed first');`,
      0,
    );
    expect(r.code).toBe(1);
    expect(existsSync(mark)).toBe(true);
  });
});

describe('the output guard', () => {
  it('writes a secret that collides with an output as ***, names where it came from, and sets every other output', async () => {
    // A build secret that is also part of the app's name, set after the deploy ran.
    const r = await runAction(
      [
        `registerSecret('acme-shop', "input 'build-secrets'");`,
        `out.set('app-url', 'https://acme-shop-prod.fly.dev');`,
        `out.set('release-version', 7);`,
        `out.set('done', 'yes');`,
      ].join('\n'),
      0,
    );
    expect(r.code).toBe(0);
    const stepLog = new StepLog();
    stepLog.feedText(r.stdout);
    expect(stepLog.legacyOutputs).toEqual({
      'app-url': 'https://***-prod.fly.dev',
      'release-version': '7',
      done: 'yes',
    });
    expect(stepLog.annotations).toHaveLength(1);
    expect(stepLog.annotations[0]).toMatchObject({ level: 'warning', title: 'A secret collides with an output' });
    expect(stepLog.annotations[0].message).toContain("Output 'app-url' holds the value of input 'build-secrets'");
    expect(r.stdout).not.toContain('Unexpected error');
  });
});
