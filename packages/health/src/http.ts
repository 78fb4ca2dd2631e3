import http from 'node:http';
import https from 'node:https';

/** Bodies are read up to this many bytes; the rest is discarded so a huge answer cannot exhaust memory. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Redirect hops followed at most (when following at all). */
const MAX_REDIRECTS = 5;

export interface HttpRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpOptions {
  /** One timer for the whole exchange (DNS, connect, redirects, body): nothing outlives it. */
  timeoutMs: number;
  followRedirects: boolean;
  insecure: boolean;
  maxBodyBytes?: number;
  maxRedirects?: number;
  signal?: AbortSignal;
}

/** Why no complete answer arrived. `timeout` may come with a status when the body was too slow. */
export type NetworkErrorKind = 'refused' | 'reset' | 'dns' | 'timeout' | 'tls' | 'redirects' | 'aborted' | 'network';

export interface HttpResponse {
  /** The URL that answered last (after redirects). */
  url: string;
  status?: number;
  headers: Record<string, string>;
  body: string;
  bodyBytes: number;
  /** True when the body was longer than the cap and only its start was kept. */
  truncated: boolean;
  redirects: number;
  latencyMs: number;
  error?: { kind: NetworkErrorKind; message: string };
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

function classify(error: NodeJS.ErrnoException): NetworkErrorKind {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(error.message)) return 'reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (/CERT|SSL|TLS|SELF_SIGNED/i.test(code) || /certificate/i.test(error.message)) return 'tls';
  return 'network';
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * One HTTP exchange with Node's own client. It always settles within `timeoutMs`
 * (plus timer granularity) whatever the server does: hang, trickle, flood, loop or reset.
 */
export function httpRequest(request: HttpRequest, options: HttpOptions): Promise<HttpResponse> {
  const started = performance.now();
  const maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;

  return new Promise((resolve) => {
    let settled = false;
    let current: http.ClientRequest | undefined;
    let lastUrl = request.url;
    let lastStatus: number | undefined;
    let lastHeaders: Record<string, string> = {};
    let redirects = 0;

    const finish = (result: Omit<HttpResponse, 'latencyMs' | 'redirects' | 'url'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      current?.destroy();
      resolve({ ...result, url: lastUrl, redirects, latencyMs: Math.round((performance.now() - started) * 10) / 10 });
    };
    const fail = (kind: NetworkErrorKind, message: string) =>
      finish({
        status: lastStatus,
        headers: lastHeaders,
        body: '',
        bodyBytes: 0,
        truncated: false,
        error: { kind, message },
      });

    const timer = setTimeout(
      () =>
        fail(
          'timeout',
          lastStatus === undefined
            ? `no answer within ${options.timeoutMs} ms`
            : `body not complete within ${options.timeoutMs} ms`,
        ),
      options.timeoutMs,
    );
    const onAbort = () => fail('aborted', 'cancelled');
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const send = (url: URL, method: string, headers: Record<string, string>, body: string | undefined) => {
      const client = url.protocol === 'https:' ? https : http;
      const outgoing: Record<string, string> = { 'user-agent': 'deploy-actions-health-gate', ...headers };
      if (body !== undefined) outgoing['content-length'] = String(Buffer.byteLength(body));
      let req: http.ClientRequest;
      try {
        req = client.request(url, {
          method,
          headers: outgoing,
          // A fresh connection per probe: a pooled socket could pin every probe to one instance.
          agent: false,
          rejectUnauthorized: !options.insecure,
        });
      } catch (error) {
        return fail('network', (error as Error).message);
      }
      current = req;
      req.on('error', (error: NodeJS.ErrnoException) => fail(classify(error), error.message));
      req.on('response', (res) => {
        lastStatus = res.statusCode;
        lastHeaders = flatHeaders(res.headers);
        const location = res.headers.location;
        if (options.followRedirects && REDIRECT.has(res.statusCode ?? 0) && location) {
          res.resume();
          req.destroy();
          if (redirects >= maxRedirects) return fail('redirects', `more than ${maxRedirects} redirects`);
          redirects++;
          let next: URL;
          try {
            next = new URL(location, url);
          } catch {
            return fail('redirects', `invalid redirect location ${JSON.stringify(location.slice(0, 200))}`);
          }
          lastUrl = next.toString();
          const status = res.statusCode ?? 0;
          // Browsers (and curl -L) turn a redirected POST into GET for 301/302/303.
          const keepMethod = status === 307 || status === 308 || method === 'GET' || method === 'HEAD';
          const nextBody = keepMethod ? body : undefined;
          if (next.origin === url.origin) return send(next, keepMethod ? method : 'GET', headers, nextBody);
          // Another origin gets none of the check's headers: any of them may be a credential
          // (Authorization, X-Api-Key, a session cookie ...), and nothing says the new origin may see it.
          if (nextBody !== undefined) {
            return fail(
              'redirects',
              `not following a ${status} to another origin (${next.origin}): it would resend the body`,
            );
          }
          return send(next, keepMethod ? method : 'GET', {}, undefined);
        }
        const chunks: Buffer[] = [];
        let kept = 0;
        const finishBody = (truncated: boolean) => {
          const data = Buffer.concat(chunks);
          finish({
            status: lastStatus,
            headers: lastHeaders,
            body: data.toString('utf8'),
            bodyBytes: data.length,
            truncated,
          });
        };
        res.on('data', (chunk: Buffer) => {
          const room = maxBody - kept;
          if (chunk.length >= room) {
            if (room > 0) chunks.push(chunk.subarray(0, room));
            kept = maxBody;
            // Enough read: stop the transfer instead of draining megabytes.
            return finishBody(true);
          }
          chunks.push(chunk);
          kept += chunk.length;
        });
        res.on('end', () => finishBody(false));
        res.on('error', (error: NodeJS.ErrnoException) => fail(classify(error), error.message));
        res.on('close', () => {
          if (!res.complete) fail('reset', 'connection closed before the body ended');
        });
      });
      req.end(body);
    };

    let first: URL;
    try {
      first = new URL(request.url);
    } catch {
      return fail('network', `invalid URL ${JSON.stringify(request.url)}`);
    }
    send(first, request.method, request.headers, request.body);
  });
}

/** Seconds or an HTTP date, as Retry-After allows; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
