import { defineConfig } from 'vitest/config';

// Reads must not depend on the machine's time zone: these files run again under a zone with DST
// and one with a half-hour offset (the default project runs them in the machine's zone, UTC in
// CI), on the local directory only to keep the cost small.
const ZONED_FILES = ['delta/conformance.test.ts', 'test/timezone.test.ts'];
const ZONES = ['America/Los_Angeles', 'Asia/Kolkata'];

export default defineConfig({
  test: {
    exclude: ['node_modules/**', '.freshet/**'],
    // Temporal workers and DuckDB are native: forks, not threads (WebAssembly OOM in threads).
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 600_000,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'freshet',
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**', '.freshet/**', 'test/stack/**'],
          // One Temporal dev server for the whole run: parallel createLocal() calls race.
          globalSetup: ['test/global-setup.ts'],
        },
      },
      {
        // The production-shaped stack, shared by its files: they run one at a time, after the
        // other projects (some kill parts of the stack; the SLA test measures start delays).
        extends: true,
        test: {
          name: 'stack',
          include: ['test/stack/**/*.test.ts'],
          globalSetup: ['test/stack/global-setup.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
      ...ZONES.map((tz) => ({
        extends: true as const,
        test: {
          name: `TZ=${tz}`,
          include: ZONED_FILES,
          env: { TZ: tz, FRESHET_CONFORMANCE_SITES: 'local directory' },
          globalSetup: ['test/run-tmp.ts'],
        },
      })),
    ],
  },
});
