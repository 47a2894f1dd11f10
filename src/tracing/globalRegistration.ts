import {
  ROOT_CONTEXT,
  context,
  createContextKey,
  diag,
  propagation,
  trace,
  ProxyTracerProvider,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';

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

/** True when an application (or the NodeSDK) registered a global TracerProvider. */
export function hasTracerProvider(): boolean {
  return !(trace.getTracerProvider() instanceof ProxyTracerProvider);
}
