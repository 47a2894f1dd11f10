import { diag, trace } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  TracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import type { ResolvedConfig } from '../config/resolveConfig.js';
import { createOtlpTraceExporter } from '../exporters/otlpExporters.js';
import { hasTracerProvider } from './globalRegistration.js';
import { RedactingSpanProcessor } from './RedactingSpanProcessor.js';
import { NoopSpanProcessor } from '@opentelemetry/sdk-trace';

/**
 * Its spans are redacted by `redaction` (the registration's {@link spanRedaction});
 * `extraSpanProcessors` (the sampling step's trace-end hook) run before the exporting one.
 * Registers a TracerProvider when the `traces` option asks for one and none is
 * registered; an existing one is never replaced (it is reused, and that is
 * logged at diag.info).
 * @returns the provider it registered, for shutdown, or undefined.
 */
export function setupTracing(
  config: ResolvedConfig,
  resource: Resource,
  redaction: SpanProcessor,
  extraSpanProcessors: readonly SpanProcessor[] = [],
): TracerProvider | undefined {
  if (!config.registerTracerProvider) return undefined;
  if (!config.registerGlobals) {
    diag.warn(
      'otel-logkit: traces: true is ignored with registerGlobals: false (the TracerProvider would be global)',
    );
    return undefined;
  }
  if (hasTracerProvider()) {
    diag.info(
      'otel-logkit: a TracerProvider is already registered; reusing it (its spans are redacted only if it has handle.spanProcessor, e.g. first in the NodeSDK spanProcessors)',
    );
    return undefined;
  }
  // Redaction first (its onEnding runs before any processor's onEnd anyway).
  const spanProcessors: SpanProcessor[] = [redaction, ...extraSpanProcessors];
  if (config.tracesExporter === 'otlp') {
    spanProcessors.push(
      new BatchSpanProcessor({ exporter: createOtlpTraceExporter(config.traces) }),
    );
  } else if (config.tracesExporter === 'console') {
    spanProcessors.push(new BatchSpanProcessor({ exporter: new ConsoleSpanExporter() }));
  }
  const provider = new TracerProvider({ resource, spanProcessors });
  if (!trace.setGlobalTracerProvider(provider)) {
    // Lost a race with another registration: keep theirs, drop ours.
    void provider.shutdown();
    return undefined;
  }
  diag.debug(`otel-logkit: registered a TracerProvider exporting to ${config.tracesExporter}`);
  return provider;
}

/**
 * The span processor that redacts spans with the registration's `redaction`
 * rules ({@link RedactingSpanProcessor}); a no-op one for `redaction: false`.
 */
export function spanRedaction(config: Pick<ResolvedConfig, 'redaction'>): SpanProcessor {
  return config.redaction === false
    ? new NoopSpanProcessor()
    : new RedactingSpanProcessor(config.redaction);
}
