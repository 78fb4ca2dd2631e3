// A stub of Ampel's SPA behind nginx: every path answers the app shell; /health answers for Fly.
import { createServer } from 'node:http';

const ref = (process.env.FLY_IMAGE_REF ?? '').split('@')[0];
const version = ref.includes(':') ? ref.slice(ref.lastIndexOf(':') + 1) : 'dev';

createServer((req, res) => {
  if ((req.url ?? '/').startsWith('/health')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'ok', version }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end('<!doctype html><title>Ampel</title><div id="root"></div>\n');
}).listen(Number(process.env.PORT ?? 8080));
