// A stub of the marketing backend: the endpoints the guide's smoke tests call, nothing else.
// /v1/healthz says {"ok":true} (no version); events are rate limited per minute by event count;
// admin endpoints want x-admin-key; CORS answers only the configured origins.
import { createServer } from 'node:http';

const limit = Number(process.env.EVENTS_PER_MINUTE ?? 120);
const origins = (process.env.CORS_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean);
const adminKey = process.env.ADMIN_API_KEY ?? '';
const counts = { events: 0, leads: 0 };
let window = { start: Date.now(), events: 0 };

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

async function json(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  try {
    return JSON.parse(text || '{}');
  } catch {
    return undefined;
  }
}

createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const origin = req.headers.origin;
  const cors = origin && origins.includes(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
  const admin = adminKey !== '' && req.headers['x-admin-key'] === adminKey;
  const route = `${req.method} ${url.pathname}`;
  if (req.method === 'OPTIONS') {
    return send(res, 204, undefined, {
      ...cors,
      ...(cors['access-control-allow-origin']
        ? { 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': 'content-type' }
        : {}),
    });
  }
  if (route === 'GET /v1/healthz') return send(res, 200, { ok: true });
  if (route === 'POST /v1/events') {
    const body = await json(req);
    const events = Array.isArray(body?.events) ? body.events : body ? [body] : [];
    if (Date.now() - window.start > 60_000) window = { start: Date.now(), events: 0 };
    if (window.events + events.length > limit) {
      return send(res, 429, { error: 'rate limited', limit, used: window.events }, cors);
    }
    window.events += events.length;
    // The honeypot field: accepted as usual, stored nowhere.
    const real = events.filter((e) => !e?.website);
    counts.events += real.length;
    return send(res, 202, { accepted: events.length }, cors);
  }
  if (route === 'POST /v1/leads/capture') {
    const body = await json(req);
    if (!body?.email) return send(res, 400, { error: 'email required' }, cors);
    counts.leads += 1;
    return send(res, 200, { ok: true }, cors);
  }
  if (route === 'POST /v1/leads/delete')
    return admin ? send(res, 200, { deleted: 0 }) : send(res, 401, { error: 'admin key required' });
  if (route === 'GET /v1/metrics/summary')
    return admin
      ? send(res, 200, { window: Number(url.searchParams.get('window') ?? 7), ...counts })
      : send(res, 401, { error: 'admin key required' });
  return send(res, 404, { error: 'not found' });
}).listen(Number(process.env.PORT ?? 8080));
