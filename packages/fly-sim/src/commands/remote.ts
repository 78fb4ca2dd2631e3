import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../args';
import { appName, type Ctx, faultError, requireApp } from '../context';
import { FlyFail } from '../io';

/** Told to the flyctl process: it does the listening and forwarding itself. */
export interface ProxyDirective {
  proxy: {
    bind: string;
    localPort: number;
    remoteHost: string;
    remotePort: number;
    target: string;
    watchStdin: boolean;
    quiet: boolean;
  };
}

/** Told to the flyctl process: run this command locally as the machine's console. */
export interface ExecDirective {
  exec: { argv: string[]; cwd: string; env: Record<string, string>; banner: string };
}

/**
 * `flyctl proxy <local[:remote]> [remote_host]` (superfly/flyctl@v0.4.87 internal/command/proxy/proxy.go:25-62,123-144; the ready line
 * `Proxying localhost:<port> to remote [<host>]:<port>` is printed by the flyctl process, bin/flyctl): forwards to the app's configured
 * target (`proxyTarget`, or FLY_SIM_PROXY_TARGET as `host:port`).
 */
export async function proxy(ctx: Ctx, args: string[]): Promise<ProxyDirective> {
  const p = parseArgs(args, {
    app: { kind: 'string', aliases: ['a'] },
    config: { kind: 'string', aliases: ['c'] },
    org: { kind: 'string', aliases: ['o'] },
    select: { kind: 'bool', aliases: ['s'] },
    quiet: { kind: 'bool', aliases: ['q'] },
    'bind-addr': { kind: 'string', aliases: ['b'] },
    'watch-stdin': { kind: 'bool' },
  });
  const name = appName(ctx, p.strings.app);
  const spec = p.positionals[0];
  if (!spec) throw new FlyFail('requires at least 1 arg(s), only received 0');
  const m = /^(\d+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new FlyFail(`invalid port mapping "${spec}"`);
  const fault = await ctx.fault('proxy');
  if (fault) throw faultError(fault, name);
  const app = requireApp(ctx, name);
  const target = app.proxyTarget ?? ctx.inv.env.FLY_SIM_PROXY_TARGET;
  const remoteHost = p.positionals[1] ?? `${name}.internal`;
  if (!target) {
    throw new FlyFail(`could not resolve ${remoteHost}: no such host`, {
      extra: ['(fly-sim: configure a proxy target with seedApp({ proxyTarget }) or FLY_SIM_PROXY_TARGET=host:port)'],
    });
  }
  return {
    proxy: {
      bind: p.strings['bind-addr'] ?? '127.0.0.1',
      localPort: Number(m[1]),
      remotePort: Number(m[2] ?? m[1]),
      remoteHost,
      target,
      watchStdin: p.bools['watch-stdin'] === true,
      quiet: p.bools.quiet === true,
    },
  };
}

/** Splits a command into words as a shell lexer would (quotes and backslashes), with no expansion. */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new FlyFail(`ssh shell: unterminated quote in ${JSON.stringify(command)}`);
  if (inWord) words.push(word);
  if (words.length === 0) throw new FlyFail('ssh shell: empty command');
  return words;
}

/**
 * `flyctl ssh console -C <command>`: runs the command locally, standing in for a
 * started machine: in the app's console folder, with the app's secrets in its
 * environment (as on a real machine) plus the configured console env.
 */
export async function sshConsole(ctx: Ctx, args: string[]): Promise<ExecDirective> {
  const p = parseArgs(args, {
    app: { kind: 'string', aliases: ['a'] },
    config: { kind: 'string', aliases: ['c'] },
    command: { kind: 'string', aliases: ['C'] },
    machine: { kind: 'string' },
    select: { kind: 'bool', aliases: ['s'] },
    user: { kind: 'string', aliases: ['u'] },
    pty: { kind: 'bool' },
    quiet: { kind: 'bool', aliases: ['q'] },
    region: { kind: 'string', aliases: ['r'] },
  });
  const name = appName(ctx, p.strings.app);
  const fault = await ctx.fault('ssh');
  if (fault) throw faultError(fault, name);
  const app = requireApp(ctx, name);
  const started = app.machines.filter((m) => m.state === 'started');
  const machine = p.strings.machine ? started.find((m) => m.id === p.strings.machine) : started[0];
  // superfly/flyctl@v0.4.87 internal/command/ssh/console.go:275, :330
  if (!machine && p.strings.machine) throw new FlyFail(`--machine="${p.strings.machine}" not found/started`);
  if (!machine) {
    throw new FlyFail(
      `app ${name} has no started VMs.\nIt may be unhealthy or not have been deployed yet.\nTry the following command to verify:\n\nfly status`,
    );
  }
  const command = p.strings.command;
  if (!command) throw new FlyFail('fly-sim supports only `ssh console -C <command>` (no interactive shell)');
  const secrets = Object.fromEntries(Object.entries(app.secrets).map(([k, s]) => [k, s.value]));
  const cwd = app.console?.cwd ?? join(ctx.world.dir, 'consoles', name);
  mkdirSync(cwd, { recursive: true });
  return {
    exec: {
      // No shell on the machine: hallpass word-splits the command and execs it, so `&&`, `|`,
      // `;` and `$VAR` are plain words (flyctl issues #1220, #1442; flyctl@v0.4.87
      // internal/command/ssh/io.go:92 sends the command string as is).
      argv: app.console?.command ?? splitWords(command),
      cwd,
      env: {
        ...machine.env,
        ...secrets,
        ...(app.console?.env ?? {}),
        FLY_APP_NAME: name,
        FLY_MACHINE_ID: machine.id,
        FLY_REGION: machine.region,
        FLY_SSH_COMMAND: command,
      },
      banner: `Connecting to ${machine.privateIp}... complete`,
    },
  };
}
