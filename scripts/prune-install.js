/**
 * Runs after `npm ci` (the root package's `postinstall`): removes what installed packages ship that
 * nothing here uses, so the install stays under its size budget (docs/dependencies.md). Plain
 * JavaScript, as it runs on every supported Node before anything is compiled.
 *
 * `node scripts/prune-install.js [root]` prunes `root`/node_modules (default: this repository's).
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Paths under node_modules/ that nothing uses:
 * - node24/include: Node's C headers (about 64 MB in 2,700 files), for compiling native addons; the
 *   runner only runs node24/bin/node.
 */
const PRUNED = ['node24/include'];

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
for (const path of PRUNED) rmSync(join(root, 'node_modules', path), { recursive: true, force: true });
