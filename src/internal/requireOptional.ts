import { createRequire } from 'node:module';

/**
 * Loads an optional peer dependency synchronously, resolved from otel-logkit's
 * own location as a dependency would be.
 *
 * Always through `createRequire(import.meta.url)`: in the ES module build the
 * bundler replaces a bare `require` with a shim that exists (so a
 * `typeof require === 'function'` test passes) but throws on every call; in the
 * CommonJS build tsup shims `import.meta.url`.
 * @throws whatever `require` throws (MODULE_NOT_FOUND when the peer is absent).
 */
export function requireOptional<T>(specifier: string): T {
  return requireFromHere(specifier) as T;
}

const requireFromHere = createRequire(import.meta.url);
