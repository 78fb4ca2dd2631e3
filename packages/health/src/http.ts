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
  return new Promise((resolve) => new Exchange(options, resolve).start(request));
}

type Sent = { url: URL; method: string; headers: Record<string, string>; body: string | undefined };

/** One exchange: the request, the redirects it follows, the body it reads, under one timer. */
class Exchange {
  private readonly started = performance.now();
  private readonly maxBody: number;
  private readonly maxRedirects: number;
  private readonly timer: NodeJS.Timeout;
  private settled = false;
  private current: http.ClientRequest | undefined;
  private lastUrl = '';
  private lastStatus: number | undefined;
  private lastHeaders: Record<string, string> = {};
  private redirects = 0;

  constructor(
    private readonly options: HttpOptions,
    private readonly resolve: (response: HttpResponse) => void,
  ) {
    this.maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.maxRedirects = options.maxRedirects ?? MAX_REDIRECTS;
    this.timer = setTimeout(() => {
      const what = this.lastStatus === undefined ? 'no answer' : 'body not complete';
      this.fail('timeout', `${what} within ${options.timeoutMs} ms`);
    }, options.timeoutMs);
  }

  private readonly onAbort = () => this.fail('aborted', 'cancelled');

  start(request: HttpRequest): void {
    this.lastUrl = request.url;
    if (this.options.signal?.aborted) {
      this.onAbort();
      return;
    }
    this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      this.fail('network', `invalid URL ${JSON.stringify(request.url)}`);
      return;
    }
    this.send({ url, method: request.method, headers: request.headers, body: request.body });
  }

  private finish(result: Omit<HttpResponse, 'latencyMs' | 'redirects' | 'url'>): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.current?.destroy();
    const latencyMs = Math.round((performance.now() - this.started) * 10) / 10;
    this.resolve({ ...result, url: this.lastUrl, redirects: this.redirects, latencyMs });
  }

  private fail(kind: NetworkErrorKind, message: string): void {
    const { lastStatus: status, lastHeaders: headers } = this;
    this.finish({ status, headers, body: '', bodyBytes: 0, truncated: false, error: { kind, message } });
  }

  private send(sent: Sent): void {
    const client = sent.url.protocol === 'https:' ? https : http;
    const outgoing: Record<string, string> = { 'user-agent': 'deploy-actions-health-gate', ...sent.headers };
    if (sent.body !== undefined) outgoing['content-length'] = String(Buffer.byteLength(sent.body));
    let req: http.ClientRequest;
    try {
      req = client.request(sent.url, {
        method: sent.method,
        headers: outgoing,
        // A fresh connection per probe: a pooled socket could pin every probe to one instance.
        agent: false,
        rejectUnauthorized: !this.options.insecure,
      });
    } catch (error) {
      this.fail('network', (error as Error).message);
      return;
    }
    this.current = req;
    req.on('error', (error: NodeJS.ErrnoException) => this.fail(classify(error), error.message));
    req.on('response', (res) => {
      this.lastStatus = res.statusCode;
      this.lastHeaders = flatHeaders(res.headers);
      const location = res.headers.location;
      if (this.options.followRedirects && REDIRECT.has(res.statusCode ?? 0) && location) {
        res.resume();
        req.destroy();
        return this.redirect(sent, res.statusCode ?? 0, location);
      }
      this.readBody(res);
    });
    req.end(sent.body);
  }

  private redirect(from: Sent, status: number, location: string): void {
    if (this.redirects >= this.maxRedirects) {
      this.fail('redirects', `more than ${this.maxRedirects} redirects`);
      return;
    }
    this.redirects++;
    let url: URL;
    try {
      url = new URL(location, from.url);
    } catch {
      this.fail('redirects', `invalid redirect location ${JSON.stringify(location.slice(0, 200))}`);
      return;
    }
    this.lastUrl = url.toString();
    // Browsers (and curl -L) turn a redirected POST into GET for 301/302/303.
    const keepMethod = status === 307 || status === 308 || from.method === 'GET' || from.method === 'HEAD';
    const method = keepMethod ? from.method : 'GET';
    const body = keepMethod ? from.body : undefined;
    if (url.origin === from.url.origin) {
      this.send({ url, method, headers: from.headers, body });
      return;
    }
    // Another origin gets none of the check's headers: any of them may be a credential
    // (Authorization, X-Api-Key, a session cookie ...), and nothing says the new origin may see it.
    if (body !== undefined) {
      this.fail('redirects', `not following a ${status} to another origin (${url.origin}): it would resend the body`);
      return;
    }
    this.send({ url, method, headers: {}, body: undefined });
  }

  /** Reads the body up to the cap, then stops the transfer instead of draining megabytes. */
  private readBody(res: http.IncomingMessage): void {
    const chunks: Buffer[] = [];
    let kept = 0;
    const done = (truncated: boolean) => {
      const data = Buffer.concat(chunks);
      const { lastStatus: status, lastHeaders: headers } = this;
      this.finish({ status, headers, body: data.toString('utf8'), bodyBytes: data.length, truncated });
    };
    res.on('data', (chunk: Buffer) => {
      const room = this.maxBody - kept;
      if (chunk.length >= room) {
        if (room > 0) chunks.push(chunk.subarray(0, room));
        kept = this.maxBody;
        return done(true);
      }
      chunks.push(chunk);
      kept += chunk.length;
    });
    res.on('end', () => done(false));
    res.on('error', (error: NodeJS.ErrnoException) => this.fail(classify(error), error.message));
    res.on('close', () => {
      if (!res.complete) this.fail('reset', 'connection closed before the body ended');
    });
  }
}

/** Seconds or an HTTP date, as Retry-After allows; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
