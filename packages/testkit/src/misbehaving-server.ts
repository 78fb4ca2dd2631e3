/**
 * One loopback HTTP server whose routes misbehave the ways real apps and proxies do.
 * Routes keep a request count per path, so `/old-then-new/a` and `/old-then-new/b` are independent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface MisbehavingServer {
  origin: string;
  url(path: string): string;
  /** Requests seen per path. */
  count(path: string): number;
  /** Bytes written by the 10 MB route before the client hung up. */
  bigBytesSent: number;
  close(): Promise<void>;
}

const MB = 1024 * 1024;

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startMisbehavingServer(): Promise<MisbehavingServer> {
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { bigBytesSent: 0 };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const [, route, arg] = path.split('/');
    switch (route) {
      case 'ok':
        return json(res, 200, { status: 'ok', version: arg || 'v2' });
      case 'old-then-new':
        // The old release answers the first three requests, then the new one.
        return json(res, 200, { status: 'ok', version: n <= 3 ? 'v1' : 'v2' });
      case 'new-then-500':
        // The new release shows up once, then fails with its version in the body.
        return n === 1 ? json(res, 200, { version: 'v2' }) : json(res, 500, { version: 'v2', error: 'db down' });
      case 'slow': {
        // Healthy, but every answer takes 40 ms.
        const timer = setTimeout(() => json(res, 200, { version: 'v2' }), 40);
        timers.add(timer);
        return;
      }
      case 'fail':
        return json(res, 500, { error: 'internal' });
      case 'hang':
        return; // never answers
      case 'trickle': {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{');
        const timer = setInterval(() => res.write(' '), 1000);
        timers.add(timer);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'big': {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        let sent = 0;
        const pump = () => {
          while (sent < 10 * MB) {
            sent += chunk.length;
            state.bigBytesSent = sent;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => {
          state.bigBytesSent = sent;
        });
        return pump();
      }
      case 'loop':
        res.writeHead(302, { location: `/loop/${n}` });
        return res.end();
      case 'invalid-json':
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end('{"status": "ok", version: v2');
      case 'reset':
        return req.socket.destroy();
      case 'rate-limited':
        // Two 429s asking for one second, then healthy.
        return n <= 2
          ? json(res, 429, { error: 'slow down' }, { 'retry-after': '1' })
          : json(res, 200, { version: 'v2' });
      case 'starting':
        // The proxy has no instance yet for two requests.
        return n <= 2 ? json(res, 503, { error: 'no instance' }) : json(res, 200, { version: 'v2' });
      case 'redirect':
        // /redirect/same, /redirect/away (another origin: localhost instead of 127.0.0.1), /redirect/away-307
        res.writeHead(arg.endsWith('307') ? 307 : 302, {
          location: arg.startsWith('away') ? `http://localhost:${port}/echo` : '/echo',
        });
        return res.end();
      case 'echo': {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => json(res, 200, { method: req.method, headers: req.headers, body }));
        return;
      }
      default:
        return json(res, 404, { error: 'not found' });
    }
  };

  const server = createServer(handle);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (path) => `${origin}${path}`,
    count: (path) => counts.get(path) ?? 0,
    get bigBytesSent() {
      return state.bigBytesSent;
    },
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port that refuses connections now and serves `/ok/v2` once `start()` is called. */
export async function lateServer(): Promise<{ url: string; start(): Promise<void>; close(): Promise<void> }> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const server = createServer((_req, res) => json(res, 200, { version: 'v2' }));
  let listening = false;
  return {
    url: `http://127.0.0.1:${port}/health`,
    start: async () => {
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      listening = true;
    },
    close: async () => {
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
