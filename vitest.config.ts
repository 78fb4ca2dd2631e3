import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['actions/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Files run in parallel processes; servers (PostgreSQL, HTTP, SMTP) start once per file.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // The parser's dist imports its JSON schemas without import attributes, which
    // plain Node refuses; letting vite transform it loads them.
    server: { deps: { inline: ['@actions/workflow-parser', '@actions/expressions'] } },
  },
});
