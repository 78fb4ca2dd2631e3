/**
 * The receiver sample in packages/notify/README.md, run as written against a real delivery:
 * what people copy must verify our signature and refuse forgeries, stale and replayed deliveries.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type HttpSink, startHttpSink } from '@deploy-actions/testkit/http-sink';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notify } from '../src/index';
import { runContext } from './context';
import { options } from './options';

type Verify = (secret: string, headers: Record<string, unknown>, raw: Buffer, now?: number) => boolean;

let sink: HttpSink;
let verifyDelivery: Verify;
const dir = mkdtempSync(join(tmpdir(), 'webhook-verify-'));

beforeAll(async () => {
  sink = await startHttpSink();
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const sample = /<!-- webhook-verify-sample -->\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!sample) throw new Error('README has no webhook-verify-sample block');
  writeFileSync(join(dir, 'verify.mjs'), sample);
  ({ verifyDelivery } = await import(pathToFileURL(join(dir, 'verify.mjs')).href));
});
afterAll(async () => {
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('webhook signature', () => {
  it('verifies a delivery once, and refuses replays, stale or forged ones without throwing', async () => {
    await notify(options({ webhook: sink.url('/hook'), webhookSecret: 'hook-secret' }), runContext(), {
      baseDelayMs: 10,
    });
    const [request] = sink.requestsTo('/hook');
    const raw = Buffer.from(request.body);
    const headers = request.headers;
    expect(headers['x-deploy-timestamp']).toMatch(/^\d+$/);

    expect(verifyDelivery('wrong-secret', headers, raw)).toBe(false);
    expect(verifyDelivery('hook-secret', { ...headers, 'x-deploy-delivery': 'another-id' }, raw)).toBe(false);
    expect(verifyDelivery('hook-secret', { ...headers, 'x-deploy-signature': 'sha256=00' }, raw)).toBe(false);
    expect(verifyDelivery('hook-secret', headers, raw, Date.now() + 6 * 60_000)).toBe(false);
    expect(verifyDelivery('hook-secret', headers, Buffer.concat([raw, Buffer.from(' ')]))).toBe(false);
    expect(verifyDelivery('hook-secret', headers, raw)).toBe(true);
    // The same delivery again is a replay.
    expect(verifyDelivery('hook-secret', headers, raw)).toBe(false);
  });
});
