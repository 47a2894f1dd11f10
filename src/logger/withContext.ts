import { context, createContextKey, type Context } from '@opentelemetry/api';
import type { LogAttributes } from './anyValue.js';
import { toAttributes } from './toAnyValue.js';

const CONTEXT_ATTRIBUTES_KEY = createContextKey('otel-logkit.context-attributes');

/**
 * Runs `fn` with `attributes` (user id, request id, …) put on every log record
 * emitted inside it, across awaits, timers and callbacks: the attributes travel
 * in the OTel Context, so they need the AsyncLocalStorage context manager that
 * {@link registerLogging} registers. Nested calls merge, inner keys winning.
 * Records emitted through a plain `@opentelemetry/api` logger get them too.
 *
 * @returns what `fn` returns (its promise, for an async `fn`).
 * @throws whatever `fn` throws; `withContext` itself does not throw.
 */
export function withContext<T>(attributes: Readonly<Record<string, unknown>>, fn: () => T): T {
  let ctx: Context;
  try {
    const merged = { ...getContextAttributes(context.active()), ...toAttributes(attributes) };
    ctx = context.active().setValue(CONTEXT_ATTRIBUTES_KEY, merged);
  } catch {
    ctx = context.active();
  }
  return context.with(ctx, fn);
}

/** The attributes {@link withContext} put on `ctx`, if any. */
export function getContextAttributes(ctx: Context): LogAttributes | undefined {
  return ctx.getValue(CONTEXT_ATTRIBUTES_KEY) as LogAttributes | undefined;
}
