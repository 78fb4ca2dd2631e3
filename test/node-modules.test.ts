/**
 * What `npm ci` leaves in node_modules: only what is used, under the size budget of
 * docs/dependencies.md. An install from before a change here fails these: run `npm ci`.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/actions';

/** node_modules' budget, in bytes of file contents (`du --apparent-size`), decimal megabytes. */
const BUDGET = 700e6;

/** Bytes of everything under `dir`, as `du --apparent-size -b` counts them (folders included). */
function apparentSize(dir: string): number {
  let total = lstatSync(dir).size;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? apparentSize(path) : lstatSync(path).size;
  }
  return total;
}

describe('npm ci', () => {
  it('runs the prune script after installing', () => {
    const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(scripts.postinstall).toBe('node scripts/prune-install.js');
  });

  it('removes Node 24’s C headers and keeps its binary', () => {
    const root = mkdtempSync(join(tmpdir(), 'prune-'));
    try {
      const node24 = join(root, 'node_modules', 'node24');
      mkdirSync(join(node24, 'include', 'node'), { recursive: true });
      mkdirSync(join(node24, 'bin'));
      writeFileSync(join(node24, 'include', 'node', 'node.h'), '');
      writeFileSync(join(node24, 'bin', 'node'), '');
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'prune-install.js'), root]);
      expect(existsSync(join(node24, 'include'))).toBe(false);
      expect(existsSync(join(node24, 'bin', 'node'))).toBe(true);
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'prune-install.js'), root]); // already pruned
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it(`leaves node_modules under ${BUDGET / 1e6} MB`, () => {
    const size = apparentSize(join(ROOT, 'node_modules'));
    expect(size, `node_modules holds ${(size / 1e6).toFixed(1)} MB; run npm ci`).toBeLessThan(BUDGET);
  });
});
