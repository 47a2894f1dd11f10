import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { BatchSender } from '../processors/DeliveringLogRecordProcessor.js';
import type { SendOutcome } from './OtlpHttpSender.js';
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

  send(body: Uint8Array, _contentType?: string, signal?: AbortSignal): Promise<SendOutcome> {
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: SendOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const timer = setTimeout(
        () =>
          finish({
            kind: 'retry',
            error: new Error(`export timed out after ${this.timeoutMillis} ms`),
          }),
        this.timeoutMillis,
      );
      timer.unref();
      const onAbort = (): void => finish({ kind: 'retry', error: new Error('export aborted') });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) return onAbort();
      try {
        this.exporter.export(decodeLogsJson(body), (result) => {
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
