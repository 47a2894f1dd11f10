import { defineConfig } from 'vitest/config';

// `npm run test:e2e`: tests against the real programs (the Collector built from
// collector/builder-config.yaml, ...). Slow and serial: they start processes on
// loopback ports and the first run builds the Collector (several minutes).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    pool: 'forks',
    isolate: true,
    fileParallelism: false,
    testTimeout: 180_000,
    // beforeAll builds the Collector on a fresh machine.
    hookTimeout: 45 * 60_000,
    teardownTimeout: 30_000,
  },
});
