import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * pg computes SCRAM-SHA-256, PostgreSQL's default password authentication, with WebCrypto:
 * the first handshake of a process loads Node's WebCrypto layer and makes a dozen async hops
 * for one 4,096-round PBKDF2 and three HMACs, about 5 ms of every run's first connection.
 * node:crypto's one-shot functions give the same bytes in about 1 ms. They take the place of
 * pg's on its crypto helpers object, which its SASL code calls at each use, when that object
 * has the shape they replace (otherwise pg's own stay, and only the speed differs).
 * TLS channel binding (`hashByName`) keeps pg's.
 */
export function useNodeCryptoForScram(utils: Record<string, unknown>): boolean {
  const replaced = ['randomBytes', 'deriveKey', 'hmacSha256', 'sha256'];
  if (!replaced.every((name) => typeof utils[name] === 'function')) return false;
  Object.assign(utils, {
    randomBytes: (length: number) => randomBytes(length),
    deriveKey: async (password: string, salt: Uint8Array, iterations: number) =>
      pbkdf2Sync(password, salt, iterations, 32, 'sha256'),
    hmacSha256: async (key: Uint8Array | ArrayBuffer, message: string) =>
      createHmac('sha256', new Uint8Array(key)).update(message).digest(),
    sha256: async (data: Uint8Array | ArrayBuffer) => createHash('sha256').update(new Uint8Array(data)).digest(),
  });
  return true;
}
