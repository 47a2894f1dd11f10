import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    // Both entries share one copy of the registration state (the live handle,
    // what was registered globally): common code goes to shared chunks, in the
    // CommonJS build too.
    splitting: true,
    dts: true,
    sourcemap: true,
    clean: true,
    // The winston bridge loads winston-transport lazily through
    // createRequire(import.meta.url); the CJS build needs import.meta shimmed.
    shims: true,
    target: 'node22',
    platform: 'node',
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
