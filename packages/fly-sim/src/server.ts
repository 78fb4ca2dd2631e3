import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AppHosts } from './apphost';
import { type Ctx, SIM_FLYCTL_VERSION, World } from './context';
import { route } from './dispatch';
import { FaultBook } from './faults';
import { FlyFail, Interrupted, type Invocation, Io } from './io';
import { settleApp } from './lifecycle';
import { servePrometheus } from './metrics';
import {
  type ConsoleConfig,
  emptyState,
  loadState,
  SERVER_FILE,
  type ServeConfig,
  type SimKnobs,
  type SimMachine,
  type SimState,
} from './state';

/** One recorded flyctl invocation (no env values, no stdin: those may hold secrets). */
export interface SimCall {
  args: string[];
  cwd: string;
  /** Names of the FLY_* and other variables flyctl was given. */
  envNames: string[];
  hadToken: boolean;
  stdinBytes: number;
  exitCode: number | null;
  at: string;
}

export interface ServerOptions {
  stateDir: string;
  tokens?: string[];
  orgs?: string[];
  /** Global fault spec, applied to every invocation (see faults.ts). */
  faults?: string;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

/** The token flyctl would use: FLY_ACCESS_TOKEN when set (even empty), else FLY_API_TOKEN; scheme stripped (superfly/flyctl@v0.4.87 internal/config/config.go:150,155). */
function tokenOf(env: Record<string, string>, flag: string | undefined): string {
  const raw = flag ?? ('FLY_ACCESS_TOKEN' in env ? env.FLY_ACCESS_TOKEN : (env.FLY_API_TOKEN ?? ''));
  return raw.replace(/^(FlyV1|Bearer)\s+/i, '').trim();
}

/** The app an invocation names (`--app`, `-a`, FLY_APP), for keeping fault counts per app. */
function appArg(inv: Invocation): string {
  const args = inv.args;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--app' || args[i] === '-a') return args[i + 1] ?? '';
    if (args[i].startsWith('--app=')) return args[i].slice('--app='.length);
  }
  return inv.env.FLY_APP ?? '';
}

function accessTokenFlag(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--access-token' || args[i] === '-t') return args[i + 1];
    if (args[i].startsWith('--access-token=')) return args[i].slice('--access-token='.length);
  }
  return undefined;
}

/**
 * The simulated Fly platform: the flyctl executable sends each invocation here and
 * prints what comes back. Also serves each deployed app on its own loopback port.
 */
export class SimServer {
  readonly world: World;
  readonly calls: SimCall[] = [];
  private server?: Server;
  private settler?: NodeJS.Timeout;

  constructor(readonly options: ServerOptions) {
    const state = loadState(options.stateDir);
    // Compared without a scheme on both sides, as flyctl strips `FlyV1 ` / `Bearer ` before use.
    if (options.tokens) state.tokens = options.tokens.map((t) => t.replace(/^(FlyV1|Bearer)\s+/i, '').trim());
    if (options.orgs) state.orgs = options.orgs;
    this.world = new World(
      state,
      options.stateDir,
      new AppHosts(
        (name) => this.world.app(name),
        () => this.world.save(),
      ),
      new FaultBook(),
      options.faults ?? '',
    );
  }

