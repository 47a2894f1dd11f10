import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { BatchSender } from '../processors/DeliveringLogRecordProcessor.js';
import type { SendOutcome } from './OtlpHttpSender.js';
import { SendAttempt } from './SendAttempt.js';
import { decodeLogsJson } from './spool/decodeLogsJson.js';

/**
 * The "endpoint" of a user destination: decodes an OTLP/JSON batch (see
 * {@link decodeLogsJson}) and hands the records to the user's
 * LogRecordExporter. A FAILED result or no answer within `timeoutMillis` is a
 * `retry` (the batch stays in the spool and backs off); an exporter that
 * throws, or bytes that do not decode, are a `reject` (the batch is dropped
 * and counted, so one bad batch cannot block the destination). The
 * exporter's own lifecycle (forceFlush, shutdown) stays with its owner.
 * Never throws or rejects.
 */
export class LogRecordExporterSender implements BatchSender {
  constructor(
    private readonly exporter: LogRecordExporter,
    private readonly timeoutMillis: number,
  ) {}

  /** A spooled batch: its OTLP/JSON bytes decoded back into records. */
  send(body: Uint8Array, _contentType?: string, signal?: AbortSignal): Promise<SendOutcome> {
    return this.sendRecords(() => decodeLogsJson(body), signal);
  }

  /** A batch cut from memory: the records as they were emitted. */
  sendRecords(
    records: ReadableLogRecord[] | (() => ReadableLogRecord[]),
    signal?: AbortSignal,
  ): Promise<SendOutcome> {
    return new Promise<SendOutcome>((resolve) => {
      const retry = (error: Error): void => finish({ kind: 'retry', error });
      const attempt = new SendAttempt(
        resolve,
        { timeoutMillis: this.timeoutMillis, signal, onTimeout: retry, onAbort: retry },
        'export',
      );
      const finish = (outcome: SendOutcome): void => attempt.finish(outcome);
      if (attempt.abortedAlready()) return;
      try {
        this.exporter.export(typeof records === 'function' ? records() : records, (result) => {
          if (result.code === ExportResultCode.SUCCESS) finish({ kind: 'ok' });
          else finish({ kind: 'retry', error: result.error ?? new Error('export failed') });
        });
      } catch (error) {
        finish({
          kind: 'reject',
          error: error instanceof Error ? error : new Error(String(error)),
        });
      }
    });
  }
}
