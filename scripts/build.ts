/**
 * Builds one minified ncc bundle per action into dist/<name>/.
 * `npm run build` builds all; `npm run build -- fly-deploy notify` builds those.
 * Deterministic: no timestamps, no absolute paths, assets written in sorted order.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ACTIONS, entryPath, ROOT } from './actions';

const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc') as (
  entry: string,
  options: Record<string, unknown>,
) => Promise<{ code: string; assets: Record<string, { source: string | Buffer }> }>;

async function build(name: string): Promise<void> {
  const started = Date.now();
  const { code, assets } = await ncc(entryPath(name), {
    minify: true,
    quiet: true,
    target: 'es2022',
    sourceMap: false,
    license: 'licenses.txt',
    // Test equipment never ships.
    externals: ['@deploy-actions/fly-sim', '@deploy-actions/runner'],
  });
  const out = join(ROOT, 'dist', name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'index.js'), code);
  for (const file of Object.keys(assets).sort()) {
    const target = join(out, file);
    mkdirSync(join(target, '..'), { recursive: true });
    writeFileSync(target, assets[file].source);
  }
  console.log(`built dist/${name}/index.js (${(code.length / 1024).toFixed(0)} KiB) in ${Date.now() - started} ms`);
}

const requested = process.argv.slice(2);
const unknown = requested.filter((n) => !(ACTIONS as readonly string[]).includes(n));
if (unknown.length > 0) {
  console.error(`Unknown action(s): ${unknown.join(', ')}. Known: ${ACTIONS.join(', ')}`);
  process.exit(2);
}
for (const name of requested.length > 0 ? requested : ACTIONS) await build(name);
