import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**', 'node_modules/**'],
    // Each file runs in its own process: the OTel API keeps its providers on
    // globalThis, and registerLogging installs process-wide hooks.
    pool: 'forks',
    isolate: true,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
