import { OTLPLogExporter as OTLPLogExporterJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as OTLPLogExporterProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPMetricExporter as OTLPMetricExporterJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPMetricExporterProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { ResolvedOtlpSignal } from '../config/resolveConfig.js';
import { OtlpHttpLogExporter } from './otlp/OtlpHttpLogExporter.js';

function exporterConfig(signal: ResolvedOtlpSignal) {
  return { url: signal.url, headers: signal.headers, timeoutMillis: signal.timeoutMillis };
}

/**
 * Issue 13 switch: OTLP/HTTP logs go through our own encoders
 * ({@link OtlpHttpLogExporter}, src/exporters/otlp/) on the SDK's transport,
 * instead of the SDK's OTLPLogExporter. One constant, kept apart for the merge
 * with the spool (issue 11), which takes the encoder functions themselves.
 */
const OWN_OTLP_LOGS_ENCODING = true;

/**
 * The OTLP/HTTP log exporter for the resolved protocol: protobuf or JSON, with
 * our own encoding ({@link OtlpHttpLogExporter}) or, with the switch off, the
 * SDK's (`@opentelemetry/exporter-logs-otlp-proto` / `…-otlp-http`). Both
 * report failures through `diag` and the export callback; they never throw.
 */
export function createOtlpLogExporter(signal: ResolvedOtlpSignal): LogRecordExporter {
  if (OWN_OTLP_LOGS_ENCODING) {
    return new OtlpHttpLogExporter(
      exporterConfig(signal),
      signal.protocol === 'http/json' ? 'json' : 'protobuf',
    );
  }
  return signal.protocol === 'http/json'
    ? new OTLPLogExporterJson(exporterConfig(signal))
    : new OTLPLogExporterProto(exporterConfig(signal));
}

/** The OTLP/HTTP metric exporter for the resolved protocol (cumulative temporality, the SDK default). */
export function createOtlpMetricExporter(signal: ResolvedOtlpSignal): PushMetricExporter {
  return signal.protocol === 'http/json'
    ? new OTLPMetricExporterJson(exporterConfig(signal))
    : new OTLPMetricExporterProto(exporterConfig(signal));
}

/** The OTLP/HTTP span exporter for the resolved protocol. */
export function createOtlpTraceExporter(signal: ResolvedOtlpSignal): SpanExporter {
  return signal.protocol === 'http/json'
    ? new OTLPTraceExporterJson(exporterConfig(signal))
    : new OTLPTraceExporterProto(exporterConfig(signal));
}
