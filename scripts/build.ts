/**
 * Builds one minified ncc bundle per action into dist/<name>/.
 * `npm run build` builds all; `npm run build -- fly-deploy notify` builds those.
 * Deterministic: no timestamps, no absolute paths, assets written in sorted order.
 * ncc minifies index.js only; the chunks it splits off (lazy imports) are minified here with
 * esbuild, which halves them (pg's chunk: 190 KiB -> 85 KiB) and with them their compile time.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { transformSync } from 'esbuild';
import { ACTIONS, entryPath, ROOT } from './actions';

const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc') as (
  entry: string,
  options: Record<string, unknown>,
) => Promise<{ code: string; assets: Record<string, { source: string | Buffer }> }>;

/** The files of one action's bundle, by path relative to dist/<name>/. */
export async function bundle(name: string): Promise<Map<string, string | Buffer>> {
  const { code, assets } = await ncc(entryPath(name), {
    minify: true,
    quiet: true,
    target: 'es2022',
    sourceMap: false,
    // Types are checked once by `npm run typecheck`; the bundler only strips them.
    transpileOnly: true,
    license: 'licenses.txt',
    // Test equipment never ships.
    externals: ['@deploy-actions/fly-sim', '@deploy-actions/runner'],
  });
  const files = new Map<string, string | Buffer>([['index.js', code]]);
  for (const file of Object.keys(assets).sort()) {
    const { source } = assets[file];
    files.set(file, /^\d+\.index\.js$/.test(file) ? minifyChunk(String(source)) : source);
  }
  return files;
}

function minifyChunk(code: string): string {
  return transformSync(code, { minify: true, format: 'esm', target: 'es2022', legalComments: 'inline' }).code;
}

async function build(name: string): Promise<void> {
  const started = Date.now();
  const files = await bundle(name);
  const out = join(ROOT, 'dist', name);
  rmSync(out, { recursive: true, force: true });
  for (const [file, content] of files) {
    const target = join(out, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  const size = (files.get('index.js')?.length ?? 0) / 1024;
  console.log(`built dist/${name}/index.js (${size.toFixed(0)} KiB) in ${Date.now() - started} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((n) => !(ACTIONS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    console.error(`Unknown action(s): ${unknown.join(', ')}. Known: ${ACTIONS.join(', ')}`);
    process.exit(2);
  }
  for (const name of requested.length > 0 ? requested : ACTIONS) {
    try {
      await build(name);
    } catch (error) {
      // ncc's own errors carry its minified source; the message is what matters.
      console.error(`build of ${name} failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  }
}
