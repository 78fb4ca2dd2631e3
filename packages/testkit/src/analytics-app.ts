/**
 * A small analytics API on loopback that answers the example smoke suite
 * (examples/checks/smoke-checks.yml) the way a correct release does; `broken` makes ingestion fail.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnalyticsApp {
  origin: string;
  version: string;
  broken: boolean;
  events: number;
  close(): Promise<void>;
}

export async function startAnalyticsApp(options: { version: string; adminKey: string }): Promise<AnalyticsApp> {
  const app = { origin: '', version: options.version, broken: false, events: 0, close: async () => {} };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (path === '/v1/healthz' && req.method === 'GET') return send(200, { ok: true, version: app.version });
      if (path === '/v1/events' && req.method === 'OPTIONS') {
        const origin = req.headers.origin ?? '';
        if (origin !== 'https://dashboard.example.com') return send(403);
        return send(204, undefined, {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': 'GET, POST',
          'access-control-allow-headers': 'content-type',
        });
      }
      if (path === '/v1/events' && req.method === 'POST') {
        if (app.broken) return send(500, { error: 'queue unavailable' });
        try {
          const event = JSON.parse(body) as { type?: string };
          if (!event.type) return send(400, { error: 'type missing' });
        } catch {
          return send(400, { error: 'invalid JSON' });
        }
        app.events++;
        return send(202, { accepted: 1 });
      }
      if (path === '/v1/admin/stats') {
        if (req.headers['x-admin-key'] !== options.adminKey) return send(401, { error: 'admin key required' });
        return send(200, { events: app.events });
      }
      send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  app.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return app;
}
