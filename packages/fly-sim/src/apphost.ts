import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { behaviour } from './labels';
import { crashLoopStart, settleApp, started as startMachine } from './lifecycle';
import { TrafficLog } from './metrics';
import { AppPrograms } from './programs';
import { splitImageRef } from './render';
import type { SimApp, SimMachine } from './state';

/** Whether the proxy may start `m` on a request: its group's service has not turned autostart off. */
function autostarts(app: SimApp, m: SimMachine): boolean {
  const group = m.processGroup ?? 'app';
  return app.config?.services.find((s) => s.processes.includes(group))?.autostart !== false;
}

/**
 * One loopback HTTP server per deployed app, standing in for the app behind Fly's proxy.
 * `/health` answers `{"status":"ok","version":"<image label>"}` from a started machine (or
 * `{"ok":true}` with the healthBody knob: an app that reports no version);
 * the `fly-force-instance-id` header picks the machine, as Fly's proxy does. An app configured with
 * its own program (`serve`) has every request to a healthy machine forwarded to that program.
 */
export class AppHosts {
  private readonly servers = new Map<string, Server>();
  private readonly turn = new Map<string, number>();
  /** What the app servers served, for the Prometheus endpoint (metrics.ts). */
  readonly traffic = new TrafficLog();
  private readonly programs = new AppPrograms();

  constructor(
    private readonly lookup: (app: string) => SimApp | undefined,
    private readonly save: () => void = () => {},
  ) {}

  /** Starts the app's server (on its recorded port when free) and returns the port. */
  async ensure(app: SimApp): Promise<number> {
    const running = this.servers.get(app.name);
    if (running) return (running.address() as AddressInfo).port;
    const server = createServer((req, res) => this.handle(app.name, req, res));
    server.keepAliveTimeout = 1_000;
    const listen = (port: number) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    let port: number;
    try {
      port = await listen(app.port ?? 0);
    } catch {
      port = await listen(0);
    }
    this.servers.set(app.name, server);
    return port;
  }

  async close(name: string): Promise<void> {
    const server = this.servers.get(name);
    if (!server) return;
    this.servers.delete(name);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async closeAll(): Promise<void> {
    this.programs.stopAll();
    await Promise.all([...this.servers.keys()].map((name) => this.close(name)));
  }

  private pickMachine(app: SimApp, forced: string | undefined): SimMachine | undefined | 'missing' {
    const live = app.machines.filter((m) => m.state !== 'destroyed');
    if (forced) return live.find((m) => m.id === forced) ?? 'missing';
    let started = live.filter((m) => m.state === 'started' && m.hasServices !== false);
    if (started.length === 0) {
      // The proxy autostarts a stopped machine of a service (auto_start_machines, on by default:
      // https://fly.io/docs/launch/autostop-autostart/), unless the service says
      // `auto_start_machines = false`: then a stopped machine stays stopped and the request finds no
      // instance (superfly/docs launch/autostop-autostart.html.markerb:50, "doesn't start them again").
      // Any stopped machine of a service, whatever stopped it (https://fly.io/docs/machines/guides-examples/machine-restart-policy/):
      // its image decides what happens next.
      const cold = live.find(
        (m) => (m.state === 'stopped' || m.state === 'suspended') && m.hasServices !== false && autostarts(app, m),
      );
      if (!cold) return undefined;
      startMachine(cold);
      if (behaviour(cold.imageRef).crash) cold.pending = { kind: 'crashloop', at: crashLoopStart() };
      this.save();
      started = [cold];
    }
    const n = this.turn.get(app.name) ?? 0;
    this.turn.set(app.name, n + 1);
    return started[n % started.length];
  }

  private handle(name: string, req: IncomingMessage, res: ServerResponse): void {
    const forcedHeader = req.headers['fly-force-instance-id'];
    const forced = Array.isArray(forcedHeader) ? forcedHeader[0] : forcedHeader;
    const path = (req.url ?? '/').split('?')[0];
    const arrived = performance.now();
    const { status, body, machine, program } = this.answer(name, forced, path);
    const app = this.lookup(name);
    // Fly's proxy counts what reached an instance, per instance (the `fly_app_` series:
    // fly_app_http_responses_count, https://fly.io/docs/monitoring/metrics/; see metrics.ts). The count
    // is taken before the status line leaves: a client that has its answer can already query it.
    const count = (answered: SimMachine, code: number) =>
      this.traffic.record({
        at: Date.now(),
        app: name,
        instance: answered.id,
        region: answered.region,
        status: code,
        seconds: (performance.now() - arrived) / 1000,
      });
    if (program && machine && app?.serve) {
      // An app's own program answers.
      this.programs
        .forward(app, machine, req, res, (code) => count(machine, code))
        .catch((err: Error) => {
          if (!res.headersSent) {
            count(machine, 502);
            res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' });
          }
          res.end(`could not reach the app: ${err.message}\n`);
        });
      return;
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const finish = () => {
      if (machine) count(machine, status);
      res.writeHead(status, {
        'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
        'fly-request-id': `01SIM${Date.now()}`,
        ...(machine ? { 'fly-machine-id': machine.id } : {}),
      });
      res.end(text);
    };
    const delay = machine && path !== '/health' ? this.addedLatency(machine) : 0;
    if (delay > 0) setTimeout(finish, delay);
    else finish();
  }

  /** The latency an image label adds to requests other than `/health` (`lag<N>`, `jitter<N>`). */
  private addedLatency(machine: SimMachine): number {
    const b = behaviour(machine.imageRef);
    return b.lagMs + Math.random() * b.jitterMs;
  }

  /** What the app (or Fly's proxy in front of it) answers for `path`. */
  private answer(
    name: string,
    forced: string | undefined,
    path: string,
  ): { status: number; body: unknown; machine?: SimMachine; program?: boolean } {
    const app = this.lookup(name);
    if (!app) return { status: 404, body: 'app not found\n' };
    settleApp(app);
    const machine = this.pickMachine(app, forced);
    if (machine === 'missing') return { status: 503, body: `instance ${forced} not found\n` };
    if (!machine) return { status: 503, body: 'no known healthy instances found for route\n' };
    if (machine.state !== 'started') return { status: 503, body: `instance ${machine.id} is not running\n`, machine };
    const crashing = machine.pending !== undefined && machine.pending.kind !== 'autostop';
    if ((machine.readyAt !== undefined && Date.now() < machine.readyAt) || crashing) {
      return { status: 502, body: 'could not reach the app: connection refused\n', machine };
    }
    const version = splitImageRef(machine.imageRef).tag;
    if (path === '/health' && app.knobs?.healthBody === 'ok') {
      // An app whose health endpoint reports no version at all.
      return { status: machine.unhealthy ? 500 : 200, body: { ok: !machine.unhealthy }, machine };
    }
    if (app.serve && !machine.unhealthy) return { status: 200, body: '', machine, program: true };
    if (path === '/health') {
      return machine.unhealthy
        ? { status: 500, body: { status: 'error', version }, machine }
        : { status: 200, body: { status: 'ok', version }, machine };
    }
    // `err<N>`: the release fails a share of real requests while /health stays fine.
    const { errorPct } = behaviour(machine.imageRef);
    if (errorPct > 0 && Math.random() * 100 < errorPct) return { status: 500, body: 'internal error\n', machine };
    if (path === '/') return { status: 200, body: `${app.name} ${version}\n`, machine };
    return { status: 404, body: 'not found\n', machine };
  }
}
