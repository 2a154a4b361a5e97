import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.freshet/**'],
    // One Temporal dev server for the whole run: parallel createLocal() calls race.
    globalSetup: ['test/global-setup.ts'],
    // Temporal workers and DuckDB are native: forks, not threads (WebAssembly OOM in threads).
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 600_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
