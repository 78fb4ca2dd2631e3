import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import {
  backoffDelay,
  lineSplitter,
  Outputs,
  redact,
  registerSecret,
  retry,
  runProcess,
  Summary,
  UserError,
} from '../src/index';

describe('registerSecret / redact', () => {
  it('redacts the value, its lines and its encodings', () => {
    const pem = '-----BEGIN KEY-----\nMIIBOgIBAAJBAK\n-----END KEY-----';
    registerSecret(pem);
    registerSecret('p@ss word/+');
    const text = [
      pem,
      'MIIBOgIBAAJBAK',
      Buffer.from('p@ss word/+').toString('base64'),
      Buffer.from('p@ss word/+').toString('base64url'),
      encodeURIComponent('p@ss word/+'),
    ].join(' | ');
    expect(redact(text)).toBe('*** | *** | *** | *** | ***');
  });
});

it('does not mask values too short to be secrets', () => {
  registerSecret('t');
  expect(redact('the token is t')).toBe('the token is t');
});

describe('retry', () => {
  const fast = { baseDelayMs: 1, maxDelayMs: 4, sleep: async () => {} };

  it('retries retryable failures and stops at the first success', async () => {
    let calls = 0;
    const result = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Error('lease held');
        return 'ok';
      },
      { ...fast, attempts: 5, retryable: () => true },
    );
    expect([result, calls]).toEqual(['ok', 3]);
  });

  it('does not retry a permanent failure, nor past the attempts or the deadline', async () => {
    let calls = 0;
    const fail = async () => {
      calls++;
      throw new Error('nope');
    };
    await expect(retry(fail, { ...fast, attempts: 5, retryable: () => false })).rejects.toThrow('nope');
    expect(calls).toBe(1);
    calls = 0;
    await expect(retry(fail, { ...fast, attempts: 3, retryable: () => true })).rejects.toThrow('nope');
    expect(calls).toBe(3);
    calls = 0;
    const now = () => 1_000;
    await expect(retry(fail, { ...fast, attempts: 9, retryable: () => true, deadline: 1_001, now })).rejects.toThrow();
    expect(calls).toBe(1);
  });

  it('backs off exponentially with jitter, capped, honouring a requested delay', async () => {
    expect(backoffDelay(1, 100, 1_000, () => 0)).toBe(50);
    expect(backoffDelay(3, 100, 1_000, () => 1)).toBe(400);
    expect(backoffDelay(10, 100, 1_000, () => 1)).toBe(1_000);
    const waits: number[] = [];
    await retry(
      async (n) => {
        if (n === 1) throw new Error('429');
      },
      {
        attempts: 2,
        baseDelayMs: 1,
        maxDelayMs: 1,
        retryable: () => true,
        requestedDelayMs: () => 700,
        sleep: async (ms) => void waits.push(ms),
      },
    );
    expect(waits).toEqual([700]);
  });

  it('stops when aborted: no new attempt, and a wait ends at once with the reason', async () => {
    const controller = new AbortController();
    let calls = 0;
    const failing = retry(
      async () => {
        calls++;
        throw new Error('refused');
      },
      { attempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, retryable: () => true, signal: controller.signal },
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort(new Error('abandoned'));
    await expect(failing).rejects.toThrow('abandoned');
    expect(calls).toBe(1);
    await expect(
      retry(async () => 'never', {
        attempts: 1,
        baseDelayMs: 1,
        maxDelayMs: 1,
        retryable: () => true,
        signal: controller.signal,
      }),
    ).rejects.toThrow('abandoned');
  });
});

/** Alive and not a zombie (a killed orphan may wait for a reaper that never comes in a container). */
function isRunning(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describe('lineSplitter', () => {
  it('emits whole lines only, however the chunks cut them, and the tail at the end', () => {
    const lines: string[] = [];
    const split = lineSplitter((line) => lines.push(line));
    for (const chunk of ['tok', 'en-12', '34\r', '\nnext\n\nta', 'il']) split.push(chunk);
    expect(lines).toEqual(['token-1234', 'next', '']);
    split.end();
    expect(lines).toEqual(['token-1234', 'next', '', 'tail']);
  });
});

describe('runProcess', () => {
  it('passes argv verbatim, stdin and env, and captures output', async () => {
    const r = await runProcess(
      process.execPath,
      ['-e', 'process.stdin.pipe(process.stdout); console.error(process.argv[1], process.env.X)', '$(rm -rf /); echo'],
      { input: 'from stdin', env: { X: 'from env' }, timeoutMs: 10_000 },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('from stdin');
    expect(r.stderr.trim()).toBe('$(rm -rf /); echo from env');
  });

  it('kills the whole process group at the deadline, grandchildren included', async () => {
    const script = `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], {stdio:'ignore'}); console.log(c.pid); setInterval(()=>{},1000)`;
    const r = await runProcess(process.execPath, ['-e', script], { timeoutMs: 500, killGraceMs: 100 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    const grandchild = Number(r.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isRunning(grandchild)).toBe(false);
  });

  it('streams redacted lines', async () => {
    registerSecret('tok_live_123456');
    const lines: string[] = [];
    await runProcess(process.execPath, ['-e', 'console.log("a tok_live_123456"); console.log("b")'], {
      timeoutMs: 10_000,
      onLine: (line) => lines.push(line),
    });
    expect(lines).toEqual(['a ***', 'b']);
  });

  it('turns a missing command into a user error', async () => {
    await expect(runProcess('definitely-not-a-command', [], { timeoutMs: 1_000 })).rejects.toBeInstanceOf(UserError);
  });

  it('turns a working directory that is a file, or missing, into a user error naming it (not spawn ENOTDIR)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cwd-')), 'a-file');
    writeFileSync(file, 'x');
    const asFile = runProcess(process.execPath, ['-e', '0'], { cwd: file, timeoutMs: 5_000 });
    await expect(asFile).rejects.toBeInstanceOf(UserError);
    await expect(asFile).rejects.toThrow(`its working directory ${file} is not a directory`);
    const missing = runProcess(process.execPath, ['-e', '0'], { cwd: `${file}-gone`, timeoutMs: 5_000 });
    await expect(missing).rejects.toThrow(`its working directory ${file}-gone does not exist`);
  });
});

describe('Summary', () => {
  it('escapes table cells and redacts', () => {
    registerSecret('hunter2-secret');
    const md = new Summary()
      .heading('Deploy')
      .table(['a', 'b'], [['x|y', 'line1\nline2 hunter2-secret']])
      .toString();
    expect(md).toBe('## Deploy\n\n| a | b |\n| --- | --- |\n| x\\|y | line1<br>line2 *** |\n');
  });
});

describe('Outputs', () => {
  it('writes a credential-length secret in an output as ***, and keeps a short masked value', () => {
    registerSecret('acme');
    registerSecret('tok_9f8e7d6c5b4a', "input 'token'");
    const out = new Outputs(['app-name', 'url'] as const);
    out.set('app-name', 'acme-shop');
    expect(out.get('app-name')).toBe('acme-shop');
    const written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    out.set('url', 'https://x/?t=tok_9f8e7d6c5b4a');
    expect(out.get('url')).toBe('https://x/?t=***');
    expect(String(written.mock.calls[0][0])).toContain("Output 'url' holds the value of input 'token'");
    written.mockRestore();
  });
});
