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

function exporterConfig(signal: ResolvedOtlpSignal) {
  return { url: signal.url, headers: signal.headers, timeoutMillis: signal.timeoutMillis };
}

/**
 * The OTLP/HTTP log exporter for the resolved protocol: protobuf
 * (`@opentelemetry/exporter-logs-otlp-proto`) or JSON (`…-otlp-http`). The SDK
 * exporters report failures through `diag` and the export callback; they never throw.
 */
export function createOtlpLogExporter(signal: ResolvedOtlpSignal): LogRecordExporter {
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
