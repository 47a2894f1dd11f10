import { ROOT_CONTEXT, context, createContextKey, diag, propagation } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import { requireOptional } from '../internal/requireOptional.js';

const PROBE_KEY = createContextKey('otel-logkit.probe');

/**
 * True when a working context manager is registered. The API keeps no public
 * "is one registered" query, so this probes: with the no-op manager,
 * `context.with` does not make its context active.
 */
export function hasContextManager(): boolean {
  return context.with(ROOT_CONTEXT.setValue(PROBE_KEY, true), () =>
    Boolean(context.active().getValue(PROBE_KEY)),
  );
}

/**
 * Registers an AsyncLocalStorage context manager unless one works already.
 * @returns the manager it registered, for shutdown, or undefined.
 */
export function ensureContextManager(): AsyncLocalStorageContextManager | undefined {
  if (hasContextManager()) {
    diag.debug('otel-logkit: reusing the registered context manager');
    return undefined;
  }
  const manager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(manager);
  diag.debug('otel-logkit: registered the AsyncLocalStorage context manager');
  return manager;
}

/**
 * Registers the W3C Trace Context and Baggage propagators unless a propagator
 * is registered (the no-op propagator has no fields).
 */
export function ensurePropagator(): void {
  if (propagation.fields().length > 0) return;
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
  diag.debug('otel-logkit: registered the W3C trace-context and baggage propagators');
}

/**
 * The API's global registry (`@opentelemetry/api` 1.x keeps it on globalThis
 * under this symbol). Reading it is the only way to ask "is a provider
 * registered?" without the API logging a duplicate-registration error: the
 * registered TracerProvider is always the API's proxy, and getMeterProvider()
 * falls back to a no-op provider that is not exported.
 */
const API_REGISTRY_KEY = Symbol.for('opentelemetry.js.api.1');

function isRegistered(type: 'trace' | 'metrics' | 'logs'): boolean {
  const registry = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[
    API_REGISTRY_KEY
  ];
  return registry?.[type] !== undefined;
}

/** True when an application (or the NodeSDK) registered a global TracerProvider. */
export function hasTracerProvider(): boolean {
  return isRegistered('trace');
}

/** True when a global MeterProvider is registered. */
export function hasMeterProvider(): boolean {
  return isRegistered('metrics');
}

/**
 * True when a global LoggerProvider is registered (the stable Logs API of
 * `@opentelemetry/api` 1.10 keeps it in the same registry, and, like the other
 * signals, logs a diag error on a second registration).
 */
export function hasLoggerProvider(): boolean {
  return isRegistered('logs');
}

/** The part of `@opentelemetry/api-logs` (0.2xx, the Logs API before it became stable) that we use. */
interface LegacyLogsApi {
  readonly logs: {
    setGlobalLoggerProvider(provider: unknown): unknown;
    disable(): void;
  };
}

/**
 * Registers `provider` as the global LoggerProvider of the older
 * `@opentelemetry/api-logs` package too, when it is installed (some libraries
 * still emit through it, e.g. `@opentelemetry/winston-transport`, which
 * `@opentelemetry/instrumentation-winston` uses). That global is separate
 * from the one in `@opentelemetry/api` 1.10. A provider registered there
 * first is kept.
 * @returns a function that unregisters it, or undefined when the package is
 *   absent or another provider was registered.
 */
export function registerLegacyLoggerProvider(provider: object): (() => void) | undefined {
  let api: LegacyLogsApi;
  try {
    api = requireOptional<LegacyLogsApi>('@opentelemetry/api-logs');
  } catch {
    return undefined;
  }
  if (api.logs.setGlobalLoggerProvider(provider) !== provider) {
    diag.debug('otel-logkit: an @opentelemetry/api-logs LoggerProvider is already registered');
    return undefined;
  }
  diag.debug('otel-logkit: registered the LoggerProvider with @opentelemetry/api-logs too');
  return () => api.logs.disable();
}
