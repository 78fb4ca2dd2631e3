import utils from 'pg/lib/crypto/utils';
import { describe, expect, it } from 'vitest';
import { useNodeCryptoForScram } from '../src/scram';

type Bytes = ArrayBuffer | Uint8Array;
const call = (u: Record<string, unknown>, name: string, ...args: unknown[]) =>
  (u[name] as (...a: unknown[]) => Bytes | Promise<Bytes>)(...args);
const bytes = async (value: Bytes | Promise<Bytes>) => Buffer.from(new Uint8Array(await value));

// What pg's own helpers compute, with WebCrypto.
const { subtle } = globalThis.crypto;
const encode = (text: string) => new TextEncoder().encode(text);
async function webDeriveKey(password: string, salt: Uint8Array, iterations: number) {
  const key = await subtle.importKey('raw', encode(password), 'PBKDF2', false, ['deriveBits']);
  return subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256);
}
async function webHmac(keyBytes: Uint8Array, message: string) {
  const key = await subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return subtle.sign('HMAC', key, encode(message));
}

describe('SCRAM arithmetic by node:crypto', () => {
  it('takes the place of pg’s helpers and gives the bytes WebCrypto gives', async () => {
    // A copy, so that this test leaves pg's object as it found it.
    const ours = { ...utils };
    expect(useNodeCryptoForScram(ours)).toBe(true);
    const salt = Buffer.from('c2FsdHk/c2FsdA==', 'base64');
    for (const password of ['secret', 'pässwörd ✓', 'x'.repeat(200)]) {
      const derived = await bytes(call(ours, 'deriveKey', password, salt, 4096));
      expect(derived).toEqual(await bytes(webDeriveKey(password, salt, 4096)));
      const clientKey = await bytes(call(ours, 'hmacSha256', derived, 'Client Key'));
      expect(clientKey).toEqual(await bytes(webHmac(derived, 'Client Key')));
      // pg hands a helper what another returned: an ArrayBuffer from WebCrypto, a Buffer from ours.
      const storedKey = await bytes(call(ours, 'sha256', new Uint8Array(clientKey).buffer));
      expect(storedKey).toEqual(await bytes(subtle.digest('SHA-256', clientKey)));
      expect(await bytes(call(ours, 'hmacSha256', new Uint8Array(storedKey).buffer, 'n=*,r=abc'))).toEqual(
        await bytes(webHmac(storedKey, 'n=*,r=abc')),
      );
    }
    const nonce = await bytes(call(ours, 'randomBytes', 18));
    expect(nonce).toHaveLength(18);
    expect(nonce).not.toEqual(await bytes(call(ours, 'randomBytes', 18)));
  });

  it('leaves a helpers object of another shape alone', () => {
    const other = { deriveKey: () => 0 };
    expect(useNodeCryptoForScram(other)).toBe(false);
    expect(Object.keys(other)).toEqual(['deriveKey']);
  });
});
