import { join } from 'node:path';
import { ConsoleMetricExporter, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { LogsExporterName, MetricsExporterName } from '../config/LoggingOptions.js';
import type { ResolvedConfig } from '../config/resolveConfig.js';
import type { BatchSender } from '../processors/DeliveringLogRecordProcessor.js';
import { FileLinesSender } from './FileLinesSender.js';
import { FileMetricExporter } from './FileMetricExporter.js';
import { OtlpGrpcSender } from './OtlpGrpcSender.js';
import { OtlpHttpSender } from './OtlpHttpSender.js';
import { createOtlpMetricExporter } from './otlpExporters.js';
import { PrettyConsoleLogRecordExporter } from './PrettyConsoleLogRecordExporter.js';
import { fileLinesEncoder } from './spool/FileLinesEncoder.js';
import { getLogsEncoder, type LogsEncoder } from './spool/LogsEncoder.js';

/**
 * How a named log exporter writes: `immediate`, an SDK LogRecordExporter that
 * gets each record at once (the console, as a developer watching expects);
 * `delivered`, encoded batches handed to a {@link BatchSender} by the
 * delivery path (memory budget, then the spool in `spoolDir`; see
 * DeliveringLogRecordProcessor).
 */
export type LogsExporterSelection =
  | { readonly kind: 'immediate'; readonly exporter: LogRecordExporter }
  | {
      readonly kind: 'delivered';
      readonly encoder: LogsEncoder;
      readonly sender: BatchSender;
      /** Undefined with the spool off (memory-only delivery). */
      readonly spoolDir: string | undefined;
    };

/**
 * The log exporter of `logsExporter` name `name`: `console` (pretty lines,
 * immediate), `file` (rotating category files under `logDir`, delivered, its
 * spool `<spoolDir>/files`), `otlp` (our own OTLP encoding over OTLP/HTTP
 * protobuf or JSON, or OTLP/gRPC with the protobuf bytes, delivered, its spool
 * `spoolDir`), all from the resolved settings; undefined for `none`.
 */
export function selectLogsExporter(
  name: LogsExporterName,
  config: ResolvedConfig,
): LogsExporterSelection | undefined {
  const spoolDir = config.delivery.spool?.dir;
  switch (name) {
    case 'console':
      return {
        kind: 'immediate',
        exporter: new PrettyConsoleLogRecordExporter({ colors: config.colors }),
      };
    case 'file':
      return {
        kind: 'delivered',
        encoder: fileLinesEncoder,
        sender: new FileLinesSender({
          dir: config.logDir,
          maxFileBytes: config.maxFileBytes,
          maxBackups: config.maxBackups,
        }),
        spoolDir: spoolDir && join(spoolDir, 'files'),
      };
    case 'otlp': {
      const { logs } = config;
      const options = {
        url: logs.url,
        headers: logs.headers,
        timeoutMillis: logs.timeoutMillis,
        compression: logs.compression === 'gzip' ? 'gzip' : 'none',
        tls: logs.tls,
      } as const;
      return {
        kind: 'delivered',
        // gRPC carries the same protobuf ExportLogsServiceRequest bytes.
        encoder: getLogsEncoder(logs.protocol === 'http/json' ? 'http/json' : 'http/protobuf'),
        sender:
          logs.protocol === 'grpc' ? new OtlpGrpcSender(options) : new OtlpHttpSender(options),
        spoolDir,
      };
    }
    case 'none':
      return undefined;
  }
}

/**
 * The metric exporter of `metricsExporter` name `name`: the SDK's console
 * exporter, our JSON-lines {@link FileMetricExporter} under `logDir`, or the
 * SDK's OTLP exporter for the resolved protocol; undefined for `none`.
 */
export function selectMetricExporter(
  name: MetricsExporterName,
  config: ResolvedConfig,
): PushMetricExporter | undefined {
  switch (name) {
    case 'console':
      return new ConsoleMetricExporter();
    case 'file':
      return new FileMetricExporter({
        dir: config.logDir,
        maxFileBytes: config.maxFileBytes,
        maxBackups: config.maxBackups,
      });
    case 'otlp':
      return createOtlpMetricExporter(config.metrics);
    case 'none':
      return undefined;
  }
}
