// A stub of HotDash's endpoints the guide's health checks test: /health and the root page.
import { createServer } from 'node:http';

const ref = (process.env.FLY_IMAGE_REF ?? '').split('@')[0];
const version = ref.includes(':') ? ref.slice(ref.lastIndexOf(':') + 1) : 'dev';

createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', version, ipv6: process.env.ECTO_IPV6 === 'true' }));
  } else if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>HotDash</title><h1>HotDash</h1>\n');
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }
}).listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '0.0.0.0');
