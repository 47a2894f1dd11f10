import { join } from 'node:path';
import type { ExportResult } from '@opentelemetry/core';
import { JsonMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { AggregationTemporality } from '@opentelemetry/sdk-metrics';
import type {
  InstrumentType,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { reportOnce } from '../internal/reportOnce.js';
import { PendingExports, toError } from './PendingExports.js';
import { RotatingFileWriter, ioErrorCode } from './RotatingFileWriter.js';

/** Name of the metrics file inside the exporter's directory. */
export const METRICS_FILE = 'metrics.jsonl';

/** Options of {@link FileMetricExporter}. */
export interface FileMetricExporterOptions {
  /** Directory of `metrics.jsonl`; created on the first export (mode `0o700`) if missing. */
  dir: string;
  /** Size limit of the file in bytes before it rotates; default 10 MiB. */
  maxFileBytes?: number;
  /** Gzip backups kept; default 5. */
  maxBackups?: number;
}

const decoder = new TextDecoder();

/**
 * Writes metrics to `<dir>/metrics.jsonl`, one OTLP JSON
 * `ExportMetricsServiceRequest` line (`{"resourceMetrics":[…]}`) per export,
 * rotated by a {@link RotatingFileWriter}. Use it with a
 * `PeriodicExportingMetricReader`; it asks for cumulative temporality.
 *
 * Nothing throws: write and serialization errors come back as
 * `ExportResultCode.FAILED` through the callback and are reported through OTel
 * `diag` once per error code.
 */
export class FileMetricExporter implements PushMetricExporter {
  /** Directory `metrics.jsonl` is written to. */
  readonly dir: string;

  private readonly writer: RotatingFileWriter;
  private readonly exports = new PendingExports('FileMetricExporter');

  constructor(options: FileMetricExporterOptions) {
    this.dir = options.dir;
    this.writer = new RotatingFileWriter({
      path: join(options.dir, METRICS_FILE),
      maxBytes: options.maxFileBytes,
      maxBackups: options.maxBackups,
    });
  }

  /**
   * Appends `metrics` as one line; calls `resultCallback` once, with SUCCESS
   * after the line is written or FAILED (with the error) if serialization or
   * the write failed. After {@link shutdown} it writes nothing and reports
   * FAILED. Never throws.
   */
  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.exports.run(() => this.write(metrics), resultCallback);
  }

  /** Resolves (never rejects) once every export started before the call has called back. */
  forceFlush(): Promise<void> {
    return this.exports.flush();
  }

  /** Cumulative for every instrument, the SDK's default. */
  selectAggregationTemporality(_instrumentType: InstrumentType): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  /**
   * Flushes, then closes the file. Idempotent; resolves (never rejects) even
   * if closing fails, which is reported through `diag`.
   */
  shutdown(): Promise<void> {
    return this.exports.shutdown(() =>
      this.writer.close().catch((error: unknown) => this.reportWriteError(error)),
    );
  }

  // Resolves to the error, or undefined when the line was written.
  private async write(metrics: ResourceMetrics): Promise<Error | undefined> {
    let line: string;
    try {
      const bytes = JsonMetricsSerializer.serializeRequest(metrics);
      if (!bytes) throw new Error('the serializer returned nothing');
      line = `${decoder.decode(bytes)}\n`;
    } catch (error) {
      reportOnce('file-metric-exporter:serialize', 'could not serialize metrics', error);
      return toError(error);
    }
    try {
      await this.writer.write(line);
      return undefined;
    } catch (error) {
      this.reportWriteError(error);
      return toError(error);
    }
  }

  private reportWriteError(error: unknown): void {
    const code = ioErrorCode(error);
    reportOnce(
      `file-metric-exporter:write:${code}`,
      `could not write metrics under ${this.dir} (${code}); further ${code} errors are not reported`,
      error,
    );
  }
}
