// A stub of ignition-api's health endpoints (the guide's "Health Endpoints" table).
import { createServer } from 'node:http';

// The version the image was built as: /app/VERSION in the real image, here the image's tag
// (Fly gives every machine FLY_IMAGE_REF, e.g. registry.fly.io/ignition-api:v1.0.0).
const ref = (process.env.FLY_IMAGE_REF ?? '').split('@')[0];
const version = process.env.APP_VERSION ?? (ref.includes(':') ? ref.slice(ref.lastIndexOf(':') + 1) : 'dev');

const routes = {
  '/health': () => [200, { status: 'ok', version }],
  '/health/live': () => [200, { status: 'alive' }],
  // Readiness includes the database: without DATABASE_URL the API cannot serve.
  '/health/ready': () =>
    process.env.DATABASE_URL
      ? [200, { status: 'ready', version }]
      : [503, { status: 'not ready', reason: 'no database' }],
  '/api/': () => [200, { name: 'ignition-api', version }],
};

createServer((req, res) => {
  const route = routes[(req.url ?? '/').split('?')[0]];
  const [status, body] = route ? route() : [404, { error: 'not found' }];
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}).listen(Number(process.env.PORT ?? 8080));
