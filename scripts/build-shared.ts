/**
 * The alternative to scripts/build.ts measured in docs/dependencies.md: every action as an
 * entry of one esbuild pass with code splitting, ESM output, modules used by more than one
 * action in shared chunks. Writes `<out>/<action>/index.mjs` (`.mjs`, so no package.json is
 * needed beside it) and `<out>/chunks/`; `tsx scripts/build-shared.ts [out]`, .tmp/shared-dist
 * by default. dist/ stays the per-action ncc bundles; this exists to measure the difference.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { ACTIONS, entryPath, ROOT } from './actions';

export async function buildShared(out: string): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(ACTIONS.map((name) => [`${name}/index`, entryPath(name)])),
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    // ncc's licenses.txt equivalent is left out of both size figures.
    legalComments: 'none',
    // Test equipment never ships (as in scripts/build.ts).
    external: ['@deploy-actions/fly-sim', '@deploy-actions/runner'],
    // CommonJS dependencies call require() for Node's built-ins; ESM has no require of its own.
    banner: { js: 'import{createRequire as __cr}from"node:module";const require=__cr(import.meta.url);' },
    plugins: [builtinsByRequire],
    logLevel: 'warning',
  });
}

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * An ESM `import` of a Node built-in builds its ESM facade, which reads every export once and so
 * runs the built-in's lazy getters: `node:crypto` loads WebCrypto, `node:fs` its promises API, and
 * so on (Node's lib/internal/bootstrap/realm.js, syncExports). ncc's bundles call require() instead.
 * This turns each such import into a CommonJS module that require()s the built-in, so both builds
 * load the same built-ins and the comparison measures the chunking alone.
 */
const builtinsByRequire: Plugin = {
  name: 'builtins-by-require',
  setup(build) {
    build.onResolve({ filter: /^[a-z_:/0-9]+$/ }, (args) =>
      args.kind === 'import-statement' && BUILTINS.has(args.path)
        ? { path: args.path, namespace: 'builtin-by-require' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-by-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

function sizes(dir: string): Map<string, number> {
  const files = new Map<string, number>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), statSync(path).size);
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = resolve(process.argv[2] ?? join(ROOT, '.tmp', 'shared-dist'));
  const started = Date.now();
  await buildShared(out);
  const files = sizes(out);
  const total = [...files.values()].reduce((a, b) => a + b, 0);
  console.log(`built ${files.size} files, ${(total / 1024).toFixed(0)} KiB, into ${out} in ${Date.now() - started} ms`);
}
