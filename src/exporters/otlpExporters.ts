import { OTLPMetricExporter as OTLPMetricExporterGrpc } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as OTLPMetricExporterJson } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPMetricExporterProto } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPTraceExporter as OTLPTraceExporterGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OTLPTraceExporterJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPTraceExporterProto } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  createEmptyMetadata,
  createInsecureCredentials,
  createSslCredentials,
} from '@opentelemetry/otlp-grpc-exporter-base';
import type { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { ResolvedOtlpSignal } from '../config/resolveConfig.js';

// The SDK's OTLP exporters for metrics and spans (logs use otel-logkit's own
// encoding and senders: selectExporter.ts). Every setting is passed
// explicitly, from the resolved config. The SDK exporters would otherwise
// read OTEL_EXPORTER_OTLP_* themselves and take them over what otel-logkit
// resolved: an option given to registerLogging or a
// configuration file (with which the spec has env vars ignored) must win.
// One exception the SDK does not let us control: the HTTP exporters add the
// keys of OTEL_EXPORTER_OTLP_[<SIGNAL>_]HEADERS that we do not set ourselves.

function httpConfig(signal: ResolvedOtlpSignal) {
  const { ca, cert, key } = signal.tls;
  return {
    url: signal.url,
    headers: signal.headers,
    timeoutMillis: signal.timeoutMillis,
    compression: signal.compression as CompressionAlgorithm,
    // The SDK's default agent options (keepAlive) plus our TLS files; given
    // explicitly so the exporter does not read the certificate env vars.
    httpAgentOptions: { keepAlive: true, ca, cert, key },
  };
}

function grpcConfig(signal: ResolvedOtlpSignal) {
  const metadata = createEmptyMetadata();
  for (const [name, value] of Object.entries(signal.headers)) metadata.set(name, value);
  const { ca, cert, key } = signal.tls;
  return {
    url: signal.url,
    metadata,
    timeoutMillis: signal.timeoutMillis,
    compression: signal.compression as CompressionAlgorithm,
    // As the OTLP exporter spec says for gRPC: `http://` is a plaintext
    // connection, `https://` TLS with the given roots and client pair.
    credentials: signal.url.startsWith('http://')
      ? createInsecureCredentials()
      : createSslCredentials(ca, key, cert),
  };
}

/** The OTLP metric exporter for the resolved protocol (cumulative temporality, the SDK default). */
export function createOtlpMetricExporter(signal: ResolvedOtlpSignal): PushMetricExporter {
  switch (signal.protocol) {
    case 'grpc':
      return new OTLPMetricExporterGrpc(grpcConfig(signal));
    case 'http/json':
      return new OTLPMetricExporterJson(httpConfig(signal));
    default:
      return new OTLPMetricExporterProto(httpConfig(signal));
  }
}

/** The OTLP span exporter for the resolved protocol. */
export function createOtlpTraceExporter(signal: ResolvedOtlpSignal): SpanExporter {
  switch (signal.protocol) {
    case 'grpc':
      return new OTLPTraceExporterGrpc(grpcConfig(signal));
    case 'http/json':
      return new OTLPTraceExporterJson(httpConfig(signal));
    default:
      return new OTLPTraceExporterProto(httpConfig(signal));
  }
}
