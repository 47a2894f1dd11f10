import { join } from 'node:path';
import type { ExportResult } from '@opentelemetry/core';
import { encodeLogsJsonString } from './otlp/encodeLogsJson.js';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { reportOnce } from '../internal/reportOnce.js';
import { groupByFile } from './categoryFiles.js';
import { PendingExports, toError } from './PendingExports.js';
import { RotatingFileWriter, ioErrorCode } from './RotatingFileWriter.js';

/** Options of {@link FileLogRecordExporter}. */
export interface FileLogRecordExporterOptions {
  /** Directory of the files; created on the first export (mode `0o700`) if missing. */
  dir: string;
  /** Size limit of each file in bytes before it rotates; default 10 MiB. */
  maxFileBytes?: number;
  /** Gzip backups kept per file; default 5. */
  maxBackups?: number;
}

/**
 * Writes log records as OTLP JSON lines, one file per category under `dir`
 * (`user_interactions.jsonl`, `system_health.jsonl`, `tool_executions.jsonl`,
 * `llm_calls.jsonl`, `security.jsonl`, `performance.jsonl`, and `app.jsonl`
 * for the rest; see `fileNameForCategory` in categoryFiles.ts), each rotated by a
 * {@link RotatingFileWriter}.
 *
 * Each `export()` call appends, per file it touches, one line holding an OTLP
 * `ExportLogsServiceRequest` (the same JSON an OTLP/HTTP JSON exporter sends:
 * `{"resourceLogs":[{"scopeLogs":[{"logRecords":[…]}]}]}`, hex trace/span ids,
 * nanosecond timestamps as strings), so each line can be replayed to a collector.
 *
 * Nothing throws: write and serialization errors come back as
 * `ExportResultCode.FAILED` through the callback and are reported through OTel
 * `diag` once per error code.
 */
export class FileLogRecordExporter implements LogRecordExporter {
  /** Directory the files are written to. */
  readonly dir: string;

  private readonly maxFileBytes: number | undefined;
  private readonly maxBackups: number | undefined;
  private readonly writers = new Map<string, RotatingFileWriter>();
  private readonly exports = new PendingExports('FileLogRecordExporter');

  constructor(options: FileLogRecordExporterOptions) {
    this.dir = options.dir;
    this.maxFileBytes = options.maxFileBytes;
    this.maxBackups = options.maxBackups;
  }

  /**
   * Appends `logs` to their category files; calls `resultCallback` once, with
   * SUCCESS after every line is written or FAILED (with the error) if a
   * record could not be serialized or a write failed. After {@link shutdown}
   * it writes nothing and reports FAILED. Never throws.
   */
  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    this.exports.run(() => this.write(logs), resultCallback);
  }

  /** Resolves (never rejects) once every export started before the call has called back. */
  forceFlush(): Promise<void> {
    return this.exports.flush();
  }

  /**
   * Flushes, then closes every file. Idempotent; resolves (never rejects) even
   * if closing fails, which is reported through `diag`.
   */
  shutdown(): Promise<void> {
    return this.exports.shutdown(async () => {
      await Promise.all(
        Array.from(this.writers.values(), (writer) =>
          writer.close().catch((error: unknown) => this.reportWriteError(error)),
        ),
      );
    });
  }

  // Resolves to the first error, or undefined when everything was written.
  private async write(logs: ReadableLogRecord[]): Promise<Error | undefined> {
    let firstError: Error | undefined;
    const writes: Promise<void>[] = [];
    try {
      for (const [fileName, records] of groupByFile(logs)) {
        const { line, error } = serialize(records);
        if (error) firstError ??= error;
        if (line !== undefined) writes.push(this.writerFor(fileName).write(line));
      }
    } catch (error) {
      // Only a malformed record (not a ReadableLogRecord) can get here.
      reportOnce('file-log-exporter:group', 'could not read log records to export', error);
      firstError ??= toError(error);
    }
    const results = await Promise.allSettled(writes);
    for (const result of results) {
      if (result.status === 'rejected') {
        this.reportWriteError(result.reason);
        firstError ??= toError(result.reason);
      }
    }
    return firstError;
  }

  private writerFor(fileName: string): RotatingFileWriter {
    let writer = this.writers.get(fileName);
    if (!writer) {
      writer = new RotatingFileWriter({
        path: join(this.dir, fileName),
        maxBytes: this.maxFileBytes,
        maxBackups: this.maxBackups,
      });
      this.writers.set(fileName, writer);
    }
    return writer;
  }

  private reportWriteError(error: unknown): void {
    const code = ioErrorCode(error);
    reportOnce(
      `file-log-exporter:write:${code}`,
      `could not write log records under ${this.dir} (${code}); further ${code} errors are not reported`,
      error,
    );
  }
}

/**
 * Serializes the records into one line. If the batch cannot be serialized,
 * each record is tried alone so one bad record does not cost the others.
 */
function serialize(records: ReadableLogRecord[]): { line?: string; error?: Error } {
  const line = trySerialize(records);
  if (line.ok) return { line: line.value };
  const good = records.filter((record) => trySerialize([record]).ok);
  const error = new Error(
    `otel-logkit: dropped ${records.length - good.length} log record(s) that could not be serialized`,
    { cause: line.error },
  );
  reportOnce('file-log-exporter:serialize', 'could not serialize a log record', line.error);
  if (good.length === 0) return { error };
  const retry = trySerialize(good);
  return retry.ok ? { line: retry.value, error } : { error };
}

type Serialized = { ok: true; value: string } | { ok: false; error: unknown };

function trySerialize(records: ReadableLogRecord[]): Serialized {
  try {
    return { ok: true, value: `${encodeLogsJsonString(records)}\n` };
  } catch (error) {
    return { ok: false, error };
  }
}