  async start(): Promise<string> {
    // Apps deployed in an earlier life of this state folder are served again.
    for (const app of Object.values(this.world.state.apps)) {
      if (app.port) app.port = await this.world.hosts.ensure(app);
    }
    this.world.save();
    // Crashes and autostops fall due with time: applied as they do, so state.json shows them.
    this.settler = setInterval(() => this.settle(), 100);
    this.settler.unref();
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error?.stack ?? error));
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    writeFileSync(join(this.options.stateDir, SERVER_FILE), `${JSON.stringify({ url, pid: process.pid })}\n`);
    return url;
  }

  /** Applies every crash or autostop that is due; saves when anything changed. */
  settle(): void {
    let changed = false;
    for (const app of Object.values(this.world.state.apps)) changed = settleApp(app) || changed;
    if (changed) this.world.save();
  }

  async stop(): Promise<void> {
    if (this.settler) clearInterval(this.settler);
    await this.world.hosts.closeAll();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'POST' && path === '/run') return this.run(JSON.parse(await readBody(req)) as Invocation, res);
    if (path.startsWith('/prometheus/')) {
      const { tokens, apps } = this.world.state;
      const body = req.method === 'POST' ? await readBody(req) : '';
      return servePrometheus(req, res, body, { tokens, apps: Object.values(apps), log: this.world.hosts.traffic });
    }
    const json = (value: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && path === '/control/state') return json(this.world.state);
    if (req.method === 'GET' && path === '/control/calls') return json(this.calls);
    const body = req.method === 'POST' ? JSON.parse((await readBody(req)) || '{}') : {};
    if (path === '/control/faults') {
      this.world.globalFaults = String(body.spec ?? '');
      this.world.faults.reset();
      return json({ ok: true });
    }
    if (path === '/control/app') return json(this.configureApp(body.name, body.patch ?? {}));
    if (path === '/control/machine') return json(this.patchMachine(body.app, body.id, body.patch ?? {}));
    if (path === '/control/add-machine') return json(this.addMachine(body.app, body.machine ?? {}));
    if (path === '/control/reset') {
      await this.world.hosts.closeAll();
      this.world.hosts.traffic.clear();
      const fresh = emptyState();
      fresh.tokens = this.world.state.tokens;
      fresh.orgs = this.world.state.orgs;
      this.world.state = fresh;
      this.world.globalFaults = '';
      this.world.faults.reset();
      this.calls.length = 0;
      this.world.save();
      return json({ ok: true });
    }
    json({ error: `no such endpoint ${req.method} ${path}` }, 404);
  }

  private configureApp(
    name: string,
    patch: { proxyTarget?: string; console?: ConsoleConfig; knobs?: SimKnobs; serve?: ServeConfig },
  ) {
    const app = this.world.app(name);
    if (!app) return { error: `no app ${name}` };
    if (patch.knobs !== undefined) app.knobs = { ...app.knobs, ...patch.knobs };
    if (patch.proxyTarget !== undefined) app.proxyTarget = patch.proxyTarget;
    if (patch.console !== undefined) app.console = patch.console;
    if (patch.serve !== undefined) app.serve = patch.serve;
    this.world.save();
    return { ok: true };
  }

  /** Test control: change a machine (state, unhealthy, readyAt) to model incidents after a deploy. */
  private patchMachine(appName: string, id: string, patch: Partial<SimState['apps'][string]['machines'][number]>) {
    const machine = this.world.app(appName)?.machines.find((m) => m.id === id);
    if (!machine) return { error: `no machine ${id} in ${appName}` };
    Object.assign(machine, patch);
    this.world.save();
    return { ok: true };
  }

  /** Test control: add a machine as another tool left it (a test-machine, a legacy-keyed one...). */
  private addMachine(appName: string, patch: Partial<SimMachine>) {
    const app = this.world.app(appName);
    if (!app) return { error: `no app ${appName}` };
    const base = app.machines.find((m) => m.state !== 'destroyed');
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const machine: SimMachine = {
      id: randomBytes(7).toString('hex'),
      name: 'added-machine',
      region: base?.region ?? 'iad',
      state: 'stopped',
      imageRef: base?.imageRef ?? '',
      releaseId: base?.releaseId ?? '',
      releaseVersion: base?.releaseVersion ?? 0,
      instanceId: '01JADDED',
      privateIp: 'fdaa:0:1:a7b:0:0:0:9',
      env: {},
      createdAt: now,
      updatedAt: now,
      ...patch,
    };
    app.machines.push(machine);
    this.world.save();
    return { ok: true, id: machine.id };
  }

  /** Runs one flyctl invocation, streaming NDJSON events: {o}, {e}, then {exit} or a directive. */
  private async run(inv: Invocation, res: ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const io = new Io((event) => res.write(`${JSON.stringify(event)}\n`));
    res.on('close', () => {
      if (!res.writableFinished) io.abort();
    });
    const version = inv.env.FLY_SIM_VERSION || SIM_FLYCTL_VERSION;
    const token = tokenOf(inv.env, accessTokenFlag(inv.args));
    const call: SimCall = {
      args: inv.args,
      cwd: inv.cwd,
      envNames: Object.keys(inv.env).sort(),
      hadToken: token !== '',
      stdinBytes: inv.stdin === undefined ? 0 : Buffer.byteLength(inv.stdin),
      exitCode: null,
      at: new Date().toISOString(),
    };
    this.calls.push(call);
    this.settle();
    const ctx: Ctx = {
      world: this.world,
      inv,
      io,
      version,
      fault: async (command) => {
        const spec = [this.world.globalFaults, inv.env.FLY_SIM_FAULTS ?? ''].filter(Boolean).join(',');
        const { fault, latencyMs } = this.world.faults.take(spec, command, appArg(inv));
        if (latencyMs > 0) await io.sleep(latencyMs);
        return fault;
      },
    };
    let exit: number;
    try {
      const { handler, rest, name } = route(inv.args);
      if (name !== 'version') {
        if (!token) throw new FlyFail("No access token available. Please login with 'flyctl auth login'");
        if (this.world.state.tokens.length > 0 && !this.world.state.tokens.includes(token)) {
          throw new FlyFail('unauthorized');
        }
      }
      const outcome = await handler(ctx, rest);
      if (typeof outcome === 'object') {
        call.exitCode = 0;
        res.end(`${JSON.stringify(outcome)}\n`);
        return;
      }
      exit = outcome;
    } catch (error) {
      if (error instanceof Interrupted) {
        call.exitCode = 127;
        res.end();
        return;
      }
      if (!(error instanceof FlyFail)) throw error;
      // superfly/flyctl@v0.4.87 internal/cli/cli.go:162-200: the annotation on stdout first (when asked), then `Error:` and the rest on stderr.
      io.err(`Error: ${error.message}`);
      for (const line of error.extra) io.err(line);
      const truthy = (v: string | undefined) => ['1', 'ok', 't', 'true'].includes((v ?? '').toLowerCase());
      if (truthy(inv.env.FLY_GHA_ERROR_ANNOTATION) && truthy(inv.env.GITHUB_ACTIONS)) {
        io.out(`::error title=flyctl error::${error.message.replace(/\n/g, '⏎')}`);
      }
      exit = error.code;
    }
    call.exitCode = exit;
    res.end(`${JSON.stringify({ exit })}\n`);
  }
}
