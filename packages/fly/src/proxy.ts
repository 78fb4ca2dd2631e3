import { spawn } from 'node:child_process';
import { lineSplitter, redact, UserError } from '@deploy-actions/toolkit';
import type { Fly } from './client';
import { assertAppName, assertNotFlag } from './commands';
import { FlyError, flyErrorMessage } from './errors';

export interface ProxyOptions {
  app: string;
  /** Port on the remote host (e.g. 5432). */
  remotePort: number;
  /** Remote host; flyctl defaults to `<app>.internal`. */
  remoteHost?: string;
  /** Local port; 0 (default) lets flyctl pick a free one. */
  localPort?: number;
  /** How long to wait for the ready line. */
  readyTimeoutMs?: number;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface Proxy {
  host: string;
  port: number;
  /** Ends the proxy (closes its stdin, then signals its process group) and waits for it. */
  stop(): Promise<void>;
}

/** flyctl's ready line: `Proxying localhost:<port> to remote [<host>]:<port>` (older: `Proxying local port <port> ...`). */
const READY = /Proxying (?:localhost|[\d.]+|local port):?(\d+)|Proxying local port (\d+)/;

/**
 * Starts `flyctl proxy <local>:<remote> [host] --watch-stdin` and resolves once flyctl
 * prints its ready line. `--watch-stdin` makes flyctl exit when we close its stdin, so
 * the proxy cannot outlive us.
 */
export function startProxy(fly: Fly, options: ProxyOptions): Promise<Proxy> {
  assertAppName(options.app);
  const local = options.localPort ?? 0;
  if (!Number.isInteger(options.remotePort) || options.remotePort < 1 || options.remotePort > 65535) {
    throw new UserError(`Invalid proxy port ${options.remotePort}`);
  }
  const args = ['proxy', `${local}:${options.remotePort}`];
  if (options.remoteHost) {
    assertNotFlag(options.remoteHost, 'proxy host');
    args.push(options.remoteHost);
  }
  args.push('--app', options.app, '--watch-stdin');
  const child = spawn(fly.bin, args, { env: fly.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    child.stdin.end();
    const grace = setTimeout(() => killGroup('SIGTERM'), 2_000);
    const hard = setTimeout(() => killGroup('SIGKILL'), 5_000);
    await exited;
    clearTimeout(grace);
    clearTimeout(hard);
    killGroup('SIGKILL');
  };
  return new Promise<Proxy>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() => reject(error));
    };
    const timer = setTimeout(
      () =>
        fail(
          new FlyError({
            command: 'proxy',
            exitCode: null,
            timedOut: true,
            flyMessage: flyErrorMessage(stderr, stdout) || 'no ready line from flyctl proxy',
          }),
        ),
      options.readyTimeoutMs ?? 60_000,
    );
    child.stdin.on('error', () => {});
    const onData = (stream: 'stdout' | 'stderr') => {
      // Whole lines only: a line cut between chunks would be logged in two parts, each unredacted.
      const lines = lineSplitter((line) => {
        if (line) options.onLine?.(redact(line), stream);
      });
      child[stream].on('end', () => lines.end());
      return (text: string) => {
        if (stream === 'stdout') stdout += text;
        else stderr += text;
        lines.push(text);
        const match = READY.exec(stdout);
        if (match && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve({ host: '127.0.0.1', port: Number(match[1] ?? match[2]), stop });
        }
      };
    };
    child.stdout.setEncoding('utf8').on('data', onData('stdout'));
    child.stderr.setEncoding('utf8').on('data', onData('stderr'));
    child.on('error', (error: NodeJS.ErrnoException) =>
      fail(error.code === 'ENOENT' ? new UserError(`Could not start \`${fly.bin}\`: it was not found on PATH`) : error),
    );
    child.on('close', (code) =>
      fail(new FlyError({ command: 'proxy', exitCode: code, flyMessage: flyErrorMessage(stderr, stdout) })),
    );
  });
}
