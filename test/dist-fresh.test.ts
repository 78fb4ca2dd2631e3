/**
 * dist/ holds exactly what `npm run build` produces from the current sources:
 * each bundle is rebuilt in memory and compared byte for byte.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS, ROOT } from '../scripts/actions';
import { bundle } from '../scripts/build';

describe.each(ACTIONS)('dist/%s', (name) => {
  it('is fresh: rebuilding gives identical bytes and no stray files', { timeout: 240_000 }, async () => {
    const dir = join(ROOT, 'dist', name);
    const built = await bundle(name);
    const committed = existsSync(dir)
      ? readdirSync(dir, { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
      : [];
    expect(committed.filter((f) => !built.has(f)).sort()).toEqual([]);
    for (const [file, content] of built) {
      const fresh = Buffer.isBuffer(content) ? content : Buffer.from(content);
      const path = join(dir, file);
      expect(existsSync(path), `dist/${name}/${file} exists (run npm run build)`).toBe(true);
      expect(readFileSync(path).equals(fresh), `dist/${name}/${file} is up to date (run npm run build)`).toBe(true);
    }
    // A bundle that names the build machine's folders would differ on every clone.
    expect(built.get('index.js')?.toString()).not.toContain(ROOT);
  });
});
