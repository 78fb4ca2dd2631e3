import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/** Packages vite transforms for the tests (see `server.deps.inline` below). */
const INLINED = ['@actions/workflow-parser', '@actions/expressions'];

/**
 * These packages end each file with a `//# sourceMappingURL` comment whose sources they do not
 * ship, so vite warned once per file (about a hundred lines per run). Loaded without the comment,
 * their code is the same and stack traces point at the shipped JavaScript.
 */
function withoutDanglingSourceMaps(packages: string[]): Plugin {
  return {
    name: 'without-dangling-source-maps',
    enforce: 'pre',
    load(id) {
      const file = id.split('?')[0];
      if (!packages.some((name) => file.includes(`/node_modules/${name}/`))) return null;
      return { code: readFileSync(file, 'utf8').replace(/^\/\/# sourceMappingURL=.*$/gm, ''), map: null };
    },
  };
}

export default defineConfig({
  plugins: [withoutDanglingSourceMaps(INLINED)],
  test: {
    include: ['actions/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Temp files go to a folder under .tmp/ removed after the run.
    globalSetup: ['test/setup/temp-folder.ts'],
    // What code under test prints (workflow commands, progress) is shown only for a failed test.
    setupFiles: ['test/setup/capture-output.ts'],
    // Files run in parallel processes; servers (PostgreSQL, HTTP, SMTP) start once per file.
    pool: 'forks',
    // One more file than cores: the files mostly wait on their servers, bundles and the health
    // gates' rounds (with vitest's default of cores - 1, one file at a time on 2 cores, the machine
    // sat 60-90% idle). On 2 cores, 3 at once ran the suite in 756 s instead of 1,545 s.
    maxWorkers: availableParallelism() + 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // The parser's dist imports its JSON schemas without import attributes, which
    // plain Node refuses; letting vite transform it loads them.
    server: { deps: { inline: INLINED } },
  },
});
